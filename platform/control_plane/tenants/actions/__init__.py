"""Every state change of the tenants app, one module per area: the tenant record's lifecycle (`lifecycle`)
and who belongs to it (`members`: members, roles and invitations)."""
