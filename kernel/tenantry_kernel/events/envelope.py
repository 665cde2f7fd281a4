"""The CloudEvents 1.0 envelope (JSON, structured mode) every Tenantry event travels in.

The tenant is the `tenant` extension attribute; the W3C trace context rides in the
`traceparent` extension (CloudEvents' distributed-tracing extension), so a consumer's
work joins the trace of the request that caused the event.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from opentelemetry.propagate import inject

from tenantry_kernel.json_depth import nesting_exceeds

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json"

# Whatever a publisher sends is parsed within these bounds (a hostile body must not exhaust a consumer).
MAX_ENVELOPE_BYTES = 256 * 1024
MAX_ENVELOPE_DEPTH = 32
_TENANT = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_REQUIRED = ("specversion", "id", "source", "type", "tenant")


class EnvelopeError(ValueError):
    """A message that is not a Tenantry CloudEvent; it says which attribute is wrong."""


@dataclass(frozen=True)
class Event:
    """One event: what happened (`type`, `data`), to what (`subject`), for which tenant."""

    type: str
    tenant: str
    data: dict[str, Any]
    source: str
    subject: str = ""
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    dataschema: str = ""
    traceparent: str = ""

    @property
    def routing_key(self) -> str:
        """`<tenant>.<area>.<event>`: consumers bind by tenant, area or event with topic patterns."""
        return f"{self.tenant}.{self.type}"

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "datacontenttype": "application/json",
            "tenant": self.tenant,
            "data": self.data,
        }
        if self.subject:
            body["subject"] = self.subject
        if self.dataschema:
            body["dataschema"] = self.dataschema
        if self.traceparent:
            body["traceparent"] = self.traceparent
        return body

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def from_dict(cls, body: Any) -> Event:
        if not isinstance(body, dict):
            raise EnvelopeError("a CloudEvent must be a JSON object")
        missing = [name for name in _REQUIRED if not isinstance(body.get(name), str) or not body[name]]
        if missing:
            raise EnvelopeError(f"missing or empty attribute(s): {', '.join(missing)}")
        if body["specversion"] != SPEC_VERSION:
            raise EnvelopeError(f"specversion {body['specversion']!r} is not {SPEC_VERSION!r}")
        if not _TENANT.match(body["tenant"]):
            raise EnvelopeError(f"tenant {body['tenant']!r} is not a tenant slug")
        data = body.get("data", {})
        if not isinstance(data, dict):
            raise EnvelopeError("data must be a JSON object")
        try:
            time = datetime.fromisoformat(body["time"]) if body.get("time") else datetime.now(UTC)
        except (TypeError, ValueError) as error:
            raise EnvelopeError(f"time {body.get('time')!r} is not an RFC 3339 timestamp") from error
        if time.tzinfo is None:
            raise EnvelopeError(f"time {body['time']!r} has no UTC offset (RFC 3339 needs one, e.g. Z)")
        return cls(
            type=body["type"],
            tenant=body["tenant"],
            data=data,
            source=body["source"],
            subject=str(body.get("subject", "")),
            id=body["id"],
            time=time,
            dataschema=str(body.get("dataschema", "")),
            traceparent=str(body.get("traceparent", "")),
        )

    @classmethod
    def from_json(cls, payload: bytes | str) -> Event:
        raw = payload.encode() if isinstance(payload, str) else payload
        if len(raw) > MAX_ENVELOPE_BYTES:
            raise EnvelopeError(f"larger than {MAX_ENVELOPE_BYTES} bytes: an event carries references, not documents")
        if nesting_exceeds(raw, MAX_ENVELOPE_DEPTH):
            raise EnvelopeError(f"JSON nested more than {MAX_ENVELOPE_DEPTH} levels deep")
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise EnvelopeError(f"not JSON: {error}") from error
        return cls.from_dict(body)


def current_traceparent() -> str:
    """The W3C traceparent of the active span, or "" outside any trace."""
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get("traceparent", "")
