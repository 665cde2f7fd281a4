"""The order ledger: orders as event-sourced aggregates (stream `order-<id>`), read through a projection."""
