"""Tenantry's configuration: every environment variable its code reads, declared once, and the readers.

The declarations are in `catalog.py` (name, type, default, the components that read it, its meaning,
whether it is a secret). Settings read them through `env` (django-environ), other code through
`getenv`. `python -m tenantry_kernel.config --write` writes the reference in docs/configuration.md
and .env.example from them; `--check` says whether those are current.
"""

from tenantry_kernel.config.catalog import GROUPS
from tenantry_kernel.config.reading import VARIABLES, ConfigurationError, Env, declared, env, getenv
from tenantry_kernel.config.variables import UNSET, Group, Variable, Varies

__all__ = [
    "GROUPS",
    "UNSET",
    "VARIABLES",
    "ConfigurationError",
    "Env",
    "Group",
    "Variable",
    "Varies",
    "declared",
    "env",
    "getenv",
]
