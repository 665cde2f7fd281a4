"""Self-service signup: an owner account, a store (tenant) and its plan, in one retry-safe request."""
