"""The append-only audit log of security events in a tenant's workspace."""
