"""Every state change of the provider's clients: a tenant app's client is registered and removed with its tenant."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

from control_plane.audit.actions import record
from control_plane.tenants.models import Tenant
from tenantry_kernel.provisioning import oidc_client


def register_tenant_client(tenant: Tenant) -> Application:
    """The tenant app's confidential client: derived id and secret, its callback on the tenant's host.

    Idempotent (provisioning retries): a second call refreshes the redirect URIs, e.g. once the
    tenant's URL is known, and the secret, e.g. after PLATFORM_SSO_CLIENT_KEY was rotated.
    First party, so the person is not asked to consent.
    """
    client_id = oidc_client.client_id(tenant.slug)
    values = {
        "name": f"Tenant {tenant.slug}",
        "client_type": Application.CLIENT_CONFIDENTIAL,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "client_secret": oidc_client.client_secret(settings.PLATFORM_SSO_CLIENT_KEY, tenant.slug),
        "hash_client_secret": True,
        "redirect_uris": " ".join(oidc_client.redirect_uris(tenant.url)),
        "algorithm": Application.RS256_ALGORITHM,
        "skip_authorization": True,
    }
    application: Application  # DOT's manager is untyped
    created: bool
    with transaction.atomic():
        application, created = Application.objects.select_for_update().update_or_create(
            client_id=client_id, defaults=values
        )
        record(
            "oidc.client_registered" if created else "oidc.client_updated",
            tenant=tenant.slug,
            target=application,
            data={"client_id": client_id, "redirect_uris": application.redirect_uris.split()},
        )
    return application


def remove_tenant_client(tenant: Tenant) -> None:
    """The deleted tenant's client and every token issued to it: its codes and refresh tokens stop working.

    Idempotent: a client already gone counts as removed.
    """
    client_id = oidc_client.client_id(tenant.slug)
    with transaction.atomic():
        application = Application.objects.select_for_update().filter(client_id=client_id).first()
        if application is None:
            return
        # The foreign keys cascade too; deleting explicitly keeps it one statement per table, not row by row.
        RefreshToken.objects.filter(application=application).delete()
        AccessToken.objects.filter(application=application).delete()
        IDToken.objects.filter(application=application).delete()
        Grant.objects.filter(application=application).delete()
        record("oidc.client_removed", tenant=tenant.slug, target=application, data={"client_id": client_id})
        application.delete()
