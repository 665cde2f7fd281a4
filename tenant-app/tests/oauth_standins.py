"""Identity providers on loopback for the SSO tests, each signing people in headlessly (POST `sub`).

oidc-provider-mock plays Google and the platform's issuer; `OAuth2StandIn` plays GitHub and Facebook
(plain OAuth 2.0 with their API shapes). Both insist on PKCE S256: oidc-provider-mock 0.3.4 ignores
`code_verifier`, so `PkceCheck` checks it in front of the mock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import oidc_provider_mock
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def appsecret_proof(secret: str, access_token: str) -> str:
    return hmac.new(secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


def with_query(url: str, **params: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status, content_type="application/json")


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve a WSGI app on loopback, on a port the OS picks, until the block ends; yields the base URL."""
    server = make_server("localhost", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        # "localhost", not 127.0.0.1: the mock names its issuer after the host it is called by.
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def sign_in_at(authorization_url: str, sub: str) -> str:
    """Sign in as `sub` on a stand-in's authorization page; returns where it sends the browser back."""
    response = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


class PkceCheck:
    """WSGI layer for an OAuth server that ignores PKCE: each code is bound to the S256 challenge it was
    issued for, and a token request whose code_verifier does not match is refused with invalid_grant."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.challenges: dict[str, str] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if path == "/oauth2/authorize" and method == "POST":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            challenge = query.get("code_challenge", [""])[0]
            if not challenge or query.get("code_challenge_method") != ["S256"]:
                return Response("PKCE with S256 is required", 400)(environ, start_response)

            def remember_code(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                location = dict(headers).get("Location", "")
                for code in parse_qs(urlsplit(location).query).get("code", []):
                    self.challenges[code] = challenge
                return start_response(status, headers, exc_info)

            return self.app(environ, remember_code)
        if path == "/oauth2/token" and method == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)  # the mock reads it again
            form = parse_qs(body.decode())
            if form.get("grant_type") == ["authorization_code"]:
                challenge = self.challenges.pop(form.get("code", [""])[0], None)
                if challenge is None or s256(form.get("code_verifier", [""])[0]) != challenge:
                    refusal = {"error": "invalid_grant", "error_description": "PKCE verification failed"}
                    return json_response(refusal, 400)(environ, start_response)
        return self.app(environ, start_response)


@dataclass
class OidcStandIn:
    issuer: str

    def set_user(self, sub: str, **claims: Any) -> None:
        requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=5).raise_for_status()


@contextmanager
def oidc_provider() -> Iterator[OidcStandIn]:
    """oidc-provider-mock requiring a nonce, behind the PKCE check."""
    app = oidc_provider_mock.app(require_nonce=True)
    app.wsgi_app = PkceCheck(app.wsgi_app)
    with serve(app) as url:
        yield OidcStandIn(url)


@dataclass
class OAuth2StandIn:
    """GitHub's and Facebook's OAuth 2.0 endpoints, and the parts of their APIs a sign-in reads."""

    client_id: str
    client_secret: str
    url: str = ""
    github_users: dict[str, dict[str, Any]] = field(default_factory=dict)  # by login
    facebook_users: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # access token → (site, user)

    def add_github_user(self, login: str, user_id: int, emails: list[dict[str, Any]], name: str = "") -> None:
        self.github_users[login] = {"id": user_id, "login": login, "name": name or None, "emails": emails}

    def add_facebook_user(self, user_id: str, email: str, name: str = "") -> None:
        self.facebook_users[user_id] = {"id": user_id, "name": name, "email": email}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        routes = {
            "/login/oauth/authorize": lambda: self.authorize(request, "github"),
            "/dialog/oauth": lambda: self.authorize(request, "facebook"),
            "/login/oauth/access_token": lambda: self.github_token(request),
            "/oauth/access_token": lambda: self.facebook_token(request),
            "/user": lambda: self.github_user(request),
            "/user/emails": lambda: self.github_emails(request),
            "/me": lambda: self.facebook_me(request),
        }
        route = routes.get(request.path)
        response = route() if route else Response("not found", 404)
        return response(environ, start_response)

    def authorize(self, request: Request, site: str) -> Response:
        args, sub = request.args, request.form.get("sub", "")
        users = self.github_users if site == "github" else self.facebook_users
        if (
            args.get("client_id") != self.client_id
            or args.get("response_type", "code") != "code"
            or not args.get("redirect_uri")
            or not args.get("state")
            or args.get("code_challenge_method") != "S256"
            or not args.get("code_challenge")
            or sub not in users
        ):
            return Response("bad authorization request", 400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "site": site,
            "sub": sub,
            "redirect_uri": args["redirect_uri"],
            "challenge": args["code_challenge"],
        }
        return Response(
            status=302, headers={"Location": with_query(args["redirect_uri"], code=code, state=args["state"])}
        )

    def exchange(self, site: str, params: Any) -> str | None:
        """An access token for a code used once, by our client, with its redirect URI and PKCE verifier."""
        grant = self.codes.pop(params.get("code", ""), None)
        if (
            grant is None
            or grant["site"] != site
            or params.get("client_id") != self.client_id
            or params.get("client_secret") != self.client_secret
            or params.get("redirect_uri") != grant["redirect_uri"]
            or s256(params.get("code_verifier", "")) != grant["challenge"]
        ):
            return None
        token = secrets.token_urlsafe(16)
        self.tokens[token] = (site, grant["sub"])
        return token

    def github_token(self, request: Request) -> Response:
        token = self.exchange("github", request.form)
        if token is None:  # GitHub answers a bad code with 200 and an error body
            return json_response({"error": "bad_verification_code", "error_description": "The code is incorrect."})
        return json_response({"access_token": token, "token_type": "bearer", "scope": "read:user,user:email"})

    def facebook_token(self, request: Request) -> Response:
        token = self.exchange("facebook", request.values)
        if token is None:
            error = {"message": "Invalid verification code.", "type": "OAuthException", "code": 100}
            return json_response({"error": error}, 400)
        return json_response({"access_token": token, "token_type": "bearer", "expires_in": 5183944})

    def user_of(self, request: Request, site: str) -> tuple[str, dict[str, Any] | None]:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        owner = self.tokens.get(token)
        users = self.github_users if site == "github" else self.facebook_users
        return token, users[owner[1]] if owner and owner[0] == site else None

    def github_user(self, request: Request) -> Response:
        _, user = self.user_of(request, "github")
        if user is None:
            return json_response({"message": "Bad credentials"}, 401)
        return json_response({key: user[key] for key in ("id", "login", "name")})

    def github_emails(self, request: Request) -> Response:
        _, user = self.user_of(request, "github")
        if user is None:
            return json_response({"message": "Bad credentials"}, 401)
        return json_response(user["emails"])

    def facebook_me(self, request: Request) -> Response:
        token, user = self.user_of(request, "facebook")
        if user is None or request.args.get("appsecret_proof") != appsecret_proof(self.client_secret, token):
            error = {"message": "Invalid appsecret_proof or token.", "type": "GraphMethodException", "code": 100}
            return json_response({"error": error}, 400)
        fields = request.args.get("fields", "id").split(",")
        return json_response({key: value for key, value in user.items() if key in fields and value})


@contextmanager
def oauth2_provider(client_id: str, client_secret: str) -> Iterator[OAuth2StandIn]:
    standin = OAuth2StandIn(client_id, client_secret)
    with serve(standin) as url:
        standin.url = url
        yield standin
