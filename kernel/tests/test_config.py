"""The configuration readers: declared variables only, each with the catalog's default, errors without values."""

from __future__ import annotations

import json

import pytest

from tenantry_kernel.config import VARIABLES, ConfigurationError, Env, env, getenv

CASTS = {str: str, int: int, float: float, bool: bool, list: list, dict: json.loads}


def test_a_declared_variable_reads_as_set_or_else_as_its_declared_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CELERY_TASK_TIME_LIMIT", raising=False)
    monkeypatch.delenv("EVENTS_PLATFORM_PUBLISHERS", raising=False)
    monkeypatch.delenv("OPERATOR_PEERING", raising=False)

    assert env.int("CELERY_TASK_TIME_LIMIT") == 300
    assert env.list("EVENTS_PLATFORM_PUBLISHERS") == ["tenantry-platform"]
    assert getenv("OPERATOR_PEERING") == "true"

    monkeypatch.setenv("CELERY_TASK_TIME_LIMIT", "42")
    monkeypatch.setenv("EVENTS_PLATFORM_PUBLISHERS", "a,b")
    monkeypatch.setenv("OPERATOR_PEERING", "false")

    assert env.int("CELERY_TASK_TIME_LIMIT") == 42
    assert env.list("EVENTS_PLATFORM_PUBLISHERS") == ["a", "b"]
    assert getenv("OPERATOR_PEERING") == "false"


def test_a_variable_without_a_default_reads_as_empty_until_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_POOLER", raising=False)

    assert getenv("DATABASE_POOLER") == ""

    monkeypatch.setenv("DATABASE_POOLER", "pgbouncer")

    assert getenv("DATABASE_POOLER") == "pgbouncer"


def test_a_variable_the_catalog_does_not_declare_is_refused() -> None:
    with pytest.raises(ConfigurationError, match=r"TENANTRY_NOT_DECLARED is read but not declared: add it to"):
        env.str("TENANTRY_NOT_DECLARED")
    with pytest.raises(ConfigurationError, match=r"TENANTRY_NOT_DECLARED is read but not declared"):
        getenv("TENANTRY_NOT_DECLARED")


def test_a_reader_may_not_pass_a_default_the_catalog_declares() -> None:
    with pytest.raises(ConfigurationError, match=r"CELERY_TASK_TIME_LIMIT's default is declared in .*catalog\.py"):
        env.int("CELERY_TASK_TIME_LIMIT", default=300)
    with pytest.raises(ConfigurationError, match=r"LOG_LEVEL's default is declared"):
        getenv("LOG_LEVEL", "INFO")


def test_a_default_that_depends_on_the_reader_must_be_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    monkeypatch.delenv("PGDATABASE", raising=False)

    with pytest.raises(ConfigurationError, match=r"DJANGO_DEBUG's default depends on its reader \(`false`; "):
        env.bool("DJANGO_DEBUG")
    with pytest.raises(ConfigurationError, match=r"PGDATABASE's default depends on its reader"):
        getenv("PGDATABASE")
    assert env.bool("DJANGO_DEBUG", default=True) is True
    assert getenv("PGDATABASE", "tenantry_shard_local") == "tenantry_shard_local"


def test_refusals_name_the_variable_never_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_HOST_PASSWORD", "hunter2-not-for-logs")

    with pytest.raises(ConfigurationError) as refused:
        env.str("EMAIL_HOST_PASSWORD", default="")

    assert "EMAIL_HOST_PASSWORD" in str(refused.value)
    assert "hunter2" not in str(refused.value)


def test_a_value_naming_another_variable_resolves_as_django_environ_always_did(monkeypatch: pytest.MonkeyPatch) -> None:
    # `$NAME` stands for another variable's value; with that one unset, the first one's default applies, typed.
    monkeypatch.setenv("EMAIL_PORT", "$TENANTRY_TEST_SMTP_PORT")
    monkeypatch.setenv("TENANTRY_TEST_SMTP_PORT", "2525")

    assert env.int("EMAIL_PORT") == 2525

    monkeypatch.delenv("TENANTRY_TEST_SMTP_PORT")

    assert env.int("EMAIL_PORT") == 25


def test_every_declared_default_reads_back_as_itself() -> None:
    # What .env.example and the docs show (the default's text) is what a reader gets with nothing set.
    for name, variable in VARIABLES.items():
        if variable.has_fixed_default:
            assert Env.parse_value(variable.default_text, CASTS[variable.type]) == variable.default, name
