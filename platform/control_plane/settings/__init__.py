"""Settings of the Tenantry control plane: `base` plus one of `local`, `test`, `production`."""
