"""Plugins made in memory for the plugin-system tests: a module with the hooks given."""

from __future__ import annotations

import types
from typing import Any

from core import PluginInfo, hookimpl


def make_plugin(
    key: str, *, localities: tuple[str, ...] = (), requires: str = "", **hooks: Any
) -> types.ModuleType:
    """A plugin module named ``fake_<key>`` implementing ``plugin_info`` and ``hooks``.

    Each hook value is the function to register, or a plain value the hook returns.
    """
    module = types.ModuleType(f"fake_{key.replace('.', '_')}")
    info = PluginInfo(
        key=key,
        title_zh=key,
        title_en=key,
        version="1.0",
        localities=localities,
        requires_yixian=requires,
    )
    module.plugin_info = hookimpl(lambda: info)
    for name, value in hooks.items():
        function = (
            value
            if callable(value) and not isinstance(value, type)
            else (lambda value=value: value)
        )
        function.__name__ = name
        setattr(module, name, hookimpl(specname=name)(function))
    return module
