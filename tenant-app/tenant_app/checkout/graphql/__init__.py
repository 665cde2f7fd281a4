"""GraphQL of carts and checkout."""
