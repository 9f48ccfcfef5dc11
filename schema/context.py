"""Per-request state: one read session (used one statement at a time), DataLoaders, commands."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from core import idempotency
from core.access.scope import Scope
from core.audit.chain import append
from core.audit.changes import input_json
from core.commands import AuditNote, CommandContext, WriteProgress, record_refusal, run_command
from core.errors import DomainError, Problem
from core.settings import Settings

T = TypeVar("T")
BatchFn = Callable[["Context", Sequence[Any]], Awaitable[Sequence[Any]]]


class LockedSession:
    """An ``AsyncSession`` whose statements wait for the request's lock; everything else (``info``,
    ``add``…) passes through."""

    def __init__(self, session: AsyncSession, lock: asyncio.Lock):
        self._session = session
        self._lock = lock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await self._session.execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await self._session.scalar(*args, **kwargs)

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await self._session.scalars(*args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await self._session.get(*args, **kwargs)


class Context:
    """What every resolver finds in ``info.context``.

    Strawberry resolves sibling fields concurrently, and one ``AsyncSession`` must not run two
    statements at once: every read goes through :meth:`execute`, which takes the request's lock.
    """

    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker,
        registry: Any,
        settings: Settings,
        request: Any = None,
        principal: Any = None,
        read_session: AsyncSession | None = None,
        read_sessionmaker: async_sessionmaker | None = None,
    ):
        self.sessionmaker = sessionmaker
        self.registry = registry
        self.settings = settings
        self.request = request
        #: The ``core.access.principal.Principal`` of the request; None when anonymous.
        self.principal = principal
        self.actor = principal.name if principal is not None else None
        #: (person id, field, the person's home unit) of every unmasked read.
        self.pii_reads: list[tuple[int, str, int | None]] = []
        #: The root mutation field being resolved, its arguments and its response key (its alias,
        #: or its name) (set by ``schema.audit_hooks``).
        self.current_mutation: tuple[str, Any] | tuple[str, Any, str] | None = None
        #: How far this request's writes got (read when the request runs out of time).
        self.writes = WriteProgress()
        #: Set when the request was stopped by its time limit (its session is then discarded).
        self.stopped = False
        self._read_sessionmaker = read_sessionmaker or sessionmaker
        self._session: AsyncSession | None = read_session
        if read_session is not None:
            read_session.info["scope"] = self.read_scope
        self._lock = asyncio.Lock()
        self._loaders: dict[Hashable, DataLoader] = {}
        self.statements = 0

    @property
    def read_scope(self) -> Scope:
        return self.principal.read_scope if self.principal is not None else Scope.of(())

    def _raw_session(self) -> AsyncSession:
        if self._session is None:
            self._session = self._read_sessionmaker(info={"scope": self.read_scope})
        return self._session

    @property
    def session(self) -> AsyncSession:
        """The request's read session: every ORM read through it is limited to the principal's
        subtrees (``core.access.scope``). Sibling fields resolve concurrently, so statements
        through it take the request's lock, one at a time."""
        return LockedSession(self._raw_session(), self._lock)  # type: ignore[return-value]

    async def execute(self, statement: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await self._raw_session().execute(statement, **kwargs)

    async def scalars(self, statement: Any) -> list[Any]:
        return list((await self.execute(statement)).scalars())

    async def scalar(self, statement: Any) -> Any:
        return (await self.execute(statement)).scalar_one_or_none()

    async def read(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work(session)`` holding the request's lock (for services taking a session)."""
        async with self._lock:
            return await work(self._raw_session())

    def loader(self, batch: BatchFn, key: Hashable | None = None) -> DataLoader:
        """The request's DataLoader for ``batch`` (an ``async def batch(ctx, keys)``).

        ``batch`` must return one result per key, in the keys' order. Loaders are made on first
        use and live as long as the request, so each key is loaded once per request.
        """
        cache_key = key if key is not None else batch
        if cache_key not in self._loaders:

            async def load(keys: list[Any]) -> Sequence[Any]:
                return await batch(self, keys)

            self._loaders[cache_key] = DataLoader(load_fn=load)
        return self._loaders[cache_key]

    async def run(
        self,
        command: Callable[[CommandContext], Awaitable[T]],
        *,
        on_integrity_error: Problem | None = None,
        scope: Scope | None = None,
        require_write: bool = True,
    ) -> T:
        """Run a write in its own transaction, within the principal's write scope; events reach
        plugins after the commit. A principal who may write nowhere is refused up front.

        A plugin whose command must read past the caller's scope (a department's reviewer
        answering a town's request) passes ``scope=Scope.everything()`` and
        ``require_write=False`` — and then checks the caller's grants itself.

        When the request carries an ``Idempotency-Key`` header, each root mutation field of the
        document is one call under that key: a resend is answered with what the first call
        returned, without writing again (``core.idempotency``).
        """
        name, arguments, response_key = self._mutation()
        note = AuditNote(name=name, variables=input_json(arguments))
        try:
            if self.principal is None or (require_write and not self.principal.can_write):
                raise DomainError.one("PERMISSION_DENIED", "your grants do not allow changes")
            call = self._idempotent_call(name, note.variables, response_key)
            await self._release_read_connection()
            try:
                return await run_command(
                    self.sessionmaker,
                    self.registry,
                    command,
                    actor=self.actor,
                    principal=self.principal,
                    scope=scope if scope is not None else self.principal.write_scope,
                    on_integrity_error=on_integrity_error,
                    audit=note,
                    idempotent=call,
                    progress=self.writes,
                )
            except idempotency.Replay as replay:
                stored = replay.result
                return await self.read(lambda session: idempotency.load(session, stored))
        except DomainError as exc:
            roots = self.principal.read_roots if self.principal is not None else ()
            await record_refusal(
                self._system_sessionmaker(),
                self.actor or "anonymous",
                note,
                exc.problems,
                units=roots,
            )
            raise

    async def _release_read_connection(self) -> None:
        """Give the read session's connection back before a command takes its own: a request
        never holds two, so a busy pool cannot starve on requests each waiting for a second.
        (Root mutation fields run one after another, so no read of this request is running.)"""
        if self._session is not None:
            async with self._lock:
                await self._session.close()

    def _mutation(self) -> tuple[str, Any, str]:
        current = self.current_mutation or ("(not a mutation)", None)
        name, arguments = current[0], current[1]
        return name, arguments, current[2] if len(current) > 2 else name

    def _idempotent_call(self, name: str, arguments: Any, response_key: str):
        headers = getattr(self.request, "headers", None)
        key = headers.get("idempotency-key") if headers is not None else None
        if key is None:
            return None
        return idempotency.Call.of(
            self.principal.user_id,
            key,
            response_key,
            name,
            arguments,
            self.settings.idempotency_ttl_hours,
        )

    def _system_sessionmaker(self):
        return lambda: self.sessionmaker(info={"scope": Scope.everything()})

    async def finish(self, operation: str | None) -> None:
        """Record the unmasked reads of personal information, then close the read session.

        No database text leaves from here. A read session that cannot close (its connection
        went away under a cancelled statement) is logged and discarded. Reads of personal
        information that cannot be recorded are logged and the answer is withheld
        (``UNAVAILABLE``): it carried what the trail would not show."""
        import contextlib
        import logging

        from schema.query_errors import QueryError

        log = logging.getLogger("yixian")
        try:
            if self.pii_reads and self.principal is not None:
                from core.access.models import PiiRead

                by_person: dict[int, list[str]] = {}
                homes = {person_id: home for person_id, _field, home in self.pii_reads}
                for person_id, field, _home in self.pii_reads:
                    by_person.setdefault(person_id, [])
                    if field not in by_person[person_id]:
                        by_person[person_id].append(field)
                async with self.sessionmaker(info={"scope": Scope.everything()}) as session:
                    session.add_all(
                        PiiRead(
                            user_name=self.principal.name,
                            person_id=person_id,
                            fields=",".join(fields),
                            operation=operation or "anonymous",
                        )
                        for person_id, fields in by_person.items()
                    )
                    await append(
                        session,
                        actor=self.principal.name,
                        kind="PII_READ",
                        name=operation or "anonymous",
                        channel="graphql",
                        changes=[{"person_id": p, "fields": f} for p, f in by_person.items()],
                        units=homes.values(),
                    )
                    await session.commit()
                self.pii_reads.clear()
        except Exception as exc:  # noqa: BLE001 - logged here, answered UNAVAILABLE
            log.error(
                "could not record the unmasked reads of operation %s by %s; answer withheld",
                operation or "anonymous",
                self.actor,
                exc_info=exc,
            )
            self.pii_reads.clear()
            raise QueryError(
                "UNAVAILABLE",
                "the reads of personal information could not be recorded, so the answer is "
                "withheld: try again",
            ) from None
        finally:
            read_session, self._session = self._session, None
            if read_session is not None:
                try:
                    if self.stopped:
                        # stopped mid-statement: the connection may still be busy; discard it
                        await read_session.invalidate()
                    else:
                        await read_session.close()
                except Exception as exc:  # noqa: BLE001 - the connection is discarded
                    log.warning(
                        "closing the read session of operation %s by %s failed: %r",
                        operation or "anonymous",
                        self.actor,
                        exc,
                    )
                    with contextlib.suppress(Exception):  # already gone
                        await read_session.invalidate()
