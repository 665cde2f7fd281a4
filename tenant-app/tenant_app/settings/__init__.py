"""Settings of the Tenantry tenant app: `base` plus one of `local`, `test`, `production`."""
