"""Sign-in through a provider for a browser: the store's "sign in with Tenantry" page and its landing page.

The API's start and callback answer JSON for a front end that drives the flow. A person who arrives from the
portal's "Open store" has no front end of the store in between: `BrowserSignIn` (GET /sso/<provider>/) begins
the attempt marked as a landing one and sends the browser to the provider; the callback (sso/api/views.py)
then answers that attempt with `landing`, a small server-rendered page naming the store and who is signed in,
instead of JSON; a failure goes back to /sso/<provider>/?failed=<code>, which says what went wrong (by the
code's registered description: nothing of the request is echoed). Each start stores an attempt, so the page
spends the same per-address budget as the API's start (`SsoThrottle`). The tokens the sign-in issues stay out of
the page: the store has no browser workspace yet to hand them to.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.views import APIView

from tenant_app.accounts.actions import complete_sign_in
from tenant_app.sso import actions
from tenant_app.sso.api.serializers import CallbackSerializer
from tenant_app.sso.api.views import SsoThrottle
from tenant_app.sso.providers import Provider, provider_named
from tenantry_kernel.identity.challenges import SecondFactorChallenge
from tenantry_kernel.web import problems


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


class BrowserSignIn(View):
    """GET /sso/<provider>/: off to the provider, coming back to the API's callback, which answers with a page."""

    def get(self, request: HttpRequest, provider: str) -> HttpResponse:
        try:
            chosen = provider_named(provider)
        except APIException as exc:
            return _no_store(_failed(request, str(exc.detail), exc.status_code))
        if "failed" in request.GET:
            # The callback (under /api/, where every error is a problem document) sent a failed attempt here.
            known = problems.problem(request.GET["failed"])
            message = known.description if known else "The sign-in did not finish."
            return _no_store(_failed(request, message, known.status if known else 400))
        throttle = SsoThrottle()
        if not throttle.allow_request(Request(request), APIView()):
            page = _failed(request, "Too many sign-ins from your address: try again in a minute.", 429)
            page["Retry-After"] = str(math.ceil(throttle.wait() or 1))
            return _no_store(page)
        redirect_uri = request.build_absolute_uri(reverse("sso-callback", kwargs={"provider": chosen.name}))
        attempt = actions.begin_sign_in(request, chosen, redirect_uri=redirect_uri, landing=True)
        return _no_store(HttpResponseRedirect(attempt.authorization_url))


def landing(request: HttpRequest, provider: Provider, query: Any) -> HttpResponse:
    """Finish a browser's attempt: the store's landing page, signed in, or a page saying what went wrong."""
    form = CallbackSerializer(data=query)
    failed = reverse("sso-browser", kwargs={"provider": provider.name})
    if not form.is_valid():
        return _no_store(HttpResponseRedirect(f"{failed}?failed=invalid", status=303))
    try:
        user = actions.identify(request, provider, **form.validated_data)
        result = complete_sign_in(request, user, method=f"sso:{provider.name}")
    except APIException as exc:
        code = next(iter(_codes(exc.get_codes())), "invalid")
        return _no_store(HttpResponseRedirect(f"{failed}?{urlencode({'failed': code})}", status=303))
    context = {
        "store": getattr(request, "tenant", None) or request.get_host(),
        "user": user,
        "role": user.role.name if user.role else "",
        "provider": provider.label,
        "second_factor": isinstance(result, SecondFactorChallenge),
    }
    return _no_store(render(request, "sso/landing.html", context))


def _codes(codes: Any) -> list[str]:
    if isinstance(codes, dict):
        return [code for value in codes.values() for code in _codes(value)]
    if isinstance(codes, list):
        return [code for value in codes for code in _codes(value)]
    return [str(codes)]


def _failed(request: HttpRequest, message: str, status: int) -> HttpResponse:
    store = getattr(request, "tenant", None) or request.get_host()
    return render(request, "sso/failed.html", {"store": store, "message": message}, status=status)
