"""Who the operator's API is: its group, version, kinds and plurals.

The CRD builder (crds.py), the kopf handlers, the Kubernetes adapter and the rendered
owner references all name the API through these constants.
"""

from __future__ import annotations

API_GROUP = "tenantry.dev"
API_VERSION = "v1alpha1"
# The `apiVersion` of a Tenant or DatabaseShard object.
GROUP_VERSION = f"{API_GROUP}/{API_VERSION}"

TENANT_KIND = "Tenant"
TENANT_PLURAL = "tenants"
DATABASE_SHARD_KIND = "DatabaseShard"
DATABASE_SHARD_PLURAL = "databaseshards"
