"""Sign-in through identity providers: Google, GitHub, Facebook and the platform's own OIDC issuer.

The flow ends in `accounts.actions.complete_sign_in` (our tenant-bound JWTs, or a 2FA challenge), so
SSO is one more first factor. Authlib is the OAuth 2.0 / OIDC client. django-allauth 65.21 was tried
first and left out: its OAuth state lives in the Django session (headless redirects are for cookie
"browser" clients only; "app" clients must run the OAuth dance themselves), its OIDC code flow sends
no nonce, it skips the ID token signature when the token came from the token endpoint, it keeps its
own EmailAddress records beside `User.email_verified_at`, and its `google` provider fixes endpoints
at import time. Here state, nonce and PKCE verifier live in the tenant-keyed cache for one use.
"""
