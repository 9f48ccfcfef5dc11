"""Plugin manager factory and discovery.

Plugins are found in two places: packages inside the ``plugins/`` folder of this source tree
(``plugins.<name>.plugin`` or ``plugins.<name>``; names starting with ``_`` are skipped), and
installed distributions declaring the entry point group ``yixian.plugins``. ``YIXIAN_PLUGINS``
(comma-separated keys) restricts which are enabled. Every registry is fresh: there is no global
plugin manager.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import pkgutil
import re
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from core import hookspecs
from core.contributions import PluginInfo
from core.errors import PluginError

log = logging.getLogger("yixian.plugins")

ENTRY_POINT_GROUP = "yixian.plugins"
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


def yixian_version() -> str:
    from core import __version__

    return __version__


@dataclass
class LoadedPlugin:
    key: str
    info: PluginInfo
    module: Any
    origin: str
    builtin: bool = False

    @property
    def hooks(self) -> list[str]:
        return sorted(
            name
            for name in dir(self.module)
            if name in HOOK_NAMES and hasattr(getattr(self.module, name), "yixian_impl")
        )


@dataclass
class BrokenPlugin:
    name: str
    origin: str
    error: str


HOOK_NAMES = {name for name in dir(hookspecs) if hasattr(getattr(hookspecs, name), "yixian_spec")}


@dataclass
class PluginRegistry:
    """The plugins of one application: a pluggy manager plus what the host learned about them."""

    pm: pluggy.PluginManager
    plugins: dict[str, LoadedPlugin] = field(default_factory=dict)
    broken: list[BrokenPlugin] = field(default_factory=list)

    def call_each(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call ``hook_name`` on every plugin implementing it, returning ``(key, result)`` pairs.

        Each implementation receives only the arguments it declares (pluggy's rule), so hooks
        can gain arguments later. ``None`` results are dropped.
        """
        results = []
        hook = getattr(self.pm.hook, hook_name)
        for impl in hook.get_hookimpls():  # in registration order: core first
            args = {name: kwargs[name] for name in impl.argnames}
            result = impl.function(**args)
            if result is not None:
                results.append((impl.plugin_name, result))
        return results

    def get(self, key: str) -> LoadedPlugin:
        return self.plugins[key]

    @property
    def domain_plugins(self) -> list[LoadedPlugin]:
        return [p for p in self.plugins.values() if not p.builtin]


def _candidate_modules(extra: Iterable[ModuleType]) -> list[tuple[str, str, Any]]:
    """(name, origin, loader) for every plugin found; loaders import lazily so errors are caught."""
    found: list[tuple[str, str, Any]] = []
    for module in extra:
        found.append((module.__name__, "given", lambda m=module: m))
    try:
        import plugins as tree_plugins
    except ImportError:  # pragma: no cover - the folder ships with yixian
        tree_plugins = None
    if tree_plugins is not None:
        for info in pkgutil.iter_modules(tree_plugins.__path__):
            if not info.ispkg or info.name.startswith("_"):
                continue  # a leading underscore keeps a plugin in progress out of discovery
            name = f"plugins.{info.name}"

            def load(name: str = name) -> ModuleType:
                package = importlib.import_module(name)
                try:
                    return importlib.import_module(f"{name}.plugin")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{name}.plugin":
                        raise
                    return package

            found.append((name, "plugins/", load))
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        origin = f"entry point {ep.name} ({ep.dist.name if ep.dist else '?'})"
        found.append((ep.value, origin, ep.load))
    return found


def _check_info(info: Any, name: str) -> PluginInfo:
    if not isinstance(info, PluginInfo):
        raise PluginError(
            f"plugin {name}: plugin_info() must return core.PluginInfo, got {type(info).__name__}",
            name,
        )
    if not KEY_PATTERN.match(info.key):
        raise PluginError(
            f"plugin {name}: key {info.key!r} must be lower-case dotted words, "
            "e.g. 'taishun.joint_review'",
            name,
        )
    if info.requires_yixian:
        try:
            spec = SpecifierSet(info.requires_yixian)
        except InvalidSpecifier as exc:
            raise PluginError(
                f"plugin {info.key}: requires_yixian {info.requires_yixian!r} is not a "
                f"version specifier ({exc})",
                info.key,
            ) from exc
        running = yixian_version()
        if Version(running) not in spec:
            raise PluginError(
                f"plugin {info.key} {info.version} needs yixian {info.requires_yixian}, "
                f"but this is yixian {running}: upgrade one of them",
                info.key,
            )
    return info


def check_models(module: Any, info: PluginInfo) -> None:
    """A plugin's tables must carry its prefix, so that every table names its owner."""
    if not hasattr(module, "register_models"):
        return
    for model in module.register_models() or ():
        table = getattr(model, "__tablename__", None) or getattr(
            getattr(model, "__table__", None), "name", None
        )
        if table is None:
            raise PluginError(
                f"plugin {info.key}: register_models() returned {model!r}, which is not a "
                "SQLAlchemy model on core.Base",
                info.key,
            )
        if not table.startswith(info.table_prefix):
            raise PluginError(
                f"plugin {info.key}: table {table!r} must start with {info.table_prefix!r} "
                f"(rename it {info.table_prefix + table!r})",
                info.key,
            )


def load_plugins(
    *,
    builtins: Iterable[ModuleType] = (),
    extra: Iterable[ModuleType] = (),
    enabled: list[str] | None = None,
    skip_broken: bool = False,
    discover: bool = True,
) -> PluginRegistry:
    """Create a fresh plugin manager with the built-in plugins and every plugin found.

    Args:
        builtins: the core's own plugins (they use the same hooks as everybody else).
        extra: plugin modules to register in addition to those discovered (tests use this).
        enabled: keys to keep (``YIXIAN_PLUGINS``); ``None`` keeps every plugin.
        skip_broken: keep going when a plugin fails to load, recording it in ``registry.broken``.
        discover: look in ``plugins/`` and the ``yixian.plugins`` entry points.

    Raises:
        PluginError: naming the plugin and the cause, unless ``skip_broken``.
    """
    pm = pluggy.PluginManager("yixian")
    pm.add_hookspecs(hookspecs)
    registry = PluginRegistry(pm=pm)

    for module in builtins:
        info = _check_info(module.plugin_info(), module.__name__)
        pm.register(module, name=info.key)
        registry.plugins[info.key] = LoadedPlugin(info.key, info, module, "builtin", builtin=True)

    candidates = (
        _candidate_modules(extra)
        if discover
        else [(m.__name__, "given", lambda m=m: m) for m in extra]
    )
    seen_modules: set[int] = set()
    for name, origin, loader in candidates:
        try:
            module = loader()
            if id(module) in seen_modules:
                continue
            if not hasattr(module, "plugin_info"):
                raise PluginError(
                    f"plugin {name} ({origin}) does not implement plugin_info(); every plugin "
                    "must say who it is",
                    name,
                )
            info = _check_info(module.plugin_info(), name)
            if enabled is not None and info.key not in enabled:
                continue
            if info.key in registry.plugins:
                other = registry.plugins[info.key]
                if other.module is module:
                    continue
                raise PluginError(
                    f"two plugins use the key {info.key!r}: {other.origin} and {origin}", info.key
                )
            check_models(module, info)
            try:
                pm.register(module, name=info.key)
            except (pluggy.PluginValidationError, ValueError) as exc:
                raise PluginError(f"plugin {info.key} ({origin}) cannot register: {exc}") from exc
            seen_modules.add(id(module))
            registry.plugins[info.key] = LoadedPlugin(info.key, info, module, origin)
        except Exception as exc:  # noqa: BLE001 - any failure of third-party code is reported
            message = (
                str(exc)
                if isinstance(exc, PluginError)
                else (f"plugin {name} ({origin}) failed to load: {type(exc).__name__}: {exc}")
            )
            if not skip_broken:
                if isinstance(exc, PluginError):
                    raise
                raise PluginError(message, name) from exc
            log.warning("skipping broken plugin: %s", message)
            log.debug("%s", traceback.format_exc())
            registry.broken.append(BrokenPlugin(name=name, origin=origin, error=message))

    if enabled is not None:
        missing = set(enabled) - set(registry.plugins)
        if missing:
            message = (
                f"YIXIAN_PLUGINS names plugins that were not found: {', '.join(sorted(missing))}"
            )
            if not skip_broken:
                raise PluginError(message)
            registry.broken.extend(BrokenPlugin(k, "YIXIAN_PLUGINS", message) for k in missing)
    return registry
