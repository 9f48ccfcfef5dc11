"""The plugin contract of yixian: every hook a plugin may implement.

This module is the reference for plugin authors; ``docs/plugins.md`` renders its docstrings (a test
fails when the rendered part is stale). Implement a hook by defining a function of the same name,
decorated with ``core.hookimpl``, in your plugin module. Declare only the arguments you use: the
host may add arguments to a hook later without breaking your plugin.

Hooks return data; the host validates everything at startup and fails with a message naming the
plugin and the fix (an unprefixed table, two plugins adding the same field, a yixian version outside
the plugin's range…). The core registers its own tables, types and fields through these same hooks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pluggy

from core.access.roles import RoleSpec
from core.contributions import Event, MetricSpec, PluginInfo, SavedQuerySpec

hookspec = pluggy.HookspecMarker("yixian")


# --- Who the plugin is ---------------------------------------------------------------------------


@hookspec
def plugin_info() -> PluginInfo:
    """Describe the plugin: its key, titles, version, localities and the yixian versions it needs.

    Every plugin must implement this hook. The key names everything the plugin owns.

    Returns:
        A :class:`core.PluginInfo`.

    Example::

        @hookimpl
        def plugin_info():
            return PluginInfo(
                key="taishun.joint_review",
                title_zh="泰顺 云联审", title_en="Taishun online joint review",
                version="1.0.0", localities=("330329",), requires_yixian=">=0.1,<0.2",
            )
    """


# --- Persistence ---------------------------------------------------------------------------------


@hookspec
def register_models() -> Sequence[type]:
    """Return the plugin's SQLAlchemy models, declared on ``core.Base``.

    Their table names must start with the plugin's table prefix (its key with dots turned into
    underscores, then ``_``); startup refuses other names. A model with a unit column declares
    it as ``__scope_column__ = "unit_id"``: access control then hides its rows outside the
    caller's subtrees in every query, like the core's (``core.access.scope``).

    Example::

        class Visit(Base):
            __tablename__ = "lucheng_four_visits_visit"
            id: Mapped[int] = mapped_column(primary_key=True)

        @hookimpl
        def register_models():
            return [Visit]
    """


@hookspec
def register_migrations() -> str | Path:
    """Return the directory holding the plugin's Alembic revision files.

    The plugin's first revision has ``branch_labels = ("<plugin key>",)`` and
    ``depends_on = "core_0001"`` (or a later core revision); ``yixian db upgrade`` upgrades every
    branch to its head, in one transaction on PostgreSQL.

    Example::

        @hookimpl
        def register_migrations():
            return Path(__file__).parent / "migrations" / "versions"
    """


# --- GraphQL schema ------------------------------------------------------------------------------


@hookspec
def register_types() -> Sequence[type]:
    """Return strawberry types the schema must contain although no field names them directly
    (types reached through fields are found on their own). Usually interfaces' implementations.
    """


@hookspec
def extend_query() -> type:
    """Return a ``@strawberry.type`` whose fields are added to the root ``Query``.

    Root field names must be unique across plugins; prefix them with your scheme
    (``jointReviewBatch``, ``threeDegreeCandidates``).

    Example::

        @strawberry.type
        class HelloQuery:
            @strawberry.field(description="Greetings recorded under a unit.")
            async def hello_greetings(self, info: Info, under_unit: str) -> list[Greeting]: ...

        @hookimpl
        def extend_query():
            return HelloQuery
    """


@hookspec
def extend_mutation() -> type:
    """Return a ``@strawberry.type`` whose fields are added to the root ``Mutation``.

    A mutation returns a payload with the object and ``errors: [UserError!]!``: run the work with
    ``info.context.run(work)`` (one transaction, in the caller's write scope), raise
    ``core.DomainError`` in it, and wrap it with ``schema.errors.mutation_payload`` to turn the
    error into typed errors with nothing written.
    """


@hookspec
def extend_core_types() -> Mapping[str, type]:
    """Return fields to add to core types, as ``{"Person": Mixin, "Unit": Mixin, …}``.

    Allowed keys: ``Unit``, ``Person``, ``Posting``, ``Initiative``. Each mixin is a
    ``@strawberry.type`` with the fields to add; inside a resolver ``self`` is the core row (e.g.
    ``core.Person``), so use ``self.id``. Add one field per core type, named after your scheme,
    loading through a DataLoader (``info.context.loader(batch_fn)``) so that a list of people
    costs one query, not one per person.

    Example::

        @strawberry.type
        class PersonGreetings:
            @strawberry.field
            async def greetings(self, info: Info) -> list[Greeting]:
                return await info.context.loader(greetings_by_person).load(self.id)

        @hookimpl
        def extend_core_types():
            return {"Person": PersonGreetings}
    """


@hookspec
def register_error_codes() -> Mapping[str, str]:
    """Return the plugin's error codes with their descriptions, ``{"HELLO_TOO_LONG": "…"}``.

    They join the ``ErrorCode`` enum of ``UserError.code``. Start codes with your scheme's name;
    two plugins declaring the same code is a startup error.
    """


# --- Metrics, saved queries, settings ------------------------------------------------------------


@hookspec
def register_metrics() -> Sequence[MetricSpec]:
    """Return the metric definitions the plugin records into (codes start with its key).

    They are created or updated on ``yixian db upgrade`` and on ``yixian seed demo``.
    """


@hookspec
def register_saved_queries() -> Sequence[SavedQuerySpec]:
    """Return saved queries the plugin ships, as :class:`core.SavedQuerySpec`.

    They are stored on ``yixian db upgrade``, marked with the plugin that owns them.
    """


@hookspec
def register_settings() -> type:
    """Return a pydantic model of the plugin's settings per locality, with types and defaults.

    Admins set values for a unit's subtree (``setPluginSetting``); the value in force at a unit is
    the one set at its nearest ancestor, else the model's default. Values are validated against the
    model on write. Read them in a command with
    ``await core.settings_for(ctx.session, ctx.registry, plugin_key, unit_id)``.

    Example::

        class JointReviewSettings(BaseModel):
            deadline_hours: float = Field(60, gt=0, description="Plain hours to answer.")

        @hookimpl
        def register_settings():
            return JointReviewSettings
    """


@hookspec
def register_roles() -> Sequence[RoleSpec]:
    """Return the roles the plugin adds to ADMIN, OPERATOR, VIEWER and AUDITOR.

    A role is granted like any other (``yixian token create --role NAME --unit CODE``); its name
    starts with the plugin's key. The plugin checks it in its resolvers with
    ``info.context.principal.units_with_role(name)``.

    Example::

        @hookimpl
        def register_roles():
            return [RoleSpec(
                name="taishun.joint_review.reviewer",
                description="Answers review requests for one department (联审成员单位).",
                unit_kind="DEPARTMENT",
            )]
    """


# --- Behaviour -----------------------------------------------------------------------------------


@hookspec
def validate_command(command: str, data: Mapping[str, Any], session: Any) -> Any:
    """Look at a core command before it is committed; return problems to refuse it.

    Args:
        command: ``"startPosting"``, ``"endPosting"``, ``"createPerson"``, ``"updatePerson"``,
            ``"createUnit"``, ``"updateUnit"``, ``"createInitiative"``, ``"updateInitiative"``,
            ``"recordObservations"``.
        data: the validated input, with unit ids resolved (``host_unit_id``, ``person_id``…).
        session: the ``AsyncSession`` of the command's transaction (read from it; do not commit).

    Returns:
        ``None`` or a list of :class:`core.Problem` (codes from ``register_error_codes``), or an
        awaitable of either. Any problem refuses the command; nothing is written.
    """


@hookspec
def on_event(event: Event) -> Awaitable[None] | None:
    """Hear an event after its transaction committed.

    Core events: ``person.created``, ``posting.started``, ``posting.ended``,
    ``observation.recorded``, ``initiative.created``; plugins publish their own
    (``<plugin key>.<what>``) with ``ctx.publish(name, source=key, **payload)`` on the command
    context their work receives from ``info.context.run(work)``. A handler that raises does not
    undo the commit: the failure is logged with the plugin's name and listed for admins
    (``pluginFailures``).
    """


@hookspec
def load_demo_data(session: Any) -> Awaitable[None] | None:
    """Add the plugin's demo data inside ``yixian seed demo`` (after the core's).

    Must be idempotent: running the seed twice creates nothing new. The session commits after
    every plugin.
    """


@hookspec
def register_commands(cli: Any) -> None:
    """Add sub-commands to the ``yixian`` command line; ``cli`` is the ``typer.Typer`` app.

    Example::

        @hookimpl
        def register_commands(cli):
            @cli.command("hello-report")
            def hello_report():
                print("…")
    """
