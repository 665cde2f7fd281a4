"""Which host names a Tenant may claim in `spec.domains`: their format (also CEL rules in the CRD), never the
platform's base domain, and each held by one Tenant at a time, first come first served."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tenant_operator.kube import Kube

# Go's regexp (the API server) and Python's re read this the same way: no look-arounds.
# A fully qualified host name: at least two labels, the last one starting with a letter
# so that an IP address is not taken for a host name.
HOSTNAME_PATTERN = r"^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
# Top-level names that resolve inside a machine, a network or a cluster (RFC 6761, RFC 6762,
# ICANN's .internal, Kubernetes' cluster.local), never to a store on the internet.
LOCAL_SUFFIXES = ("localhost", "local", "internal", "arpa")


class DomainRefused(Exception):
    """A domain the Tenant may not have; `reason` is the Ready condition's reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def normalized(host: str) -> str:
    """How routing and the Ingress use a host name: lower case, without a trailing dot."""
    return host.strip().rstrip(".").lower()


def is_under(host: str, domain: str) -> bool:
    """True for `domain` itself and every name below it."""
    host, domain = normalized(host), normalized(domain)
    return host == domain or host.endswith("." + domain)


def format_errors(domains: Iterable[object]) -> list[str]:
    """What the CRD's schema and CEL rules refuse, for objects an older API server let through."""
    errors = []
    for domain in domains:
        if not isinstance(domain, str) or not re.fullmatch(HOSTNAME_PATTERN, domain) or len(domain) > 253:
            errors.append(
                f"spec.domains: {str(domain)[:253]!r} is not a host name in lower case (such as shop.example.com); "
                "correct or remove it"
            )
        elif any(is_under(domain, suffix) for suffix in LOCAL_SUFFIXES):
            errors.append(local_domain_message(domain))
    return errors


def local_domain_message(domain: str) -> str:
    return (
        f"spec.domains: {domain} is not a public host name (names under "
        f"{', '.join('.' + suffix for suffix in LOCAL_SUFFIXES)} never reach a store); remove it"
    )


def claim_domains(kube: Kube, lock: threading.Lock, tenant: dict[str, Any], base_domain: str) -> list[str]:
    """The Tenant's spec.domains, once it holds every one of them (in its status.domains).

    Refuses (DomainRefused, changing nothing) the platform's base domain, the names under it (the
    platform gives those out: `<slug>.<base domain>` is each store's own) and the names above it
    (the platform's own domain), and a domain another Tenant holds. The claim is recorded before
    anything routes the domain, so two Tenants never route one, even across a crash; `lock`
    serializes claims within the operator (only one operator is active: peering).
    """
    slug = tenant["metadata"]["name"]
    wanted = list(dict.fromkeys(normalized(str(domain)) for domain in (tenant.get("spec") or {}).get("domains") or []))
    held = list((tenant.get("status") or {}).get("domains") or [])
    platform = [domain for domain in wanted if is_under(domain, base_domain) or is_under(base_domain, domain)]
    if platform:
        base = normalized(base_domain)
        raise DomainRefused(
            "DomainUnderPlatform",
            f"spec.domains must not name the platform's domain {base}, a host name under it (only the platform "
            f"gives those out; this store's own is {slug}.{base}) or one above it; remove {', '.join(platform)}",
        )
    if wanted == held:
        return wanted
    with lock:
        taken: set[str] = set()
        for other in kube.list("Tenant"):
            if other["metadata"]["name"] != slug:
                taken.update((other.get("status") or {}).get("domains") or [])
        conflicts = [domain for domain in wanted if domain in taken]
        if conflicts:
            raise DomainRefused(
                "DomainConflict",
                f"spec.domains names host names another store holds: {', '.join(conflicts)}; remove them, "
                "or have that store release them first",
            )
        kube.patch("Tenant", slug, {"status": {"domains": wanted}}, subresource="status")
    return wanted
