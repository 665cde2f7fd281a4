"""What a declaration of an environment variable says: its name, type, default, readers and meaning."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

# Who reads a variable. `dev` and `tests` are the developer scripts and the test suites: a variable
# only they read is never set on a deployment.
Component = Literal["control-plane", "tenant-app", "operator", "dev", "tests"]
COMPONENT_NAMES: dict[Component, str] = {
    "control-plane": "control plane",
    "tenant-app": "tenant app",
    "operator": "operator",
    "dev": "dev scripts",
    "tests": "tests",
}
DEVELOPMENT: frozenset[Component] = frozenset({"dev", "tests"})
Value = str | bool | int | float | list[str] | dict[str, object]


class Unset:
    """No default: the variable stays unset and the feature it controls stays off."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()


@dataclass(frozen=True)
class Varies:
    """A default that depends on where the variable is read; each reader passes its own, as `text` says."""

    text: str


@dataclass(frozen=True)
class Group:
    """A table of the reference: one section of docs/configuration.md and of .env.example."""

    key: str
    title: str


@dataclass(frozen=True)
class Variable:
    name: str
    type: type[Value]
    default: Value | Unset | Varies
    components: tuple[Component, ...]
    description: str
    group: Group
    secret: bool = False
    # Who reads it where no call in our code names it: a library (libpq, OpenTelemetry), or code that
    # reads a name it is given.
    read_by: str = ""

    def __post_init__(self) -> None:
        if not self.components:
            raise ValueError(f"{self.name}: name the components that read it")
        if not isinstance(self.default, Unset | Varies) and not isinstance(self.default, self.type):
            raise TypeError(f"{self.name}: default {self.default!r} is not a {self.type.__name__}")

    @property
    def development_only(self) -> bool:
        return set(self.components) <= DEVELOPMENT

    @property
    def has_fixed_default(self) -> bool:
        return not isinstance(self.default, Unset | Varies)

    @property
    def default_text(self) -> str:
        """The default as it would be written in the environment ("" when there is none)."""
        return "" if isinstance(self.default, Unset | Varies) else as_text(self.default)


def as_text(value: Value) -> str:
    """How a value is written in the environment, so that reading the text back gives the value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)
