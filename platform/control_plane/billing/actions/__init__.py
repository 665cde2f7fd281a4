"""Every billing state change, one module per area: the ledger, customers and payment methods, subscriptions,
invoices, Stripe's events and dunning."""
