"""Roles and policies in the GraphQL API."""
