"""A Kubernetes API emulator for tests and benchmarks: kmock's emulator with the gaps closed.

kmock 0.8 keeps objects in memory and serves list/watch/fetch/create/patch/delete, but it
does not stamp metadata (resourceVersion, uid, generation, creationTimestamp), applies every
PATCH as a merge (JSON patches included), does not fill the namespace from the URL, cannot
parse `/api/v1/namespaces[/name]`, takes the watch snapshot before subscribing to its event
bus (events in between are lost), and has no status subresource semantics nor namespace
cascade deletion. `KubeEmulator` closes those gaps for what the operator uses. Like kmock it
has no PUT, no strategic merge, no server-side apply, no selectors and no garbage
collection by owner references: the operator uses merge and JSON patches only.

Run it on its own thread and loop with `EmulatorThread`, so that sync tests (and a kopf
operator on another thread) can talk to it over HTTP.
"""

from __future__ import annotations

import asyncio
import copy
import datetime
import itertools
import threading
import uuid
from collections.abc import AsyncIterator, Iterable
from typing import Any

import aiohttp.web
import jsonpatch
import kmock
from kmock._internal import parsing, references, rendering

from tenant_operator.crds import all_crds

# ---------------------------------------------------------------------------------------
# kmock 0.8 parses /api/v1/namespaces/NAME as "namespace NAME, no resource"; fix the
# parser of the emulator library (not of any client) so that the namespaces resource works.
_original_parse_path = parsing.parse_path


def _parse_path(path: str) -> parsing.ParsedPath:
    parts = path.strip("/").split("/")
    if (
        parts[:3] == ["api", "v1", "namespaces"]
        and len(parts) <= 5
        and (len(parts) != 5 or parts[4] in ("status", "finalize"))
    ):
        return parsing.ParsedPath(
            group="",
            version="v1",
            plural="namespaces",
            name=parts[3] if len(parts) > 3 else None,
            subresource=parts[4] if len(parts) > 4 else None,
        )
    return _original_parse_path(path)


parsing.parse_path = _parse_path
# ---------------------------------------------------------------------------------------

VERBS = {"list", "watch", "get", "create", "patch", "delete"}

# (group/version, plural, kind, namespaced)
BUILTIN_RESOURCES: list[tuple[str, str, str, bool]] = [
    ("v1", "namespaces", "Namespace", False),
    ("v1", "secrets", "Secret", True),
    ("v1", "configmaps", "ConfigMap", True),
    ("v1", "serviceaccounts", "ServiceAccount", True),
    ("v1", "services", "Service", True),
    ("v1", "events", "Event", True),
    ("v1", "resourcequotas", "ResourceQuota", True),
    ("v1", "limitranges", "LimitRange", True),
    ("apps/v1", "deployments", "Deployment", True),
    ("batch/v1", "jobs", "Job", True),
    ("networking.k8s.io/v1", "ingresses", "Ingress", True),
    ("networking.k8s.io/v1", "networkpolicies", "NetworkPolicy", True),
    ("autoscaling/v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True),
    ("policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", True),
    ("events.k8s.io/v1", "events", "Event", True),
]


def _status(code: int, reason: str, message: str) -> aiohttp.web.Response:
    body = {
        "apiVersion": "v1",
        "kind": "Status",
        "status": "Failure",
        "code": code,
        "reason": reason,
        "message": message,
    }
    return aiohttp.web.json_response(body, status=code)


class KubeEmulator(kmock.KubernetesEmulator):
    """kmock's emulator that behaves enough like an API server for kopf and our operator."""

    def __attrs_post_init__(self) -> None:
        super().__attrs_post_init__()
        self._versions = itertools.count(1000)
        self._kinds: dict[references.resource, tuple[str, bool, bool]] = {}  # kind, namespaced, has status
        for group_version, plural, kind, namespaced in BUILTIN_RESOURCES:
            self.declare(
                group_version, plural, kind, namespaced, status=plural in ("deployments", "jobs", "namespaces")
            )
        for crd in all_crds():
            spec = crd["spec"]
            for version in spec["versions"]:
                self.declare(
                    f"{spec['group']}/{version['name']}",
                    spec["names"]["plural"],
                    spec["names"]["kind"],
                    spec["scope"] == "Namespaced",
                    status="status" in version.get("subresources", {}),
                    shortnames=spec["names"].get("shortNames", []),
                    categories=spec["names"].get("categories", []),
                )

    def declare(
        self,
        group_version: str,
        plural: str,
        kind: str,
        namespaced: bool,
        *,
        status: bool = False,
        shortnames: Iterable[str] = (),
        categories: Iterable[str] = (),
    ) -> None:
        key = self._key(group_version, plural, None, "")[0]
        self.resources[key] = kmock.ResourceInfo(
            kind=kind,
            namespaced=namespaced,
            verbs=VERBS,
            subresources={"status"} if status else set(),
            shortnames=set(shortnames),
            categories=set(categories),
        )
        self._kinds[key] = (kind, namespaced, status)

    # -- state changes ---------------------------------------------------------------------

    async def _handle(self, request: rendering.Request) -> aiohttp.web.StreamResponse:
        # kmock keeps every request for assertions and its routing walks them; a long run
        # (the 500-tenant benchmark) would slow down quadratically. Keep the recent ones.
        if len(self._requests) > 2000:
            del self._requests[:-200]
        if request.resource is None or request.resource not in self._kinds:
            return await super()._handle(request)
        if request.action == kmock.action.CREATE:
            return await self._create(request)
        if request.action == kmock.action.UPDATE and request.name:
            return await self._update(request)
        if request.action == kmock.action.DELETE and request.name:
            return await self._delete(request)
        if request.action == kmock.action.FETCH and request.name:
            return self._fetch(request)
        if request.action == kmock.action.LIST:
            return aiohttp.web.json_response(await self._serve_list(request))
        return await super()._handle(request)

    def _stamp_version(self, obj: dict[str, Any]) -> None:
        obj.setdefault("metadata", {})["resourceVersion"] = str(next(self._versions))

    async def _emit(self, resource: references.resource, kind: str, obj: dict[str, Any]) -> None:
        await self._buses[resource].put({"type": kind, "object": copy.deepcopy(obj)})

    async def _create(self, request: rendering.Request) -> aiohttp.web.StreamResponse:
        resource = _resource_of(request)
        kind, namespaced, _ = self._kinds[resource]
        obj = copy.deepcopy(request.data or {})
        meta = obj.setdefault("metadata", {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
        name = meta.get("name")
        if not name:
            return _status(422, "Invalid", "metadata.name: Required value")
        namespace = (request.namespace or meta.get("namespace")) if namespaced else None
        if namespaced:
            if not namespace:
                return _status(422, "Invalid", "metadata.namespace: Required value")
            meta["namespace"] = namespace
        group_version = f"{resource.group}/{resource.version}" if resource.group else resource.version
        obj.setdefault("apiVersion", group_version)
        obj.setdefault("kind", kind)
        meta.update(
            uid=str(uuid.uuid4()),
            generation=1,
            creationTimestamp=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        key: Any = (resource, namespace, name)
        async with self._lock:
            if key in self._objects and not self._objects[key].deleted:
                return _status(409, "AlreadyExists", f'{resource.plural} "{name}" already exists')
            self._stamp_version(obj)
            if key in self._objects:
                self._objects[key].create(obj)
            else:
                self._objects[key] = obj
            await self._emit(resource, "ADDED", obj)
        return aiohttp.web.json_response(obj, status=201)

    async def _update(self, request: rendering.Request) -> aiohttp.web.StreamResponse:
        resource = _resource_of(request)
        _, namespaced, has_status = self._kinds[resource]
        key: Any = (resource, request.namespace if namespaced else None, request.name)
        content_type = request.headers.get("Content-Type", "")
        async with self._lock:
            if key not in self._objects or self._objects[key].deleted:
                return _status(404, "NotFound", f'{resource.plural} "{request.name}" not found')
            current = copy.deepcopy(self._objects[key].raw)
            try:
                if "json-patch" in content_type:
                    updated = jsonpatch.apply_patch(current, request.data or [], in_place=False)
                else:
                    updated = _merge(copy.deepcopy(current), request.data or {})
            except jsonpatch.JsonPatchTestFailed as exc:
                return _status(422, "Invalid", f"the JSON patch test failed: {exc}")
            except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
                return _status(422, "Invalid", f"the JSON patch cannot be applied: {exc}")
            if request.subresource == "status":
                # Only the status changes through the status subresource.
                updated = {**current, "status": updated.get("status", current.get("status"))}
            elif has_status:
                # ... and never through the main resource.
                updated["status"] = current.get("status")
                if updated["status"] is None:
                    updated.pop("status")
            for immutable in ("uid", "creationTimestamp", "namespace", "name", "generation", "deletionTimestamp"):
                if immutable in current["metadata"]:
                    updated["metadata"][immutable] = current["metadata"][immutable]
            if _spec_of(updated) != _spec_of(current):
                updated["metadata"]["generation"] = current["metadata"].get("generation", 1) + 1
            if updated == current:
                return aiohttp.web.json_response(current)
            self._stamp_version(updated)
            self._objects[key].create(updated)
            released = updated["metadata"].get("deletionTimestamp") and not updated["metadata"].get("finalizers")
            if released:
                self._objects[key].delete()
                await self._emit(resource, "DELETED", updated)
            else:
                await self._emit(resource, "MODIFIED", updated)
        return aiohttp.web.json_response(updated)

    async def _delete(self, request: rendering.Request) -> aiohttp.web.StreamResponse:
        resource = _resource_of(request)
        _, namespaced, _ = self._kinds[resource]
        key: Any = (resource, request.namespace if namespaced else None, request.name)
        async with self._lock:
            if key not in self._objects or self._objects[key].deleted:
                return _status(404, "NotFound", f'{resource.plural} "{request.name}" not found')
            obj = copy.deepcopy(self._objects[key].raw)
            if obj["metadata"].get("finalizers"):
                if not obj["metadata"].get("deletionTimestamp"):
                    obj["metadata"]["deletionTimestamp"] = datetime.datetime.now(datetime.UTC).strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    )
                    self._stamp_version(obj)
                    self._objects[key].create(obj)
                    await self._emit(resource, "MODIFIED", obj)
                return aiohttp.web.json_response(obj, status=202)
            self._objects[key].delete()
            await self._emit(resource, "DELETED", obj)
            if resource.plural == "namespaces" and resource.group == "":
                await self._delete_namespace_contents(str(request.name))
        return aiohttp.web.json_response(obj)

    async def _delete_namespace_contents(self, namespace: str) -> None:
        # What the namespace controller does: everything in it goes too.
        for (resource, obj_namespace, _), obj in list(self._objects.items()):
            if obj_namespace == namespace and not obj.deleted:
                raw = copy.deepcopy(obj.raw)
                obj.delete()
                await self._emit(resource, "DELETED", raw)

    # -- reads -------------------------------------------------------------------------------

    def _fetch(self, request: rendering.Request) -> aiohttp.web.StreamResponse:
        resource = _resource_of(request)
        _, namespaced, _ = self._kinds[resource]
        key: Any = (resource, request.namespace if namespaced else None, request.name)
        if key not in self._objects or self._objects[key].deleted:
            return _status(404, "NotFound", f'{resource.plural} "{request.name}" not found')
        return aiohttp.web.json_response(self._objects[key].raw)

    async def _serve_list(self, request: rendering.Request) -> rendering.Payload:
        resource = _resource_of(request)
        async with self._lock:
            items = [
                obj.raw
                for (obj_resource, namespace, _), obj in self._objects.items()
                if obj_resource == resource
                and not obj.deleted
                and (request.namespace is None or namespace == request.namespace)
            ]
        return {"kind": "List", "metadata": {"resourceVersion": str(next(self._versions))}, "items": items}

    async def _serve_watch(self, request: rendering.Request) -> AsyncIterator[rendering.Payload]:
        yield b""
        bus = self._buses[_resource_of(request)]
        # Subscribe first, then take the snapshot: nothing that happens in between is lost.
        mark = await bus.mark()
        try:
            async with self._lock:
                snapshot = [
                    {"type": "ADDED", "object": copy.deepcopy(obj.raw)}
                    for (resource, namespace, name), obj in self._objects.items()
                    if resource == request.resource
                    and not obj.deleted
                    and (request.namespace is None or namespace == request.namespace)
                    and (request.name is None or name == request.name)
                ]
            for event in snapshot:
                yield event
            async for event in bus.stream(since=mark):
                obj_meta = event.get("object", {}).get("metadata", {})
                if (request.namespace is None or obj_meta.get("namespace") == request.namespace) and (
                    request.name is None or obj_meta.get("name") == request.name
                ):
                    yield event
        finally:
            await bus.unmark(mark)

    # -- helpers for tests -------------------------------------------------------------------

    def get(  # type: ignore[override]  # kmock's get() is an HTTP client call we do not use
        self, group_version: str, plural: str, name: str, namespace: str | None = None
    ) -> dict[str, Any] | None:
        key = self._key(group_version, plural, namespace, name)
        if key in self._objects and not self._objects[key].deleted:
            return copy.deepcopy(self._objects[key].raw)
        return None

    def list(self, group_version: str, plural: str, namespace: str | None = None) -> list[dict[str, Any]]:
        resource = self._key(group_version, plural, None, "")[0]
        return [
            copy.deepcopy(obj.raw)
            for (res, obj_namespace, _), obj in list(self._objects.items())
            if res == resource and not obj.deleted and (namespace is None or obj_namespace == namespace)
        ]

    def _key(self, group_version: str, plural: str, namespace: str | None, name: str) -> tuple[Any, str | None, str]:
        if "/" in group_version:
            group, version = group_version.split("/")
        else:
            group, version = "", group_version
        return (kmock.resource(group, version, plural), namespace, name)


def _resource_of(request: rendering.Request) -> references.resource:
    if request.resource is None:
        raise ValueError(f"not a Kubernetes resource request: {request.url}")
    return request.resource


def _spec_of(obj: dict[str, Any]) -> Any:
    return {key: value for key, value in obj.items() if key not in ("metadata", "status")}


def _merge(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    if not isinstance(target, dict):
        target = {}
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        else:
            target[key] = _merge(target.get(key), value)
    return target


class EmulatorThread:
    """Serve a `KubeEmulator` on loopback from a thread with its own event loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.emulator: KubeEmulator | None = None
        self.url = ""
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="kube-emulator", daemon=True)

    def __enter__(self) -> EmulatorThread:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the Kubernetes emulator did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)

    @property
    def kube(self) -> KubeEmulator:
        assert self.emulator is not None
        return self.emulator

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        async with KubeEmulator() as emulator, kmock.Server(emulator) as server:
            self.emulator = emulator
            self.url = str(server.url).rstrip("/")
            self._ready.set()
            await self._stop.wait()

    def call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)
