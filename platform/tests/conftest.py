import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from control_plane.accounts.identity import identity
from control_plane.accounts.models import User
from control_plane.accounts.tokens import access_token_for
from control_plane.audit.models import AuditEvent
from tenantry_kernel.testing.databases import copy_database, drop_database, migrated_template
from tenantry_kernel.testing.events import EventPublishers, event_publishers
from tenantry_kernel.testing.identity_contract import IdentityProject, SecurityRecord
from tenantry_kernel.testing.mail import MailSink, mail_through_celery
from tenantry_kernel.testing.web_contract import WebProject

PASSWORD = "correct horse battery staple 42"
PLATFORM = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def django_db_setup(django_db_blocker: Any) -> Iterator[None]:
    """The test database as a copy of the migrated template (tenantry_kernel.testing.databases), not a migration.

    Migrating the control plane takes minutes (dj-stripe alone has dozens of migrations); the copy
    takes a second, and the template is made again only when a migration or the lock file changes.
    """
    template = migrated_template(PLATFORM, "control_plane.settings.test", "controlplane")
    connection = connections["default"]
    # A name of this run's own: runs side by side (two checkouts, two developers' sessions) never share it.
    name = f"test_{connection.settings_dict['NAME']}_{secrets.token_hex(3)}"
    with django_db_blocker.unblock():
        connection.close()
        copy_database(template, name)
        connection.settings_dict["NAME"] = name
    yield
    with django_db_blocker.unblock():
        connection.close()
        drop_database(name)


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


def account_events() -> list[SecurityRecord]:
    """The portal's account events ("account.<event>" in the audit log), oldest first."""
    events = AuditEvent.objects.filter(action__startswith="account.").select_related("actor").order_by("id")
    return [
        SecurityRecord(
            event=event.action.removeprefix("account."),
            actor=event.actor.email if event.actor else None,
            subject=event.data.get("subject", ""),
            details={key: value for key, value in event.data.items() if key != "subject"},
        )
        for event in events
    ]


@pytest.fixture
def identity_project(db: None, settings: Any) -> IdentityProject:
    """The portal as the identity contract (tenantry_kernel.testing.identity_contract) sees it."""
    settings.PORTAL_URL = "https://portal.example.test/"

    def make(email: str, *, password: str, verified: bool = True, **fields: Any) -> User:
        verified_at = timezone.now() if verified else None
        return User.objects.create_user(email, password, email_verified_at=verified_at, **fields)

    def make_staff(email: str) -> None:
        User.objects.filter(email=email).update(is_staff=True)

    return IdentityProject(
        identity=identity,
        host="testserver",
        make_user=make,
        require_second_factor=make_staff,
        totp_issuer="Tenantry",
        link_origin="https://portal.example.test",
        audit_log=account_events,
    )


@pytest.fixture
def owner(make_user: Callable[..., User]) -> User:
    """A portal user of their own (a fresh address each test)."""
    return make_user(f"owner-{secrets.token_hex(3)}@example.com")


@pytest.fixture
def api_for() -> Callable[[User | None], APIClient]:
    """A DRF client sending JSON, signed in as `user` with a bearer access token (anonymous for None)."""

    def client(user: User | None = None) -> APIClient:
        api = APIClient()
        api.default_format = "json"
        if user is not None:
            api.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}")
        return api

    return client


@pytest.fixture(scope="module")
def mail_service(django_db_setup: None, django_db_blocker: Any) -> Iterator[MailSink]:
    """Outgoing mail through a real Celery worker to an SMTP sink (tenantry_kernel.testing.mail)."""
    from control_plane import celery_app

    # The worker's start runs Django's system checks, some of which read the database.
    with django_db_blocker.unblock(), mail_through_celery(celery_app) as sink:
        yield sink


@pytest.fixture
def mail(mail_service: MailSink) -> MailSink:
    mail_service.messages.clear()
    return mail_service


# Search's contract tests run against every backend; Elasticsearch's only where ELASTICSEARCH_URL names
# a server (none runs on the development machines). Its tests are deselected, and the run says why.
ELASTICSEARCH_UNSET = "ELASTICSEARCH_URL is not set: the Elasticsearch backend's contract tests were deselected"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "elasticsearch: needs an Elasticsearch server at ELASTICSEARCH_URL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("ELASTICSEARCH_URL"):
        return
    deselected = [item for item in items if item.get_closest_marker("elasticsearch")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("elasticsearch")]
        config.stash[_elasticsearch_deselected] = len(deselected)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if count := config.stash.get(_elasticsearch_deselected, 0):
        terminalreporter.write_line(f"{ELASTICSEARCH_UNSET} ({count}).", yellow=True)


_elasticsearch_deselected = pytest.StashKey[int]()


# Billing's fixtures (localstripe on loopback, stores with members) live in tests/billing_fixtures.py;
# importing them here registers them (hence unused), after the fixtures they build on (hence not at the top).
from tests.billing_fixtures import localstripe_url, make_store, store_member, stripe_standin  # noqa: E402, F401


@pytest.fixture(scope="session")
def publishers() -> Iterator[EventPublishers]:
    """This run's platform and relay broker users, as production's publish events (removed afterwards)."""
    with event_publishers() as made:
        yield made
