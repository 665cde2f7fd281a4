"""The provider's endpoints, in DOT's `oauth2_provider` namespace (DOT reverses its own names in it).

Mounted at `o/`: the issuer is `<origin>/o`, its discovery document `<origin>/o/.well-known/openid-configuration`.
Only the code flow's endpoints: no application-management pages, no device flow, no dynamic registration
(tenant clients are registered by provisioning, control_plane.oidc.actions).
"""

from django.urls import path
from oauth2_provider import views as oauth2_views
from oauth2_provider.urls import oidc_urlpatterns

from control_plane.oidc import views

app_name = "oauth2_provider"

urlpatterns = [
    path("login/", views.PlatformSignInView.as_view(), name="sign-in"),
    path("handoff/", views.HandoffView.as_view(), name="handoff"),
    path("authorize/", views.PlatformAuthorizationView.as_view(), name="authorize"),
    path("token/", oauth2_views.TokenView.as_view(), name="token"),
    path("revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("introspect/", oauth2_views.IntrospectTokenView.as_view(), name="introspect"),
    *oidc_urlpatterns,
]
