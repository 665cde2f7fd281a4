"""The GraphQL API at /graphql/: one schema over the apps' graphql packages, with REST's tokens and policies."""
