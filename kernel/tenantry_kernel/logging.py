"""JSON log lines carrying service, request id, tenant and trace id.

Every process (Django, Celery, the operator) calls `configure_logging` or uses
`logging_config` in Django's LOGGING so that all of them write the same shape of line, and
every line first passes `RedactSecretsFilter`: no token, password, signed link, credential
header or task argument reaches the logs, whichever logger wrote it.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import logging
import logging.config
import re
from collections.abc import Mapping
from typing import Any

from opentelemetry import trace

from tenantry_kernel.config import getenv
from tenantry_kernel.context import current_request_id, current_tenant

JSON_FORMATTER = "pythonjsonlogger.json.JsonFormatter"


class ContextFilter(logging.Filter):
    """Stamp each record with the service and the ids of the work in progress."""

    def __init__(self, service: str = "tenantry") -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        if not hasattr(record, "tenant"):
            record.tenant = current_tenant()
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            record.trace_id = format(span_context.trace_id, "032x")
            record.span_id = format(span_context.span_id, "016x")
        else:
            record.trace_id = None
            record.span_id = None
        return True


REDACTED = "[redacted]"

# Parameter and field names whose value is a secret: `name=value`, `?name=value`, `"name": value`.
_SECRET_NAME = (
    r"[\w.-]*?(?:token|secret|passw(?:or)?d|signature|credential|api[-_]?key|session[-_]?id|ticket|verifier)[\w.-]*"  # noqa: S105
)
# Short names that are secrets only as parameters of a link (`?uid=…&token=…`, OAuth's `?code=`).
_LINK_PARAMETER = r"uidb64|uid|code|key|sig|otp"
# Path segments that hold a one-time token: Django's `/reset/<uidb64>/<token>/`, our `/invitations/<token>`.
_TOKEN_PATH = (
    r"reset|password[-_]?reset|reset[-_]?password|verify[-_]?email|verify|confirm|activate"  # noqa: S105
    r"|invitations?|invites?|accept[-_]?invitation|magic[-_]?link"
)

# One pass over the text: each alternative names the part it keeps (`keep_*`) before what it redacts.
_SECRETS_IN_TEXT = re.compile(
    "|".join(
        (
            # Header values (`Authorization: Bearer …`, `'HTTP_COOKIE': '…'`): up to the closing quote or line end.
            r"(?P<keep_header>(?<![a-z])(?:proxy-)?(?:authorization|(?:set-)?cookie)[\"']?\s*[:=]\s*[\"']?)[^\"'\r\n]+",
            r"(?P<keep_bearer>\bbearer\s+)[\w.~+/-]{8,}=*",
            r"(?P<jwt>\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*)",
            # A password in a URL's user information (`amqp://user:password@host`).
            r"(?P<keep_userinfo>\b[a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+(?=@)",
            rf"(?P<keep_assignment>(?:^|(?<=[\s?&;,(\[{{\"']))(?:{_SECRET_NAME})\s*=\s*)"
            r"(?:\"[^\"]*\"|'[^']*'|[^\s&#\"'<>,;)\]}]+)",
            rf"(?P<keep_parameter>(?<=[?&;])(?:{_LINK_PARAMETER})=)[^\s&#\"'<>]+",
            rf"(?P<keep_field>(?P<quote>[\"'])(?:{_SECRET_NAME})(?P=quote)\s*:\s*)"
            r"(?:\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[^\s,}\]{\[][^\s,}\]]*)",
            rf"(?P<keep_path>/(?:{_TOKEN_PATH})/)(?:[\w-]{{1,64}}/)?(?:[0-9a-z]{{1,13}}-[0-9a-f]{{20,}}|[\w-]{{20,}})",
        )
    ),
    re.IGNORECASE,
)

# Keys of a logged mapping (or names of extras) whose whole value is withheld: secrets by name, and
# what a task was called with or returned (Celery logs them with each received/succeeded/failed line).
_SECRET_KEY = re.compile(
    r"(?:^|[_-])(?:token|csrf[-_]?token|secret|passw(?:or)?d|signature|credentials?|api[-_]?key|authorization|cookie"
    r"|session[-_]?id|ticket)$",
    re.IGNORECASE,
)
_TASK_ARGUMENTS = frozenset({"args", "kwargs", "argsrepr", "kwargsrepr", "return_value"})
# Celery's lines that print a whole task message or call (body, headers, arguments), by how their template
# starts, and the positions of those arguments: the line is kept, what it would print of the task is not.
_CELERY_MESSAGE_DUMPS = (
    ("TaskPool: Apply ", (1, 2)),
    ("Received unregistered task of type", (1, 2)),
    ("Received invalid task message", (1,)),
    ("Can't decode message body", (3, 4)),
    ("Received and deleted unknown message", (0,)),
)
_MAX_DEPTH = 4  # extras are shallow; deeper structures are left as they are rather than walked at length
_SHORTEST_SECRET = 6  # the shortest text any alternative matches (`sig=x`, with its separator)

# Attributes every record has; anything else on a record is an extra that the JSON formatter writes out.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "taskName",
    "service",
    "request_id",
    "tenant",
    "trace_id",
    "span_id",
}
_TRACEBACKS = logging.Formatter()


def _kept_and_redacted(match: re.Match[str]) -> str:
    group = match.lastgroup  # the alternative's own group closes last
    if group is None or not group.startswith("keep_"):
        return REDACTED
    return match.group(group) + REDACTED


# Every alternative above needs one of these (lower case): most lines have none, and finding that out with
# substring tests costs a tenth of running the expression over them.
_TRIGGERS = (
    "token", "secret", "passw", "signature", "credential", "key", "session", "ticket", "verifier",
    "authorization", "cookie", "bearer", "eyj", "://", "uid", "code=", "sig=", "otp=",
    "reset", "verify", "confirm", "activate", "invit", "magic",
)  # fmt: skip


def redact_text(text: str) -> str:
    """`text` with tokens, passwords, signed-link parameters, credential headers and JWTs replaced by [redacted]."""
    if len(text) < _SHORTEST_SECRET:
        return text
    lowered = text.lower()
    for trigger in _TRIGGERS:
        if trigger in lowered:
            return _SECRETS_IN_TEXT.sub(_kept_and_redacted, text)
    return text


@functools.lru_cache(maxsize=1024)  # the names of keys and extras are few, and recur on every line
def _withheld_name(key: str) -> bool:
    return key in _TASK_ARGUMENTS or _SECRET_KEY.search(key) is not None


def _withheld(key: Any) -> bool:
    return isinstance(key, str) and _withheld_name(key)


def _scrubbed(value: Any, depth: int = 0) -> Any:
    """`value` with secrets redacted; the very same object when there was nothing to redact (no copy)."""
    if isinstance(value, str):
        cleaned = redact_text(value)
        return value if cleaned == value else cleaned
    if value is None or isinstance(value, int | float) or depth >= _MAX_DEPTH:
        return value
    if isinstance(value, Mapping):
        items = {key: REDACTED if _withheld(key) else _scrubbed(item, depth + 1) for key, item in value.items()}
        return value if all(items[key] is item for key, item in value.items()) else items
    if isinstance(value, list | tuple):
        elements = [_scrubbed(item, depth + 1) for item in value]
        if all(new is old for new, old in zip(elements, value, strict=True)):
            return value
        return elements if isinstance(value, list) else tuple(elements)
    return value


def _without_task_message(template: Any, args: tuple[Any, ...]) -> tuple[Any, ...]:
    if isinstance(template, str):
        for start, positions in _CELERY_MESSAGE_DUMPS:
            if template.startswith(start):
                return tuple(REDACTED if index in positions else arg for index, arg in enumerate(args))
    return args


class RedactSecretsFilter(logging.Filter):
    """Take secrets out of every record before it is written, whichever logger wrote it.

    Installed on the handler (not a logger), so it sees records propagated from every logger:
    Celery's, Django's, uvicorn's, the access log. It redacts the message (after formatting), the
    extras, and the traceback text; Celery's task context (`data` with `args`, `kwargs`,
    `return_value`) loses the arguments and the result, and its lines that dump a whole task message
    lose the dump. A record with nothing to redact is left as it was, so its template still groups lines.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            original = record.getMessage()
        except (TypeError, ValueError):
            return True  # arguments that do not fit the message: the handler reports it
        # Arguments in a tuple show in the message, redacted below; a mapping (Celery's task context) may
        # hold more than the message shows, and is kept on the record for handlers that read it.
        args = record.args
        if isinstance(args, Mapping):
            args = _scrubbed(args)
        elif isinstance(args, tuple) and record.name.startswith("celery"):
            args = _without_task_message(record.msg, args)
        message = original
        if args is not record.args:
            record.args = args
            message = record.getMessage()
        cleaned = redact_text(message)
        if cleaned != original:
            record.msg, record.args = cleaned, ()
        extras = vars(record)
        for name in extras.keys() - _RECORD_ATTRIBUTES:
            value = extras[name]
            scrubbed = REDACTED if _withheld_name(name) else _scrubbed(value)
            if scrubbed is not value:
                setattr(record, name, scrubbed)
        if isinstance(record.exc_info, tuple):
            traceback_text = _TRACEBACKS.formatException(record.exc_info)
            if (cleaned_traceback := redact_text(traceback_text)) != traceback_text:
                # The formatter would print the exception afresh from exc_info: give it the redacted text only.
                record.exc_info, record.exc_text = None, cleaned_traceback
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True


def json_default(value: Any) -> Any:
    """How values that JSON has no type for appear in log lines.

    Never fails and never deep-copies: python-json-logger's own default turns dataclasses
    into dicts with a deep copy, which breaks on objects holding queues or locks (kopf
    passes its settings as an extra on every per-object log line).
    """
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    if isinstance(value, BaseException):
        return redact_text(f"{type(value).__name__}: {value}")
    if dataclasses.is_dataclass(value):
        return f"<{type(value).__name__}>"
    # Objects are written as their text, which the filter could not see (Django's request logger passes
    # the request, whose text is its path and query string).
    return redact_text(str(value))


def logging_config(service: str, level: str | None = None) -> dict[str, Any]:
    """A `logging.config.dictConfig` dictionary: one JSON line per record on stdout."""
    level = (level or getenv("LOG_LEVEL")).upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "redact": {"()": "tenantry_kernel.logging.RedactSecretsFilter"},
            "context": {"()": "tenantry_kernel.logging.ContextFilter", "service": service},
        },
        "formatters": {
            "json": {
                "()": JSON_FORMATTER,
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "json_default": "ext://tenantry_kernel.logging.json_default",
                "timestamp": True,
            },
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
                # On the handler, so it applies to the records of every logger that propagates to root.
                "filters": ["redact", "context"],
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Django's own request logger repeats what our access log says, as a second
            # line per 4xx/5xx; keep only its errors with tracebacks.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
            # uvicorn installs its own plain-text handlers; route them through ours.
            "uvicorn": {"level": level},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"level": "WARNING"},
            "kopf.objects": {"level": level},
            "urllib3": {"level": "WARNING"},
            "amqp": {"level": "WARNING"},
            "kombu": {"level": "WARNING"},
        },
    }


def configure_logging(service: str, level: str | None = None) -> None:
    """Configure the root logger for a process that is not run by Django settings."""
    logging.config.dictConfig(logging_config(service, level))
