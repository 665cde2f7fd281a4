"""kopf handlers. Importing this module registers them with kopf's default registry."""

from __future__ import annotations

from typing import Any

import kopf

from tenant_operator.config import apply_kopf_settings


@kopf.on.startup()
def configure(settings: kopf.OperatorSettings, **_: Any) -> None:
    apply_kopf_settings(settings)
