"""Which tenant a request (or task) is for, and the database identity it runs under.

Two ways to run (docs/architecture.md, "Isolation"):
- dedicated: the process belongs to one tenant (`TENANT_SLUG`); it connects as that
  tenant's own role, whose search_path is the tenant's schema. Nothing to switch.
- shared: the process serves every tenant of its shard. The host picks a route from the
  shard's routing table (written by the provisioning library); each request runs in one
  transaction with `SET LOCAL ROLE` and `SET LOCAL search_path`, so even raw SQL cannot
  reach another tenant's schema, and both reset when the transaction ends.

django-tenants was evaluated and not used: it switches only search_path (no role), keeps
its own tenant and domain models in the public schema (here the operator's routing
table is the source of truth), and needs its own database backend.
"""
