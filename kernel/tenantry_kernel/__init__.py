"""Tenantry's shared kernel: the code every component (control plane, tenant app, operator) uses.

Components never import each other; what they share lives here.
"""

__version__ = "0.1.0"
