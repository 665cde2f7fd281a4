"""Tenants as the control plane knows them: record, lifecycle, members, and the provisioner that makes them real."""
