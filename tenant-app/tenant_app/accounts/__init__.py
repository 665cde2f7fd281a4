"""Accounts of a tenant's workspace: sign-in, tokens and their revocation.

Users live in the tenant's schema (django.contrib.auth); tokens carry the tenant and are
worthless on any other.
"""
