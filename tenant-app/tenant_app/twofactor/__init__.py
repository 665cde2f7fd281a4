"""Two-factor authentication: authenticator-app codes (TOTP), single-use backup codes, a policy per role,
and the challenge a sign-in answers with before any token is issued."""
