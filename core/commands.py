"""The frame every write runs in: one transaction, plugin validation, events after commit.

A command (``create_unit``, ``start_posting``…) takes a :class:`CommandContext`, reads and writes
through ``ctx.session`` and raises :class:`core.DomainError` on bad input.
:func:`run_command` commits
when the command returns and rolls everything back when it raises, then hands the events the
command published to every plugin's ``on_event`` — after the commit, so a failing handler cannot
undo it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from core import idempotency
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

    def expect_version(self, obj: Any, expected: int | None, field: str = "expectedVersion"):
        """Refuse with VERSION_CONFLICT when the client edited an older version of ``obj``
        (``expected`` not an int: the client named no version)."""
        if isinstance(expected, int) and expected != obj.version:
            raise DomainError.one(
                "VERSION_CONFLICT",
                f"this record was changed since you read it (you had version {expected}, it is "
                f"now {obj.version}): load it again and re-apply your change",
                field,
            )

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


#: How often a command is re-run when a concurrent writer changed what it read.
ATTEMPTS = 3
#: PostgreSQL's serialization failure and deadlock: the transaction may simply be run again.
RETRYABLE_SQLSTATES = {"40001", "40P01"}


class WriteProgress:
    """How far a request's writes got, so that a request stopped by its time limit can say
    truthfully whether anything was written (``NOT_WRITTEN``, ``WRITTEN``, or ``UNKNOWN`` when
    it was stopped while committing).

    ``timeout`` is the request's ``asyncio.Timeout``: it is held off while a commit runs (up to
    :attr:`COMMIT_GRACE` seconds), so a command is either stopped before its commit, and rolled
    back, or commits and is reported written.
    """

    COMMIT_GRACE = 5.0

    def __init__(self, timeout: asyncio.Timeout | None = None):
        self.timeout = timeout
        self.state = "NOT_WRITTEN"
        self._when: float | None = None
        self._before = self.state

    async def committing(self) -> None:
        if self.timeout is not None:
            if self.timeout.expired():
                await asyncio.sleep(0)  # the pending cancellation lands here, before the commit
            self._when = self.timeout.when()
            self.timeout.reschedule(asyncio.get_running_loop().time() + self.COMMIT_GRACE)
        self._before, self.state = self.state, "UNKNOWN"

    def committed(self) -> None:
        self.state = "WRITTEN"
        self._restore()

    def not_committed(self) -> None:
        if self.state == "UNKNOWN":
            self.state = self._before
        self._restore()

    def _restore(self) -> None:
        if self.timeout is not None and not self.timeout.expired():
            self.timeout.reschedule(self._when)


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, StaleDataError):
        return True
    if isinstance(exc, DBAPIError):
        code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        return code in RETRYABLE_SQLSTATES
    return False


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
    idempotent: idempotency.Call | None = None,
    progress: WriteProgress | None = None,
) -> T:
    """Run ``command`` in its own transaction; commit, then deliver its events.

    The command's session reads and writes within ``scope`` (the principal's write scope):
    units, people and postings outside it do not exist for the command, and a row it writes must
    be owned inside it before and after (``core.access.scope``).
    A database constraint that fires (two concurrent requests racing for the same unique value)
    becomes ``on_integrity_error`` when given, so the client still gets a typed error.

    Every row of a versioned model (units, people, postings, initiatives) is updated only if it
    still has the version the command read: when a concurrent writer got there first, the whole
    command is run again on the fresh state (up to :data:`ATTEMPTS` times), where it succeeds or
    refuses with its typed error (a posting already ended: ``INVALID_STATE``). Commands must
    therefore have no effect outside their transaction (events are delivered after the commit).

    With ``idempotent``, the call's key is claimed first in the same transaction and the result
    stored with the write; a call made before is answered from the store
    (:class:`core.idempotency.Replay`) without running the command.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            result, events = await _attempt(
                sessionmaker,
                registry,
                command,
                actor=actor,
                principal=principal,
                scope=scope,
                on_integrity_error=on_integrity_error,
                audit=audit,
                idempotent=idempotent,
                progress=progress,
            )
        except (StaleDataError, DBAPIError) as exc:
            if not _retryable(exc):
                raise
            log.info("command re-run after a concurrent change (attempt %d): %s", attempt, exc)
            continue
        await deliver_events(sessionmaker, registry, events)
        return result
    raise DomainError.one(
        "VERSION_CONFLICT",
        "the records this change reads kept changing under concurrent writes; try again",
    )


async def _attempt(
    sessionmaker: async_sessionmaker,
    registry: Any,
    command: Callable[[CommandContext], Awaitable[T]],
    *,
    actor: str | None,
    principal: Any,
    scope: Any,
    on_integrity_error: Problem | None,
    audit: AuditNote | None,
    idempotent: idempotency.Call | None,
    progress: WriteProgress | None,
) -> tuple[T, list[Event]]:
    session_options = {"info": {"scope": scope}} if scope is not None else {}
    async with sessionmaker(**session_options) as session:
        ctx = CommandContext(session=session, registry=registry, actor=actor, principal=principal)
        recorder = None
        try:
            claimed = await idempotency.claim(session, idempotent) if idempotent else None
            recorder = ChangeRecorder(session.sync_session) if audit is not None else None
            result = await command(ctx)
            if claimed is not None:
                idempotency.remember(claimed, result)
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
            if progress is not None:
                await progress.committing()
            try:
                await session.commit()
            except asyncio.CancelledError:
                raise  # stopped while committing: the outcome stays UNKNOWN
            except BaseException:
                if progress is not None:
                    progress.not_committed()
                raise
            if progress is not None:
                progress.committed()
        except IntegrityError as exc:
            await session.rollback()
            if on_integrity_error is None:
                raise
            raise DomainError(on_integrity_error) from exc
        except asyncio.CancelledError:
            # Stopped mid-statement (the request's time limit): the connection may still be
            # busy, so it is discarded, never returned to the pool; the database rolls back.
            await session.invalidate()
            raise
        except BaseException:
            await session.rollback()
            raise
        finally:
            if recorder is not None:
                recorder.close()
    return result, ctx.events


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
