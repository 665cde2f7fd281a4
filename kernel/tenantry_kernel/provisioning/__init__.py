"""Provisioning of tenants: database schema and role, broker vhost and user, routing.

One library with idempotent steps; the operator's kopf handlers (cluster mode) and the
control plane's local mode are two thin drivers of it.
"""
