"""Payments in the REST API."""
