"""The operator's configuration: what the environment gives when nothing is set is the dataclass's defaults."""

from __future__ import annotations

import pytest

from tenant_operator.config import OperatorConfig
from tenantry_kernel.config import VARIABLES


def test_with_nothing_set_the_environment_gives_the_declared_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given none of the operator's variables set (the suite's conftest sets two intervals),
    for name, variable in VARIABLES.items():
        if "operator" in variable.components:
            monkeypatch.delenv(name, raising=False)

    # when the configuration is read, then it is the one tests and callers build with OperatorConfig():
    # the catalog's defaults and the dataclass's agree.
    assert OperatorConfig.from_env() == OperatorConfig()


def test_values_set_in_the_environment_are_parsed_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPERATOR_PEERING", "yes")
    monkeypatch.setenv("OPERATOR_NAMESPACE", "")
    monkeypatch.setenv("OPERATOR_DRIFT_INTERVAL", "7.5")
    monkeypatch.setenv("OPERATOR_PLATFORM_DATABASES", " platform, ,billing ")

    config = OperatorConfig.from_env()

    # Only `true` turns peering on; an empty namespace is the whole cluster; blanks between commas are dropped.
    assert config.peering is False
    assert config.namespace_scope is None
    assert config.drift_interval == 7.5
    assert config.platform_databases == ("platform", "billing")
