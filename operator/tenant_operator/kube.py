"""A small Kubernetes REST adapter: the operator's only way to touch objects besides kopf.

Merge patches and JSON patches only (no server-side apply), so that the same code runs
against a real API server and the test emulator. Credentials come from the in-cluster
service account or a kubeconfig (`KUBECONFIG`, default `~/.kube/config`).
"""

from __future__ import annotations

import base64
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import yaml

from tenant_operator.api import DATABASE_SHARD_KIND, DATABASE_SHARD_PLURAL, GROUP_VERSION, TENANT_KIND, TENANT_PLURAL
from tenantry_kernel.config import getenv

SERVICE_ACCOUNT = Path("/var/run/secrets/kubernetes.io/serviceaccount")

# kind → (group/version, plural, namespaced)
KINDS: dict[str, tuple[str, str, bool]] = {
    "Namespace": ("v1", "namespaces", False),
    "Secret": ("v1", "secrets", True),
    "ConfigMap": ("v1", "configmaps", True),
    "ServiceAccount": ("v1", "serviceaccounts", True),
    "Service": ("v1", "services", True),
    "ResourceQuota": ("v1", "resourcequotas", True),
    "LimitRange": ("v1", "limitranges", True),
    "Deployment": ("apps/v1", "deployments", True),
    "Job": ("batch/v1", "jobs", True),
    "Ingress": ("networking.k8s.io/v1", "ingresses", True),
    "NetworkPolicy": ("networking.k8s.io/v1", "networkpolicies", True),
    "HorizontalPodAutoscaler": ("autoscaling/v2", "horizontalpodautoscalers", True),
    "PodDisruptionBudget": ("policy/v1", "poddisruptionbudgets", True),
    TENANT_KIND: (GROUP_VERSION, TENANT_PLURAL, False),
    DATABASE_SHARD_KIND: (GROUP_VERSION, DATABASE_SHARD_PLURAL, False),
    "Event": ("v1", "events", True),
}


class KubeError(Exception):
    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(f"{status} {reason}: {message}")
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class KubeConfig:
    server: str
    token: str | None = None
    ca_file: str | None = None
    client_cert: tuple[str, str] | None = None
    insecure: bool = False

    @classmethod
    def load(cls) -> KubeConfig:
        if (SERVICE_ACCOUNT / "token").exists() and getenv("KUBERNETES_SERVICE_HOST"):
            host, port = getenv("KUBERNETES_SERVICE_HOST"), getenv("KUBERNETES_SERVICE_PORT")
            return cls(
                server=f"https://{host}:{port}",
                token=(SERVICE_ACCOUNT / "token").read_text().strip(),
                ca_file=str(SERVICE_ACCOUNT / "ca.crt"),
            )
        path = Path(getenv("KUBECONFIG").split(os.pathsep)[0]).expanduser()
        return cls.from_kubeconfig(yaml.safe_load(path.read_text()))

    @classmethod
    def from_kubeconfig(cls, config: dict[str, Any]) -> KubeConfig:
        context_name = config.get("current-context")
        context = next(c["context"] for c in config["contexts"] if c["name"] == context_name)
        cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == context["cluster"])
        user: dict[str, Any] = next(
            (u["user"] for u in config.get("users", []) if u["name"] == context.get("user")), {}
        )
        ca_file = cluster.get("certificate-authority") or _materialize(cluster.get("certificate-authority-data"))
        cert = user.get("client-certificate") or _materialize(user.get("client-certificate-data"))
        key = user.get("client-key") or _materialize(user.get("client-key-data"))
        return cls(
            server=cluster["server"].rstrip("/"),
            token=user.get("token"),
            ca_file=ca_file,
            client_cert=(cert, key) if cert and key else None,
            insecure=bool(cluster.get("insecure-skip-tls-verify")),
        )


def _materialize(data: str | None) -> str | None:
    if not data:
        return None
    handle = tempfile.NamedTemporaryFile(prefix="kube-", delete=False)  # noqa: SIM115 (lives as long as the process)
    handle.write(base64.b64decode(data))
    handle.close()
    os.chmod(handle.name, 0o600)
    return handle.name


class Kube:
    """get / create / merge-patch / delete / list of the kinds the operator manages."""

    def __init__(self, config: KubeConfig, timeout: float = 30.0) -> None:
        self.config = config
        self.timeout = timeout
        self.session = requests.Session()
        if config.token:
            self.session.headers["Authorization"] = f"Bearer {config.token}"
        if config.client_cert:
            self.session.cert = config.client_cert
        self.session.verify = False if config.insecure else (config.ca_file or True)

    def path(self, kind: str, namespace: str | None = None, name: str | None = None, subresource: str = "") -> str:
        group_version, plural, namespaced = KINDS[kind]
        base = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
        parts = [base]
        if namespaced:
            if namespace is None:
                raise ValueError(f"{kind} is namespaced: give a namespace")
            parts.append(f"namespaces/{namespace}")
        parts.append(plural)
        if name:
            parts.append(name)
        if subresource:
            parts.append(subresource)
        return "/".join(parts)

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(method, self.config.server + path, timeout=self.timeout, **kwargs)
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {"reason": response.reason, "message": response.text[:300]}
            raise KubeError(response.status_code, body.get("reason", response.reason), body.get("message", ""))
        return response.json() if response.content else None

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        try:
            result: dict[str, Any] = self._request("GET", self.path(kind, namespace, name))
        except KubeError as exc:
            if exc.status == 404:
                return None
            raise
        return result

    def list(self, kind: str, namespace: str | None = None) -> list[dict[str, Any]]:
        group_version, plural, namespaced = KINDS[kind]
        base = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
        path = f"{base}/namespaces/{namespace}/{plural}" if namespaced and namespace else f"{base}/{plural}"
        items: list[dict[str, Any]] = self._request("GET", path).get("items", [])
        return items

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        meta = obj["metadata"]
        result: dict[str, Any] = self._request("POST", self.path(obj["kind"], meta.get("namespace")), json=obj)
        return result

    def patch(
        self, kind: str, name: str, patch: Any, namespace: str | None = None, subresource: str = ""
    ) -> dict[str, Any]:
        content_type = "application/json-patch+json" if isinstance(patch, list) else "application/merge-patch+json"
        result: dict[str, Any] = self._request(
            "PATCH",
            self.path(kind, namespace, name, subresource),
            json=patch,
            headers={"Content-Type": content_type},
        )
        return result

    def delete(self, kind: str, name: str, namespace: str | None = None) -> bool:
        """Delete; False when it was already gone."""
        try:
            self._request("DELETE", self.path(kind, namespace, name), json={"propagationPolicy": "Background"})
        except KubeError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def ensure(self, obj: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """Create the object, or merge-patch it towards `obj`.

        Returns the object and what happened: "created", "patched" or "unchanged".
        """
        meta = obj["metadata"]
        current = self.get(obj["kind"], meta["name"], meta.get("namespace"))
        if current is None:
            try:
                return self.create(obj), "created"
            except KubeError as exc:
                if exc.status != 409:
                    raise
                current = self.get(obj["kind"], meta["name"], meta.get("namespace")) or {}
        if _contains(current, obj):
            return current, "unchanged"
        desired = {key: value for key, value in obj.items() if key != "status"}
        return self.patch(obj["kind"], meta["name"], desired, meta.get("namespace")), "patched"


def _contains(current: Any, desired: Any) -> bool:
    """Whether `current` already holds everything `desired` says (extra server fields allowed)."""
    if isinstance(desired, dict):
        return isinstance(current, dict) and all(_contains(current.get(key), value) for key, value in desired.items())
    return bool(current == desired)
