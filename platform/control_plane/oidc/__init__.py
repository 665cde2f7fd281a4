"""The platform's OpenID Connect provider (django-oauth-toolkit): tenant apps sign portal users in through it."""
