"""Talking to identity providers (Authlib): the authorization URL, the code exchange, and who signed in."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from tenant_app.sso.errors import ProviderUnavailable, SsoError
from tenant_app.sso.providers import Provider

# Asymmetric signatures only: an HS256 ID token would be keyed with the client secret we share.
ID_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
CLOCK_LEEWAY = 60  # seconds two parties' clocks may differ by
DOCUMENT_MAX_AGE = 3600.0


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in: its stable id for them, and an address it may or may not vouch for."""

    subject: str
    email: str
    email_verified: bool
    name: str


def authorization_url(provider: Provider, *, redirect_uri: str, state: str, nonce: str, code_verifier: str) -> str:
    """Where to send the person: the provider's sign-in page, with state, PKCE S256 challenge and (OIDC) nonce."""
    with _provider_errors():
        endpoint = _metadata(provider)["authorization_endpoint"] if provider.is_oidc else provider.authorize_url
    extra = {"nonce": nonce} if provider.is_oidc else {}
    with _session(provider, redirect_uri) as session:
        url, _ = session.create_authorization_url(endpoint, state=state, code_verifier=code_verifier, **extra)
    return str(url)


def identity_for_code(provider: Provider, *, code: str, redirect_uri: str, nonce: str, code_verifier: str) -> Identity:
    """Exchange the code (with the PKCE verifier) and find out who signed in."""
    with _session(provider, redirect_uri) as session, _provider_errors():
        token_url = _metadata(provider)["token_endpoint"] if provider.is_oidc else provider.token_url
        try:
            token = session.fetch_token(token_url, code=code, code_verifier=code_verifier)
        except OAuthError as exc:
            raise SsoError(
                "The identity provider refused the sign-in code; start the sign-in again.", "sso_code_invalid"
            ) from exc
        if provider.is_oidc:
            return _oidc_identity(provider, token, nonce)
        if provider.protocol == "github":
            return _github_identity(session, provider)
        return _facebook_identity(session, provider, token["access_token"])


def _session(provider: Provider, redirect_uri: str) -> Any:
    return OAuth2Session(
        provider.client_id,
        provider.client_secret,
        token_endpoint_auth_method=provider.token_endpoint_auth_method,
        scope=provider.scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        default_timeout=settings.SSO_HTTP_TIMEOUT,
    )


@contextmanager
def _provider_errors() -> Iterator[None]:
    """A provider that is down or answers nonsense is a bad gateway (502), not our own failure (500)."""
    try:
        yield
    except requests.RequestException as exc:
        raise ProviderUnavailable() from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderUnavailable("The identity provider answered unexpectedly; try again later.") from exc


def _json(response: requests.Response) -> Any:
    response.raise_for_status()
    return response.json()


# Discovery documents and key sets by URL, with their expiry: they change rarely (keys on rotation,
# which a token with an unknown key id makes us notice). Per process; a restart just fetches again.
_documents: dict[str, tuple[float, dict[str, Any]]] = {}


def _document(url: str, *, fresh: bool = False) -> dict[str, Any]:
    cached = _documents.get(url)
    if cached is not None and not fresh and cached[0] > time.monotonic():
        return cached[1]
    document = _json(requests.get(url, timeout=settings.SSO_HTTP_TIMEOUT))
    if not isinstance(document, dict):
        raise ValueError(f"{url} is not a JSON object")
    _documents[url] = (time.monotonic() + DOCUMENT_MAX_AGE, document)
    return document


def _metadata(provider: Provider) -> dict[str, Any]:
    metadata = _document(f"{provider.issuer.rstrip('/')}/.well-known/openid-configuration")
    # OIDC Discovery §4.3: a document naming another issuer is not this issuer's.
    if metadata.get("issuer") != provider.issuer:
        raise ValueError(f"the discovery document of {provider.issuer} names issuer {metadata.get('issuer')!r}")
    return metadata


def _keys(metadata: dict[str, Any], *, fresh: bool = False) -> KeySet:
    return KeySet.import_key_set({"keys": _document(metadata["jwks_uri"], fresh=fresh)["keys"]})


def _oidc_identity(provider: Provider, token: dict[str, Any], nonce: str) -> Identity:
    claims = _verified_id_token(provider, token, nonce)
    return Identity(
        subject=str(claims["sub"]),
        email=str(claims.get("email") or ""),
        email_verified=claims.get("email_verified") in (True, "true"),
        name=str(claims.get("name") or ""),
    )


def _verified_id_token(provider: Provider, token: dict[str, Any], nonce: str) -> dict[str, Any]:
    """OIDC Core §3.1.3.7: signed with one of the issuer's published keys; iss, aud, exp and our nonce."""
    metadata = _metadata(provider)
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [alg for alg in offered if alg in ID_TOKEN_ALGORITHMS]
    if not algorithms:  # an empty list would let joserfc fall back to its own defaults
        raise ValueError(f"{provider.issuer} signs ID tokens with none of {ID_TOKEN_ALGORITHMS}")
    if not token.get("id_token"):
        raise SsoError("The identity provider sent no ID token; start the sign-in again.", "sso_id_token_invalid")
    try:
        try:
            decoded = jwt.decode(token["id_token"], _keys(metadata), algorithms)
        except InvalidKeyIdError:
            # Signed with a key published since we fetched the set: the provider rotated its keys.
            decoded = jwt.decode(token["id_token"], _keys(metadata, fresh=True), algorithms)
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": provider.issuer},
                "aud": {"essential": True, "value": provider.client_id},
            },
            {"nonce": nonce, "client_id": provider.client_id, "access_token": token.get("access_token")},
        )
        claims.validate(leeway=CLOCK_LEEWAY)
    except JoseError as exc:
        raise SsoError(
            f"The identity provider's ID token is not valid ({exc.description}); start the sign-in again.",
            "sso_id_token_invalid",
        ) from exc
    return dict(claims)


def _github_identity(session: Any, provider: Provider) -> Identity:
    headers = {"Accept": "application/vnd.github+json"}
    user = _json(session.get(f"{provider.api_url}/user", headers=headers))
    emails = _json(session.get(f"{provider.api_url}/user/emails", headers=headers))
    # The primary address is the one the person uses; GitHub says whether they proved it is theirs.
    primary: dict[str, Any] = next((entry for entry in emails if entry.get("primary")), {})
    return Identity(
        subject=str(user["id"]),  # the numeric id: a login can be renamed and then taken by someone else
        email=str(primary.get("email") or ""),
        email_verified=primary.get("verified") is True,
        name=str(user.get("name") or user.get("login") or ""),
    )


def _facebook_identity(session: Any, provider: Provider, access_token: str) -> Identity:
    # appsecret_proof: the Graph API refuses a leaked user token used without our app secret.
    proof = hmac.new(provider.client_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()
    me = _json(session.get(f"{provider.api_url}/me", params={"fields": "id,name,email", "appsecret_proof": proof}))
    return Identity(
        subject=str(me["id"]),
        email=str(me.get("email") or ""),
        # Facebook gives no verified flag with the address (and may hand out one never confirmed by
        # mail), so it never counts as verified: it names a new account but never links an existing one.
        email_verified=False,
        name=str(me.get("name") or ""),
    )
