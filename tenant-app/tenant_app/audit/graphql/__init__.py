"""The audit log in the GraphQL API."""
