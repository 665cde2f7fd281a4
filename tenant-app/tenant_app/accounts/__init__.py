"""Accounts of a tenant's workspace: its users, their sessions and second factor, members and customers' sign-up.

Users live in the tenant's schema; tokens carry the tenant and are worthless on any other. Signing in, sessions,
two-factor and emailed links are the kernel's identity API (tenantry_kernel.identity.api), bound in `identity`.
"""
