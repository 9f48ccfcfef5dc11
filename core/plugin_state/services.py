"""Where a plugin is active, and its settings in force at a unit.

Both follow the tree: the record set at the nearest ancestor (the unit itself included) wins;
without one, a plugin is active inside its declared localities and a setting has its default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.scope import past_scope
from core.commands import CommandContext
from core.errors import DomainError
from core.plugin_state.models import PluginActivation, PluginSetting, PluginSettingChange
from core.units.models import Unit, UnitTree
from core.units.services import require_unit


def _plugin(registry: Any, key: str, field: str = "plugin"):
    plugin = registry.plugins.get(key)
    if plugin is None or plugin.builtin:
        raise DomainError.one("NOT_FOUND", f"no plugin is loaded with the key {key!r}", field)
    return plugin


async def is_active(session: AsyncSession, registry: Any, key: str, unit_id: int) -> bool:
    """Whether plugin ``key`` serves ``unit_id``. Activations set at ancestors above the caller's
    scope count too: they are read past the scope (only the answer comes back)."""
    with past_scope(session):
        return await _is_active(session, registry, key, unit_id)


async def _is_active(session: AsyncSession, registry: Any, key: str, unit_id: int) -> bool:
    plugin = _plugin(registry, key)
    nearest = (
        await session.execute(
            select(PluginActivation.active)
            .join(UnitTree, UnitTree.ancestor_id == PluginActivation.unit_id)
            .where(PluginActivation.plugin_key == key, UnitTree.descendant_id == unit_id)
            .order_by(UnitTree.distance)
            .limit(1)
        )
    ).scalar_one_or_none()
    if nearest is not None:
        return bool(nearest)
    if not plugin.info.localities:
        return False
    # The locality (a county) usually lies above the caller's scope (a town): look it up through
    # the table itself, past the scope, reading nothing but whether it is an ancestor.
    units = Unit.__table__
    found = (
        await session.execute(
            select(UnitTree.ancestor_id)
            .join(units, units.c.id == UnitTree.ancestor_id)
            .where(UnitTree.descendant_id == unit_id, units.c.code.in_(plugin.info.localities))
            .limit(1)
        )
    ).first()
    return found is not None


async def require_active(
    session: AsyncSession, registry: Any, key: str, unit: Unit, field: str | None = None
) -> None:
    """Refuse with PLUGIN_NOT_ACTIVE when plugin ``key`` does not serve ``unit``."""
    if not await is_active(session, registry, key, unit.id):
        raise DomainError.one(
            "PLUGIN_NOT_ACTIVE",
            f"plugin {key} is not active at {unit.code} {unit.name}; an admin can activate it "
            "there with activatePlugin",
            field,
        )


async def set_activation(
    ctx: CommandContext, *, key: str, unit_code: str, active: bool
) -> PluginActivation:
    _plugin(ctx.registry, key)
    unit = await require_unit(ctx.session, unit_code, "unitCode")
    row = (
        await ctx.session.execute(
            select(PluginActivation).where(
                PluginActivation.plugin_key == key, PluginActivation.unit_id == unit.id
            )
        )
    ).scalar_one_or_none()
    if row is None:
        row = PluginActivation(plugin_key=key, unit_id=unit.id, active=active)
        ctx.session.add(row)
    row.active = active
    row.changed_by = ctx.actor
    await ctx.session.flush()
    return row


def settings_model(registry: Any, key: str) -> type[BaseModel] | None:
    for owner, model in registry.call_each("register_settings"):
        if owner == key:
            return model
    return None


@dataclass(frozen=True)
class SettingValue:
    name: str
    value: Any
    #: The unit whose record gives the value; None when it is the default.
    set_at_unit_id: int | None
    description: str | None


async def settings_at(
    session: AsyncSession, registry: Any, key: str, unit_id: int
) -> list[SettingValue]:
    """Every setting of plugin ``key`` in force at ``unit_id``, with where each value comes from."""
    model = settings_model(registry, key)
    if model is None:
        return []
    with past_scope(session):  # values set at ancestors above the caller's scope are in force
        rows = (
            await session.execute(
                select(PluginSetting.name, PluginSetting.value, PluginSetting.unit_id)
                .join(UnitTree, UnitTree.ancestor_id == PluginSetting.unit_id)
                .where(PluginSetting.plugin_key == key, UnitTree.descendant_id == unit_id)
                .order_by(UnitTree.distance.desc())
            )
        ).all()
    nearest = {name: (value, at) for name, value, at in rows}  # nearest ancestor written last
    result = []
    for name, info in model.model_fields.items():
        if name in nearest:
            value, at = nearest[name]
        else:
            value, at = info.get_default(call_default_factory=True), None
        result.append(SettingValue(name, value, at, info.description))
    return result


async def settings_for(session: AsyncSession, registry: Any, key: str, unit_id: int) -> BaseModel:
    """The plugin's settings model filled with the values in force at ``unit_id``."""
    model = settings_model(registry, key)
    if model is None:
        raise LookupError(f"plugin {key} declares no settings")
    values = {s.name: s.value for s in await settings_at(session, registry, key, unit_id)}
    return model.model_validate(values)


async def set_setting(
    ctx: CommandContext, *, key: str, unit_code: str, name: str, value: Any
) -> SettingValue:
    _plugin(ctx.registry, key)
    model = settings_model(ctx.registry, key)
    if model is None or name not in model.model_fields:
        known = ", ".join(model.model_fields) if model else "none"
        raise DomainError.one(
            "NOT_FOUND", f"plugin {key} has no setting {name!r} (its settings: {known})", "name"
        )
    unit = await require_unit(ctx.session, unit_code, "unitCode")
    try:
        checked = model.model_validate({name: value})
    except ValidationError as exc:
        detail = "; ".join(e["msg"] for e in exc.errors() if e["loc"] and e["loc"][0] == name)
        raise DomainError.one(
            "INVALID", f"{key} setting {name}: {detail or exc.errors()[0]['msg']}", "value"
        ) from exc
    value = checked.model_dump(mode="json")[name]
    row = (
        await ctx.session.execute(
            select(PluginSetting).where(
                PluginSetting.plugin_key == key,
                PluginSetting.unit_id == unit.id,
                PluginSetting.name == name,
            )
        )
    ).scalar_one_or_none()
    old = row.value if row is not None else None
    if row is None:
        row = PluginSetting(plugin_key=key, unit_id=unit.id, name=name, value=value)
        ctx.session.add(row)
    row.value = value
    ctx.session.add(
        PluginSettingChange(
            plugin_key=key,
            unit_id=unit.id,
            name=name,
            old_value=old,
            new_value=value,
            changed_by=ctx.actor,
        )
    )
    await ctx.session.flush()
    return SettingValue(name, value, unit.id, model.model_fields[name].description)
