"""Reading the declared variables: `env` (django-environ) in settings, `getenv` everywhere else.

Both refuse a name the catalog does not declare, take the declared default when the reader gives
none, and insist on the reader's own default where the catalog says it depends on the reader.
Their errors name variables, never values.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import environ

from tenantry_kernel.config.catalog import VARIABLES_LIST
from tenantry_kernel.config.variables import Unset, Variable, Varies

CATALOG = "kernel/tenantry_kernel/config/catalog.py"


def _index(variables: list[Variable]) -> dict[str, Variable]:
    index: dict[str, Variable] = {}
    for variable in variables:
        if variable.name in index:
            raise ValueError(f"{variable.name} is declared twice in {CATALOG}")
        index[variable.name] = variable
    return index


VARIABLES = _index(VARIABLES_LIST)


class ConfigurationError(environ.ImproperlyConfigured):  # type: ignore[misc]  # Django's, untyped here
    """A variable read against its declaration."""


def declared(name: str) -> Variable:
    try:
        return VARIABLES[name]
    except KeyError:
        raise ConfigurationError(
            f"{name} is read but not declared: add it to {CATALOG} (type, default, components, meaning)"
        ) from None


def _check_reader_default(variable: Variable, given: bool) -> None:
    if isinstance(variable.default, Varies) and not given:
        raise ConfigurationError(f"{variable.name}'s default depends on its reader ({variable.default.text}): pass one")
    if not isinstance(variable.default, Varies) and given:
        raise ConfigurationError(f"{variable.name}'s default is declared in {CATALOG}: read it without one")


class Env(environ.Env):  # type: ignore[misc]  # django-environ has no type information
    """django-environ, for declared variables only, with their declared defaults.

    A default is handed to django-environ as its text, parsed like a value set in the environment:
    the text .env.example shows is what a reader gets.
    """

    _resolving = threading.local()

    def get_value(
        self, var: str, cast: Any = None, default: Any = environ.Env.NOTSET, parse_default: bool = False
    ) -> Any:
        if getattr(self._resolving, "active", False):
            # A value of `$OTHER` names another variable, which django-environ resolves as it always has,
            # falling back on the first variable's default (parsed, when that is the catalog's text).
            return super().get_value(var, cast=cast, default=default, parse_default=self._resolving.parse)
        variable = declared(var)
        _check_reader_default(variable, given=default is not self.NOTSET)
        if variable.has_fixed_default:
            default, parse_default = variable.default_text, True
        self._resolving.active, self._resolving.parse = True, parse_default
        try:
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        finally:
            self._resolving.active = False


env = Env()


def getenv(name: str, default: str | None = None) -> str:
    """The variable's text as set in the environment, else its declared default ("" when it has none).

    `default` is for the variables whose default depends on the reader, and only for them.
    """
    variable = declared(name)
    _check_reader_default(variable, given=default is not None)
    if default is not None:
        return os.environ.get(name, default)
    if isinstance(variable.default, Unset):
        return os.environ.get(name, "")
    return os.environ.get(name, variable.default_text)
