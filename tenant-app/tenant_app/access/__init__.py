"""Who may do what: roles (RBAC) and attribute policies (ABAC), decided by one engine."""
