"""yixian's core: the domain, persistence and plugin machinery (no GraphQL here).

This package is the one import surface for plugins::

    from core import hookimpl, Base, PluginInfo, MetricSpec, DomainError, Problem
"""

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("yixian")

from core.access.roles import RoleSpec  # noqa: E402
from core.contributions import Event, MetricSpec, PluginInfo, SavedQuerySpec  # noqa: E402
from core.db import Base  # noqa: E402
from core.errors import DomainError, PluginError, Problem  # noqa: E402

#: Services plugins use, imported on first use (``from core import require_unit``) so that
#: importing ``core`` stays cheap and free of cycles.
_SERVICES = {
    "require_unit": "core.units.services",
    "unit_by_code": "core.units.services",
    "in_subtree": "core.units.tree",
    "require_person": "core.people.services",
    "require_active": "core.plugin_state.services",
    "is_active": "core.plugin_state.services",
    "settings_for": "core.plugin_state.services",
    "CommandContext": "core.commands",
    "Person": "core.people.models",
    "Unit": "core.units.models",
    "Posting": "core.postings.models",
    "Initiative": "core.initiatives.models",
    "UnitTree": "core.units.models",
}


def __getattr__(name: str):
    if name in _SERVICES:
        import importlib

        return getattr(importlib.import_module(_SERVICES[name]), name)
    raise AttributeError(f"module 'core' has no attribute {name!r}")


__all__ = [
    "Base",
    "DomainError",
    "Event",
    "MetricSpec",
    "PluginError",
    "PluginInfo",
    "Problem",
    "RoleSpec",
    "SavedQuerySpec",
    "__version__",
    *_SERVICES,
    "hookimpl",
]
