"""Signup → first authenticated request to the store, on `make up`'s own stack (dev/up.py), over HTTP.

dev/up.py is started as tests/test_end_to_end.py starts it (scratch databases, free ports, a scratch
RabbitMQ vhost, a loopback SMTP server; per-address budgets raised, since every request comes from
127.0.0.1). Then, one signup after the other, the time of each stage of a new owner's way in:

  accepted   POST /api/v1/signup/ until its 202
  ready      until the store signup's `Location` names (GET /api/v1/tenants/<slug>/) says `ready` (the
             owner confirms their address from the mail meanwhile, as they would while provisioning runs)
  owner      until the store holds the owner's account (the member consumer's work on member.invited)
  signed in  SSO through the platform (start → authorize → sign-in page → callback), the owner role's
             two-factor enrolment, and the first authenticated request (GET /api/v1/auth/me/) answering 200
  total      from the POST to that first 200

p50/p95 of each over the signups. Everything the run made is removed at the end (the stores' schemas,
roles and vhosts, then the scratch databases, vhost and template role). Prints figures, asserts nothing
about them.

    .venv/bin/python bench/signup_to_first_request.py [--signups 20]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from collections.abc import Callable
from pathlib import Path

from stats import percentile  # bench/stats.py; bench scripts run from their folder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the cross-component test helpers: tests/e2e_support.py

from tenantry_kernel.testing.totp import Authenticator  # noqa: E402 - after the path change above
from tests.e2e_support import (  # noqa: E402 - the repository is put on the path just above
    Stack,
    remove_leftovers,
    role_in_store,
    running_stack,
    sign_in_through_the_platform,
    sign_up,
    tenant_state,
    verify_email,
)

STAGES = ("accepted", "ready", "owner", "signed in", "total")


def poll(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.05) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise SystemExit(f"{what} did not happen within {timeout:.0f} s")
        time.sleep(interval)


def one_signup(stack: Stack, slug: str, timeout: float) -> dict[str, float]:
    email = f"owner-{slug}@example.test"
    store = stack.store(slug)
    started = time.perf_counter()
    answer = sign_up(stack, slug, email)
    if answer.status_code != 202:
        raise SystemExit(f"signup failed: {answer.status_code} {answer.text}")
    accepted = time.perf_counter()
    portal_token = answer.json()["tokens"]["access"]
    verified = verify_email(stack, email)
    if verified.status_code != 200:
        raise SystemExit(f"verification failed: {verified.status_code} {verified.text}")
    watched = answer.headers["Location"]  # the store in the portal API, whose `state` says when it is ready
    poll(lambda: tenant_state(stack, watched, portal_token) == "ready", timeout, f"{slug} ready")
    ready = time.perf_counter()
    poll(lambda: role_in_store(stack, slug, email) == "owner", timeout, f"the owner of {slug}")
    owner = time.perf_counter()

    pending = sign_in_through_the_platform(stack, store, email).json()
    if pending.get("status") != "enrolment_required":
        raise SystemExit(f"unexpected sign-in answer: {pending}")
    enrolment = store.call("POST", "/api/v1/auth/sign-in/enrolment/", json={"challenge": pending["challenge"]})
    app = Authenticator(enrolment.json()["otpauth_uri"])
    enrolled = store.call(
        "POST",
        "/api/v1/auth/sign-in/enrolment/confirm/",
        json={"challenge": pending["challenge"], "code": app.code()},
    )
    if enrolled.status_code != 200:
        raise SystemExit(f"enrolment failed: {enrolled.status_code} {enrolled.text}")
    me = store.call("GET", "/api/v1/auth/me/", enrolled.json()["access"])
    if me.status_code != 200:
        raise SystemExit(f"first request failed: {me.status_code} {me.text}")
    done = time.perf_counter()
    return {
        "accepted": accepted - started,
        "ready": ready - started,
        "owner": owner - ready,
        "signed in": done - owner,
        "total": done - started,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--signups", type=int, default=20)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds one stage may take")
    args = parser.parse_args()

    slugs: list[str] = []
    started = time.perf_counter()
    with running_stack() as stack:
        print(f"dev/up.py running after {time.perf_counter() - started:.1f} s (both scratch databases migrated)")
        samples: list[dict[str, float]] = []
        try:
            for _ in range(args.signups):
                slug = f"bench-{secrets.token_hex(4)}"
                slugs.append(slug)
                sample = one_signup(stack, slug, args.timeout)
                samples.append(sample)
                print(
                    f"  {slug}: " + ", ".join(f"{stage} {sample[stage]:.2f} s" for stage in STAGES),
                    flush=True,
                )
        finally:
            for slug in slugs:
                remove_leftovers(stack, slug)
        print(f"\nover {len(samples)} signups (seconds; ready and total from the POST, the others per stage):")
        for stage in STAGES:
            values = [sample[stage] for sample in samples]
            print(
                f"  {stage:<10} p50 {percentile(values, 0.5):6.2f}   p95 {percentile(values, 0.95):6.2f}"
                f"   max {max(values):6.2f}"
            )


if __name__ == "__main__":
    main()
