"""Carts and checkout: the shopper's cart, stock reservations, vouchers, shipping and tax, and the order it becomes."""
