"""Plugins as admins see them: what is loaded or broken, where each is active, its settings."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from sqlalchemy import select
from strawberry.scalars import JSON

from core.plugin_state import services
from core.plugin_state.models import PluginActivation as ActivationRow
from core.plugin_state.models import PluginFailure as FailureRow
from core.plugin_state.models import PluginSettingChange as ChangeRow
from schema import loaders
from schema.access import AdminOnly
from schema.errors import UserError, mutation_payload
from schema.filters import unit_id_for
from schema.query_errors import QueryError
from schema.refs import LazyUnit


@strawberry.type(description="A loaded plugin: one district's scheme.")
class Plugin:
    key: str = strawberry.field(description="e.g. taishun.joint_review.")
    title_zh: str
    title_en: str
    version: str
    localities: list[str] = strawberry.field(description="Unit codes whose subtrees it serves.")
    requires_yixian: str
    origin: str = strawberry.field(description="Where it was found: plugins/ or an entry point.")
    hooks: list[str] = strawberry.field(description="The hooks it implements.")


@strawberry.type(description="A plugin that failed to load; the server started without it.")
class BrokenPlugin:
    name: str
    origin: str
    error: str


@strawberry.type(description="A plugin's event handler that raised after a commit.")
class PluginFailure:
    plugin: str
    event: str
    error: str
    occurred_at: datetime.datetime


@strawberry.type(description="A plugin switched on or off for a unit's subtree.")
class PluginActivation:
    plugin: str
    active: bool
    changed_by: str | None
    changed_at: datetime.datetime
    unit_id: strawberry.Private[int]

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(loaders.units_by_id).load(self.unit_id)


@strawberry.type(description="A plugin setting in force at a unit, and where the value comes from.")
class PluginSettingValue:
    name: str
    value: JSON
    description: str | None
    set_at_unit_id: strawberry.Private[int | None]

    @strawberry.field(description="The unit whose setting gives the value; null: the default.")
    async def set_at(self, info: strawberry.Info) -> LazyUnit | None:
        if self.set_at_unit_id is None:
            return None
        return await info.context.loader(loaders.units_by_id).load(self.set_at_unit_id)

    @strawberry.field(description="DEFAULT, or SET when a unit on the path set it.")
    def source(self) -> str:
        return "DEFAULT" if self.set_at_unit_id is None else "SET"


@strawberry.type(description="One change of a plugin setting.")
class PluginSettingChange:
    plugin: str
    name: str
    old_value: JSON | None
    new_value: JSON | None
    changed_by: str | None
    changed_at: datetime.datetime
    unit_id: strawberry.Private[int]

    @strawberry.field
    async def unit(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(loaders.units_by_id).load(self.unit_id)


def _activation(row: ActivationRow) -> PluginActivation:
    return PluginActivation(
        plugin=row.plugin_key,
        active=row.active,
        changed_by=row.changed_by,
        changed_at=row.changed_at,
        unit_id=row.unit_id,
    )


def _setting(value: services.SettingValue) -> PluginSettingValue:
    return PluginSettingValue(
        name=value.name,
        value=value.value,
        description=value.description,
        set_at_unit_id=value.set_at_unit_id,
    )


@strawberry.type
class PluginAdminQuery:
    @strawberry.field(description="Every plugin loaded, core excluded.")
    def plugins(self, info: strawberry.Info) -> list[Plugin]:
        return [
            Plugin(
                key=p.key,
                title_zh=p.info.title_zh,
                title_en=p.info.title_en,
                version=p.info.version,
                localities=list(p.info.localities),
                requires_yixian=p.info.requires_yixian,
                origin=p.origin,
                hooks=p.hooks,
            )
            for p in info.context.registry.domain_plugins
        ]

    @strawberry.field(
        description="Plugins that failed to load (started with --skip-broken-plugins). Admins.",
        permission_classes=[AdminOnly],
    )
    def broken_plugins(self, info: strawberry.Info) -> list[BrokenPlugin]:
        return [
            BrokenPlugin(name=b.name, origin=b.origin, error=b.error)
            for b in info.context.registry.broken
        ]

    @strawberry.field(
        description="Failures of plugins' event handlers, newest first. Admins.",
        permission_classes=[AdminOnly],
    )
    async def plugin_failures(
        self, info: strawberry.Info, plugin: str | None = None, limit: int = 50
    ) -> list[PluginFailure]:
        if not 1 <= limit <= 100:
            raise QueryError("PAGE_SIZE", "limit must be between 1 and 100", "limit")
        statement = select(FailureRow).order_by(FailureRow.id.desc()).limit(limit)
        if plugin:
            statement = statement.where(FailureRow.plugin_key == plugin)
        return [
            PluginFailure(
                plugin=r.plugin_key, event=r.event, error=r.error, occurred_at=r.occurred_at
            )
            for r in await info.context.scalars(statement)
        ]

    @strawberry.field(description="Activations set by admins (beyond declared localities).")
    async def plugin_activations(
        self, info: strawberry.Info, plugin: str | None = None
    ) -> list[PluginActivation]:
        statement = select(ActivationRow).order_by(ActivationRow.plugin_key, ActivationRow.id)
        if plugin:
            statement = statement.where(ActivationRow.plugin_key == plugin)
        return [_activation(r) for r in await info.context.scalars(statement)]

    @strawberry.field(description="Whether a plugin serves a unit.")
    async def plugin_active(self, info: strawberry.Info, plugin: str, unit_code: str) -> bool:
        unit_id = await unit_id_for(info, unit_code, "unitCode")
        return await info.context.read(
            lambda s: services.is_active(s, info.context.registry, plugin, unit_id)
        )

    @strawberry.field(description="A plugin's settings in force at a unit.")
    async def plugin_settings(
        self, info: strawberry.Info, plugin: str, unit_code: str
    ) -> list[PluginSettingValue]:
        unit_id = await unit_id_for(info, unit_code, "unitCode")
        values = await info.context.read(
            lambda s: services.settings_at(s, info.context.registry, plugin, unit_id)
        )
        return [_setting(v) for v in values]

    @strawberry.field(
        description="Changes of a plugin's settings, newest first. Admins.",
        permission_classes=[AdminOnly],
    )
    async def plugin_setting_changes(
        self, info: strawberry.Info, plugin: str
    ) -> list[PluginSettingChange]:
        rows = await info.context.scalars(
            select(ChangeRow).where(ChangeRow.plugin_key == plugin).order_by(ChangeRow.id.desc())
        )
        return [
            PluginSettingChange(
                plugin=r.plugin_key,
                name=r.name,
                old_value=r.old_value,
                new_value=r.new_value,
                changed_by=r.changed_by,
                changed_at=r.changed_at,
                unit_id=r.unit_id,
            )
            for r in rows
        ]


@strawberry.input(description="Switch a plugin on or off for a unit's subtree.")
class ActivatePluginInput:
    plugin: str
    unit_code: str
    active: bool = True


@strawberry.input(description="Set a plugin setting for a unit's subtree.")
class SetPluginSettingInput:
    plugin: str
    unit_code: str
    name: str
    value: JSON


@strawberry.type
class ActivatePluginPayload:
    activation: PluginActivation | None = None
    errors: list[UserError]


@strawberry.type
class SetPluginSettingPayload:
    setting: PluginSettingValue | None = None
    errors: list[UserError]


@strawberry.type
class PluginAdminMutations:
    @strawberry.mutation(description="Activate (or deactivate) a plugin for a unit's subtree.")
    async def activate_plugin(
        self, info: strawberry.Info, input: ActivatePluginInput
    ) -> ActivatePluginPayload:
        async def work(ctx: Any):
            ctx.require_admin("activate plugins")
            row = await services.set_activation(
                ctx, key=input.plugin, unit_code=input.unit_code, active=input.active
            )
            return _activation(row)

        return await mutation_payload(ActivatePluginPayload, info.context.run(work), "activation")

    @strawberry.mutation(description="Set a plugin setting for a unit's subtree (validated).")
    async def set_plugin_setting(
        self, info: strawberry.Info, input: SetPluginSettingInput
    ) -> SetPluginSettingPayload:
        async def work(ctx: Any):
            ctx.require_admin("change plugin settings")
            value = await services.set_setting(
                ctx,
                key=input.plugin,
                unit_code=input.unit_code,
                name=input.name,
                value=input.value,
            )
            return _setting(value)

        return await mutation_payload(SetPluginSettingPayload, info.context.run(work), "setting")
