"""Billing: the plans' prices (`plans`), Stripe customers and subscriptions, invoices, dunning, and the ledger of
what each tenant used, owes and paid, kept as an event-sourced stream per tenant (`ledger`); the state changes
are in `actions`, one module per area.
"""
