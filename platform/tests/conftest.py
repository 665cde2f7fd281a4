from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from control_plane.accounts.models import User
from control_plane.accounts.tokens import access_token_for
from tenantry_kernel.testing.web_contract import WebProject

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(scope="session")
def web_project() -> WebProject:
    return WebProject(
        package="control_plane", service="control-plane", directory=str(Path(__file__).resolve().parents[1])
    )


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    """A portal user (email verified unless told otherwise); the password is `PASSWORD`."""

    def make(email: str = "owner@example.com", *, verified: bool = True, **fields: Any) -> User:
        return User.objects.create_user(
            email, PASSWORD, email_verified_at=timezone.now() if verified else None, **fields
        )

    return make


@pytest.fixture
def api_for() -> Callable[[User | None], APIClient]:
    """A DRF client signed in as `user` with a bearer access token (anonymous for None)."""

    def client(user: User | None = None) -> APIClient:
        api = APIClient()
        if user is not None:
            api.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}")
        return api

    return client
