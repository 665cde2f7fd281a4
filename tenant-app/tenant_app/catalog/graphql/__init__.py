"""Products in the GraphQL API."""
