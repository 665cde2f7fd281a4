"""Users, the signed-in user's profile and sessions in the GraphQL API."""
