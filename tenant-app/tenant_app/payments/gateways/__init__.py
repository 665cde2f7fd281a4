"""The gateways: one interface (`base.Gateway`), one module per gateway; `gateway_for` picks one."""

from __future__ import annotations

from tenant_app.payments.gateways.base import Credentials, Gateway


def gateway_for(name: str, credentials: Credentials) -> Gateway:
    # Imported here: each module pulls its gateway's client library only when a store uses it.
    if name == "stripe":
        from tenant_app.payments.gateways.stripe import StripeGateway

        return StripeGateway(credentials)
    if name == "paypal":
        from tenant_app.payments.gateways.paypal import PayPalGateway

        return PayPalGateway(credentials)
    if name == "razorpay":
        from tenant_app.payments.gateways.razorpay import RazorpayGateway

        return RazorpayGateway(credentials)
    raise ValueError(f"no gateway named {name!r}")
