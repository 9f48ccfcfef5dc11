"""The frame every write runs in: one transaction, plugin validation, events after commit.

A command (``create_unit``, ``start_posting``…) takes a :class:`CommandContext`, reads and writes
through ``ctx.session`` and raises :class:`core.DomainError` on bad input.
:func:`run_command` commits
when the command returns and rolls everything back when it raises, then hands the events the
command published to every plugin's ``on_event`` — after the commit, so a failing handler cannot
undo it.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.audit.chain import append
from core.audit.changes import ChangeRecorder
from core.contributions import Event
from core.errors import DomainError, Problem

log = logging.getLogger("yixian.events")
T = TypeVar("T")


@dataclass
class CommandContext:
    session: AsyncSession
    registry: Any  # core.plugins.PluginRegistry
    actor: str | None = None
    events: list[Event] = field(default_factory=list)
    #: The ``core.access.principal.Principal`` running the command; None for the system.
    principal: Any = None

    def require_admin(self, what: str) -> None:
        """Refuse with PERMISSION_DENIED unless the system or an admin runs the command."""
        if self.principal is not None and not self.principal.admin:
            raise DomainError.one("PERMISSION_DENIED", f"only an admin may {what}")

    def publish(self, event: str, /, source: str = "core", **payload: Any) -> None:
        """Queue an event; it is delivered only if the transaction commits."""
        self.events.append(Event(name=event, payload=payload, source=source))

    async def validate(self, command: str, data: Mapping[str, Any]) -> None:
        """Ask every plugin's ``validate_command``; raise DomainError if any refuses."""
        problems: list[Problem] = []
        for _key, result in self.registry.call_each(
            "validate_command", command=command, data=data, session=self.session
        ):
            if inspect.isawaitable(result):
                result = await result
            if result:
                problems.extend(result)
        if problems:
            raise DomainError(*problems)


async def run_command(
    sessionmaker: async_sessionmaker,
    registry: Any,
    command: Callable[[CommandContext], Awaitable[T]],
    *,
    actor: str | None = None,
    principal: Any = None,
    scope: Any = None,
    on_integrity_error: Problem | None = None,
    audit: AuditNote | None = None,
) -> T:
    """Run ``command`` in its own transaction; commit, then deliver its events.

    The command's session reads and writes within ``scope`` (the principal's write scope):
    units, people and postings outside it do not exist for the command.
    A database constraint that fires (two concurrent requests racing for the same unique value)
    becomes ``on_integrity_error`` when given, so the client still gets a typed error.
    """
    session_options = {"info": {"scope": scope}} if scope is not None else {}
    async with sessionmaker(**session_options) as session:
        ctx = CommandContext(session=session, registry=registry, actor=actor, principal=principal)
        recorder = ChangeRecorder(session.sync_session) if audit is not None else None
        try:
            result = await command(ctx)
            if recorder is not None and audit is not None:
                await session.flush()
                await append(
                    session,
                    actor=actor or "system",
                    kind="MUTATION",
                    name=audit.name,
                    channel=audit.channel,
                    variables=audit.variables,
                    changes=recorder.changes,
                    units=recorder.units - {None}
                    or (principal.read_roots if principal is not None else ()),
                )
            await session.commit()
        except IntegrityError as exc:
            await session.rollback()
            if on_integrity_error is None:
                raise
            raise DomainError(on_integrity_error) from exc
        except BaseException:
            await session.rollback()
            raise
        finally:
            if recorder is not None:
                recorder.close()
    await deliver_events(sessionmaker, registry, ctx.events)
    return result


@dataclass(frozen=True)
class AuditNote:
    """What the audit trail says of a command: the mutation's name and its variables."""

    name: str
    variables: Any = None
    channel: str | None = "graphql"


async def record_refusal(
    sessionmaker: async_sessionmaker,
    actor: str,
    note: AuditNote,
    problems: list[Problem],
    units: Any = (),
) -> None:
    """A refused mutation wrote nothing; the trail still says who tried what, and why not."""
    async with sessionmaker() as session:
        await append(
            session,
            actor=actor,
            kind="MUTATION_REFUSED",
            name=note.name,
            channel=note.channel,
            variables=note.variables,
            changes=[{"code": p.code, "field": p.field, "message": p.message} for p in problems],
            units=units,
        )
        await session.commit()


async def deliver_events(sessionmaker: async_sessionmaker, registry: Any, events: list[Event]):
    """Hand committed events to every ``on_event``; record a handler's failure, never re-raise."""
    from core.plugin_state.models import PluginFailure

    for event in events:
        for impl in registry.pm.hook.on_event.get_hookimpls():
            try:
                result = impl.function(**{n: event for n in impl.argnames if n == "event"})
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:  # noqa: BLE001 - a plugin's bug must not escape
                log.exception("plugin %s failed handling %s", impl.plugin_name, event.name)
                async with sessionmaker() as session:
                    session.add(
                        PluginFailure(
                            plugin_key=impl.plugin_name,
                            event=event.name,
                            error=f"{type(exc).__name__}: {exc}",
                        )
                    )
                    await session.commit()
