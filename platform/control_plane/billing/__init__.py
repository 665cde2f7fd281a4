"""The billing ledger: what each tenant used, owes and paid, kept as an event-sourced stream per tenant.

Stripe (subscriptions, invoices, webhooks) comes with the control-plane issue and records
into this ledger through the same actions.
"""
