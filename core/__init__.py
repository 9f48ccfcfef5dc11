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
    "hookimpl",
]
