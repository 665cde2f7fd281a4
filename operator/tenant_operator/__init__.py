"""The Tenantry operator: kopf handlers that reconcile Tenant and DatabaseShard resources.

Handlers stay thin: they translate Kubernetes events into calls of the kernel's
provisioning library and into status.
"""
