"""Payments: a store's own gateway credentials, payments of orders through Stripe, PayPal or Razorpay, webhooks."""
