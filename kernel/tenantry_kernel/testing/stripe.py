"""localstripe on loopback for tests and local mode: a real HTTP Stripe stand-in in its own process.

`python -m tenantry_kernel.testing.stripe PORT` serves it on 127.0.0.1:PORT; `running_localstripe()` starts and
stops that process. localstripe pickles its whole store to the fixed path /tmp/localstripe.pickle
on every write; other suites on this machine may run their own, so this one keeps its state in
memory only (every test starts from `DELETE /_config/data` anyway).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from tenantry_kernel.testing import free_port, stop_process, wait_for_http


@contextmanager
def running_localstripe() -> Iterator[str]:
    """A fresh localstripe process on a free loopback port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", __name__, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/v1/customers", timeout=30, process=process)
        yield url
    finally:
        stop_process(process)


def reset(url: str) -> None:
    requests.delete(f"{url}/_config/data", timeout=5).raise_for_status()


def register_webhook(url: str, endpoint_id: str, target: str, secret: str) -> None:
    """localstripe's own webhook registration (it has no /v1/webhook_endpoints)."""
    response = requests.post(f"{url}/_config/webhooks/{endpoint_id}", data={"url": target, "secret": secret}, timeout=5)
    response.raise_for_status()


def signed_event(event_type: str, obj: dict[str, Any], secret: str, *, event_id: str) -> tuple[bytes, str]:
    """A Stripe event body and its `Stripe-Signature` header, signed the way Stripe signs (HMAC-SHA256).

    For event types localstripe never sends (e.g. `customer.subscription.updated`): the object
    itself is real, read back from localstripe; only the envelope is made here.
    """
    created = int(time.time())
    body = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created": created,
            "livemode": False,
            "api_version": "2017-08-15",
            "data": {"object": obj},
        }
    ).encode()
    signature = hmac.new(secret.encode(), f"{created}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={created},v1={signature}"


def seed_djstripe_account(api_key: str) -> None:
    """The Account row dj-stripe would fetch from `/v1/account`, which localstripe does not serve."""
    from djstripe.models import Account, APIKey

    # dj-stripe's models are typed only where it is an installed app (the control plane); the tenant app's
    # check, which reads this module through its payment tests, sees the manager as ambiguous.
    account, _ = Account.objects.update_or_create(  # type: ignore[misc, unused-ignore]
        id="acct_localstripe", defaults={"livemode": False, "stripe_data": {"id": "acct_localstripe"}}
    )
    key, _ = APIKey.objects.get_or_create_by_api_key(api_key)
    key.djstripe_owner_account = account
    key.save()


def _serve(port: int) -> None:
    from aiohttp import web
    from localstripe import resources, server

    # Memory only: no shared pickle file (see the module docstring).
    resources.Store.dump_to_disk = lambda self: None
    web.run_app(server.app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
