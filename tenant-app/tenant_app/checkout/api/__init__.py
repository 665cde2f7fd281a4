"""The REST API of carts and checkout."""
