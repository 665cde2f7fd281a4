"""File storage that keeps each tenant's files under its own prefix and refuses another tenant's names."""

from __future__ import annotations

import posixpath
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage

from tenantry_kernel.context import current_tenant


def tenant_prefix() -> str:
    tenant = current_tenant()
    if not tenant:
        raise SuspiciousFileOperation("tenant files are only reachable inside a tenant's request or task")
    return f"tenants/{tenant}/"


class TenantPrefixMixin(Storage):
    """Stored names start with `tenants/<slug>/`; every access checks that prefix against the current tenant.

    A name read from one tenant's database can therefore never open, overwrite or
    delete another tenant's file, whichever backend (local disk, S3, GCS) sits below.
    """

    def _own(self, name: str) -> str:
        prefix = tenant_prefix()
        normalized = posixpath.normpath(name.replace("\\", "/"))
        if not normalized.startswith(prefix):
            raise SuspiciousFileOperation(f"{name!r} is not a file of this tenant")
        return normalized

    def save(self, name: str | None, content: Any, max_length: int | None = None) -> str:
        prefix = tenant_prefix()
        name = name or content.name
        if not str(name).startswith(prefix):
            name = prefix + str(name).lstrip("/")
        return super().save(self._own(str(name)), content, max_length)

    def open(self, name: str, mode: str = "rb") -> File[Any]:
        return super().open(self._own(name), mode)

    def delete(self, name: str) -> None:
        super().delete(self._own(name))

    def exists(self, name: str) -> bool:
        return super().exists(self._own(name))

    def size(self, name: str) -> int:
        return super().size(self._own(name))

    def url(self, name: str | None) -> str:
        return super().url(self._own(name or ""))


class TenantFileSystemStorage(TenantPrefixMixin, FileSystemStorage):
    pass
