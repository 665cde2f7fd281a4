"""The provider's pages: the sign-in page portal users see, and the authorization endpoint that sends them there."""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views import View
from oauth2_provider.views import AuthorizationView

from control_plane.accounts.forms import SignInForm
from control_plane.audit.actions import record
from control_plane.oidc import handoff


class PlatformSignInView(LoginView):
    """Email and password of a portal account, and a code from the authenticator app of those who enrolled one."""

    form_class = SignInForm
    template_name = "oidc/sign_in.html"
    redirect_authenticated_user = True


class PlatformAuthorizationView(AuthorizationView):
    """DOT's authorization endpoint, sending people who are not signed in to the provider's own sign-in page."""

    login_url = reverse_lazy("oauth2_provider:sign-in")


class HandoffView(View):
    """GET /o/handoff/?code=…: the portal's "Open store" (control_plane.oidc.handoff) signs the person in to the
    provider and sends them on to the store's sign-in through the platform; a used or stale code says what to do."""

    def get(self, request: HttpRequest) -> HttpResponse:
        redeemed = handoff.redeem(request.GET.get("code", ""))
        if redeemed is None:
            response = render(request, "oidc/handoff_failed.html", status=400)
        else:
            user, tenant = redeemed
            # Cycles the session key (no fixation) and replaces whoever was signed in to the provider before.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            record("oidc.handoff_redeemed", actor=user, tenant=tenant.slug, target=tenant)
            response = HttpResponseRedirect(handoff.store_sign_in_url(tenant))
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
