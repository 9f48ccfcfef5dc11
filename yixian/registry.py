"""The plugins of this yixian: the built-in ones, then every plugin found."""

from __future__ import annotations

from collections.abc import Iterable
from types import ModuleType

from core.default_plugins import core_plugin
from core.plugins import PluginRegistry, load_plugins
from core.settings import Settings


def builtin_plugins() -> list[ModuleType]:
    from schema import core_plugin as graphql_plugin

    return [core_plugin, graphql_plugin]


def create_registry(
    settings: Settings,
    *,
    skip_broken: bool = False,
    extra: Iterable[ModuleType] = (),
    discover: bool = True,
) -> PluginRegistry:
    return load_plugins(
        builtins=builtin_plugins(),
        extra=extra,
        enabled=settings.enabled_plugins,
        skip_broken=skip_broken,
        discover=discover,
    )
