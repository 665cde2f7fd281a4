"""A tenant's database: its schema on a shard, the login role that owns it, and its migrations.

Every step is idempotent and runs in its own transaction after reading the catalog, so a
reconcile that crashed anywhere (role created, schema not yet) completes when repeated.
Import what you use from its module:

- `schemas`: the tenant's schema and role, ensured, disabled, dropped or inspected (`TenantDatabase`);
- `roles`: the login role itself (password, confinement, the shard's router role);
- `migrations`: migrating a schema with the tenant app's `manage.py migrate` (`ManagePyMigrationRunner`);
- `template_clone`: migrating much faster by cloning a template schema migrated once per shard
  (`TemplateCloneRunner`);
- `shard`: the shard as a whole, closed to roles not granted (`secure_shard`), and `shard_info`;
- `base`: the admin connection, catalog lookups and `TenantDatabaseError`, shared by the others.
"""
