"""The provider's pages: the sign-in page portal users see, and the authorization endpoint that sends them there."""

from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.urls import reverse_lazy
from oauth2_provider.views import AuthorizationView

from control_plane.accounts.forms import SignInForm


class PlatformSignInView(LoginView):
    """Email and password of a portal account, and a code from the authenticator app of those who enrolled one."""

    form_class = SignInForm
    template_name = "oidc/sign_in.html"
    redirect_authenticated_user = True


class PlatformAuthorizationView(AuthorizationView):
    """DOT's authorization endpoint, sending people who are not signed in to the provider's own sign-in page."""

    login_url = reverse_lazy("oauth2_provider:sign-in")
