"""Idempotent broker provisioning of a tenant: its RabbitMQ vhost, user, permissions and limits.

Talks to the RabbitMQ management HTTP API. Every step is a PUT of the desired state, so
running `ensure_tenant_broker` again repairs drift and applies a new password or plan.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import requests

from tenantry_kernel.provisioning.naming import broker_user, routing_key_pattern, validate_slug, vhost_name
from tenantry_kernel.provisioning.plans import Plan

logger = logging.getLogger("tenantry.provisioning.broker")

PLATFORM_VHOST = "tenantry"
EVENTS_EXCHANGE = "tenantry.events"

# What a tenant user may do on the platform vhost: publish to the events exchange and nothing
# else (no queues, no reads); the topic permission below narrows the routing keys.
PLATFORM_CONFIGURE = "^$"
PLATFORM_WRITE = "^tenantry\\.events$"
PLATFORM_READ = "^$"
TOPIC_READ = "^$"
FULL = ".*"


class BrokerError(RuntimeError):
    """A management API call failed; the message says which call, why, and what to check."""

    def __init__(self, method: str, url: str, status: int | None, reason: str, hint: str = "") -> None:
        self.method = method
        self.url = url
        self.path = urlsplit(url).path
        self.status = status
        self.reason = reason
        answer = f"answered {status}" if status is not None else "could not be reached"
        message = f"RabbitMQ management API {method} {url} {answer}: {reason}"
        if hint:
            message += f"; {hint}"
        super().__init__(message)


_HINTS = {
    401: "check the management user name and password (TENANTRY_BROKER_ADMIN_URL)",
    403: "the management user needs the 'administrator' tag",
}


def _segment(name: str) -> str:
    """One URL path segment: vhost '/' must travel as '%2F'."""
    return quote(name, safe="")


_SERVER_ERROR_RETRIES = (0.2, 0.5, 1.0)


class BrokerAdmin:
    """Thin client of the RabbitMQ management HTTP API (one session, a timeout on every call)."""

    def __init__(self, api_url: str, username: str, password: str, timeout: float = 10.0) -> None:
        base = api_url.rstrip("/")
        if base.endswith("/api"):
            base = base[: -len("/api")]
        self.base_url = base
        self.username = username
        self.timeout = timeout
        self.session = requests.Session()
        self.session.auth = (username, password)

    @classmethod
    def from_url(cls, url: str, timeout: float = 10.0) -> BrokerAdmin:
        """`http://user:password@host:15672` (credentials percent-encoded if they hold ':' or '@')."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the broker admin URL must look like http://user:password@host:15672")
        if parts.username is None or parts.password is None:
            raise ValueError("the broker admin URL must carry the management user and password (http://user:pw@host)")
        netloc = parts.netloc.rpartition("@")[2]
        api_url = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        return cls(api_url, unquote(parts.username), unquote(parts.password), timeout=timeout)

    def __repr__(self) -> str:
        return f"BrokerAdmin({self.base_url!r}, user={self.username!r})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> BrokerAdmin:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: Any = None, missing_ok: bool = False) -> requests.Response | None:
        """Call `/api/<path>`; None for a 404 when `missing_ok`, BrokerError for any other failure."""
        url = f"{self.base_url}/api/{path}"
        try:
            response = self.session.request(method, url, json=body, timeout=self.timeout)
            # Every call we make is idempotent (GET, PUT, DELETE); RabbitMQ answers 500 for
            # a moment when a vhost is being created and deleted at once: try again, briefly.
            for delay in _SERVER_ERROR_RETRIES:
                if response.status_code < 500:
                    break
                time.sleep(delay)
                response = self.session.request(method, url, json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise BrokerError(
                method,
                url,
                None,
                f"{type(exc).__name__}: {exc}",
                "check that RabbitMQ runs with the management plugin and that the URL is right",
            ) from None
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise BrokerError(
                method, url, response.status_code, _reason(response), _HINTS.get(response.status_code, "")
            )
        return response

    def _get(self, path: str) -> Any:
        response = self._request("GET", path, missing_ok=True)
        return None if response is None else response.json()

    def _put(self, path: str, body: Mapping[str, Any]) -> bool:
        """PUT the desired state; True when the API created it (201), False when it updated it (204)."""
        response = self._request("PUT", path, body)
        assert response is not None
        return response.status_code == 201

    def _delete(self, path: str) -> bool:
        """True when deleted now, False when it was already gone."""
        return self._request("DELETE", path, missing_ok=True) is not None

    # -- resources ---------------------------------------------------------------------------

    def overview(self) -> dict[str, Any]:
        response = self._request("GET", "overview")
        assert response is not None
        body: dict[str, Any] = response.json()
        return body

    def put_vhost(self, name: str, description: str = "", tags: Iterable[str] = ()) -> bool:
        return self._put(f"vhosts/{_segment(name)}", {"description": description, "tags": ",".join(tags)})

    def get_vhost(self, name: str) -> dict[str, Any] | None:
        body: dict[str, Any] | None = self._get(f"vhosts/{_segment(name)}")
        return body

    def delete_vhost(self, name: str) -> bool:
        return self._delete(f"vhosts/{_segment(name)}")

    def put_user(self, name: str, password: str, tags: Iterable[str] = ()) -> bool:
        return self._put(f"users/{_segment(name)}", {"password": password, "tags": ",".join(tags)})

    def get_user(self, name: str) -> dict[str, Any] | None:
        body: dict[str, Any] | None = self._get(f"users/{_segment(name)}")
        return body

    def delete_user(self, name: str) -> bool:
        return self._delete(f"users/{_segment(name)}")

    def put_permissions(self, vhost: str, user: str, configure: str, write: str, read: str) -> bool:
        return self._put(
            f"permissions/{_segment(vhost)}/{_segment(user)}", {"configure": configure, "write": write, "read": read}
        )

    def get_permissions(self, vhost: str, user: str) -> dict[str, Any] | None:
        body: dict[str, Any] | None = self._get(f"permissions/{_segment(vhost)}/{_segment(user)}")
        return body

    def put_topic_permissions(self, vhost: str, user: str, exchange: str, write: str, read: str) -> bool:
        return self._put(
            f"topic-permissions/{_segment(vhost)}/{_segment(user)}",
            {"exchange": exchange, "write": write, "read": read},
        )

    def get_topic_permissions(self, vhost: str, user: str) -> list[dict[str, Any]]:
        """One entry per exchange; empty when there are none (or the vhost or user is missing)."""
        body = self._get(f"topic-permissions/{_segment(vhost)}/{_segment(user)}")
        return list(body or [])

    def put_vhost_limits(self, vhost: str, limits: Mapping[str, int]) -> None:
        for name, value in limits.items():
            self._request("PUT", f"vhost-limits/{_segment(vhost)}/{_segment(name)}", {"value": value})

    def get_vhost_limits(self, vhost: str) -> dict[str, int] | None:
        """The limits set on the vhost ({} for none), None when the vhost does not exist."""
        body = self._get(f"vhost-limits/{_segment(vhost)}")
        if body is None:
            return None
        limits: dict[str, int] = {}
        for entry in body:
            limits.update(entry.get("value", {}))
        return dict(sorted(limits.items()))

    def put_exchange(self, vhost: str, name: str, type: str = "topic", durable: bool = True) -> bool:
        return self._put(
            f"exchanges/{_segment(vhost)}/{_segment(name)}",
            {"type": type, "durable": durable, "auto_delete": False, "internal": False, "arguments": {}},
        )

    def get_exchange(self, vhost: str, name: str) -> dict[str, Any] | None:
        body: dict[str, Any] | None = self._get(f"exchanges/{_segment(vhost)}/{_segment(name)}")
        return body


def _reason(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:200] or response.reason
    if isinstance(body, dict):
        return str(body.get("reason") or body.get("error") or body)
    return str(body)[:200]


@dataclass(frozen=True)
class TenantBroker:
    """How a tenant's processes reach their vhost."""

    slug: str
    vhost: str
    username: str
    password: str = field(repr=False)
    host: str
    port: int

    def amqp_url(self) -> str:
        credentials = f"{_segment(self.username)}:{_segment(self.password)}"
        return f"amqp://{credentials}@{self.host}:{self.port}/{_segment(self.vhost)}"


@dataclass(frozen=True)
class TenantBrokerState:
    """What the broker holds for a tenant right now, to compare with what it should hold."""

    vhost_exists: bool
    user_exists: bool
    permissions_ok: bool
    topic_permissions_ok: bool
    limits: dict[str, int]

    def drift(self, plan: Plan) -> list[str]:
        """What differs from the desired state of `plan`; empty when in sync."""
        problems = []
        if not self.vhost_exists:
            problems.append("vhost missing")
        if not self.user_exists:
            problems.append("user missing")
        if not self.permissions_ok:
            problems.append("permissions differ")
        if not self.topic_permissions_ok:
            problems.append("topic permissions differ")
        if self.vhost_exists and self.limits != plan_limits(plan):
            problems.append(f"limits {self.limits} differ from the plan's {plan_limits(plan)}")
        return problems


def plan_limits(plan: Plan) -> dict[str, int]:
    return {"max-connections": plan.broker_max_connections, "max-queues": plan.broker_max_queues}


def events_vhost(events_url: str) -> str:
    """The vhost an AMQP URL names: the platform's events vhost is the one EVENTS_BROKER_URL points at."""
    path = urlsplit(events_url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def ensure_platform_exchange(admin: BrokerAdmin, vhost: str = PLATFORM_VHOST) -> None:
    """The platform vhost and its durable topic exchange for events."""
    admin.put_vhost(vhost, description="Tenantry platform events", tags=("tenantry",))
    admin.put_exchange(vhost, EVENTS_EXCHANGE, type="topic", durable=True)


def publisher_routing_pattern(producer: str) -> str:
    """Topic permission of a platform publisher: any tenant, only the areas of `producer`'s event types."""
    from tenantry_kernel.events.registry import registry

    return f"^[a-z0-9-]+\\.({'|'.join(registry.areas_of(producer))})\\."


def ensure_event_publisher(
    admin: BrokerAdmin, user: str, password: str, producer: str, vhost: str = PLATFORM_VHOST
) -> None:
    """A broker user of the platform that publishes `producer`'s events for any tenant (docs/security.md).

    The control plane publishes as one of `control-plane`; a shard relay, which publishes every
    tenant outbox of its shard, as one of `tenant-app`. Consumers believe them by name
    (EVENTS_PLATFORM_PUBLISHERS, EVENTS_RELAY_PUBLISHERS); the broker limits each to its areas.
    """
    if not password:
        raise ValueError(f"an empty broker password was given for the event publisher {user!r}")
    ensure_platform_exchange(admin, vhost)
    admin.put_user(user, password, tags=())
    # Configure on the exchange only: a relay declares it (idempotently) before publishing.
    admin.put_permissions(vhost, user, configure=PLATFORM_WRITE, write=PLATFORM_WRITE, read=PLATFORM_READ)
    admin.put_topic_permissions(
        vhost, user, exchange=EVENTS_EXCHANGE, write=publisher_routing_pattern(producer), read=TOPIC_READ
    )


def ensure_tenant_broker(
    admin: BrokerAdmin,
    slug: str,
    plan: Plan,
    password: str,
    amqp_host: str = "127.0.0.1",
    amqp_port: int = 5672,
    events_vhost: str = PLATFORM_VHOST,
) -> TenantBroker:
    """Bring the tenant's vhost, user, permissions and limits to the desired state."""
    validate_slug(slug)
    if not password:
        raise ValueError(f"an empty broker password was given for tenant {slug!r}; generate one first")
    vhost, user = vhost_name(slug), broker_user(slug)

    ensure_platform_exchange(admin, events_vhost)
    vhost_created = admin.put_vhost(vhost, description=f"Tenantry tenant {slug}", tags=("tenantry", f"tenant:{slug}"))
    # No tags: a tenant user must not log in to the management API.
    user_created = admin.put_user(user, password, tags=())
    admin.put_permissions(vhost, user, configure=FULL, write=FULL, read=FULL)
    admin.put_permissions(events_vhost, user, configure=PLATFORM_CONFIGURE, write=PLATFORM_WRITE, read=PLATFORM_READ)
    admin.put_topic_permissions(
        events_vhost, user, exchange=EVENTS_EXCHANGE, write=routing_key_pattern(slug), read=TOPIC_READ
    )
    admin.put_vhost_limits(vhost, plan_limits(plan))
    logger.info(
        "tenant broker ensured",
        extra={
            "tenant": slug,
            "vhost": vhost,
            "broker_user": user,
            "vhost_created": vhost_created,
            "user_created": user_created,
            "plan": str(plan.name),
        },
    )
    return TenantBroker(slug=slug, vhost=vhost, username=user, password=password, host=amqp_host, port=amqp_port)


def delete_tenant_broker(admin: BrokerAdmin, slug: str) -> None:
    """Remove the tenant's vhost (with its queues) and user; what is already gone counts as deleted."""
    vhost_deleted = admin.delete_vhost(vhost_name(slug))
    # Deleting the user also drops its permissions on the platform vhost.
    user_deleted = admin.delete_user(broker_user(slug))
    logger.info(
        "tenant broker deleted",
        extra={"tenant": slug, "vhost_deleted": vhost_deleted, "user_deleted": user_deleted},
    )


def _permissions_match(actual: Mapping[str, Any] | None, configure: str, write: str, read: str) -> bool:
    if actual is None:
        return False
    return (actual.get("configure"), actual.get("write"), actual.get("read")) == (configure, write, read)


def inspect_tenant_broker(admin: BrokerAdmin, slug: str, events_vhost: str = PLATFORM_VHOST) -> TenantBrokerState:
    """Read back what the broker holds for the tenant, for drift detection and status."""
    vhost, user = vhost_name(slug), broker_user(slug)
    vhost_exists = admin.get_vhost(vhost) is not None
    user_exists = admin.get_user(user) is not None
    permissions_ok = (
        vhost_exists
        and user_exists
        and _permissions_match(admin.get_permissions(vhost, user), FULL, FULL, FULL)
        and _permissions_match(
            admin.get_permissions(events_vhost, user), PLATFORM_CONFIGURE, PLATFORM_WRITE, PLATFORM_READ
        )
    )
    topic = [
        entry for entry in admin.get_topic_permissions(events_vhost, user) if entry.get("exchange") == EVENTS_EXCHANGE
    ]
    topic_permissions_ok = (
        user_exists
        and len(topic) == 1
        and (topic[0].get("write"), topic[0].get("read")) == (routing_key_pattern(slug), TOPIC_READ)
    )
    limits = (admin.get_vhost_limits(vhost) or {}) if vhost_exists else {}
    return TenantBrokerState(
        vhost_exists=vhost_exists,
        user_exists=user_exists,
        permissions_ok=permissions_ok,
        topic_permissions_ok=topic_permissions_ok,
        limits=limits,
    )


def broker_info(admin: BrokerAdmin) -> dict[str, Any]:
    """Version and cluster name of the broker, for readiness and status."""
    overview = admin.overview()
    return {
        "rabbitmq_version": overview.get("rabbitmq_version"),
        "management_version": overview.get("management_version"),
        "erlang_version": overview.get("erlang_version"),
        "cluster_name": overview.get("cluster_name"),
    }
