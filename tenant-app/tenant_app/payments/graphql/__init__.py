"""Payments in the GraphQL API."""
