"""Per-request state: one read session (used one statement at a time), DataLoaders, commands."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from core.commands import CommandContext, run_command
from core.errors import Problem
from core.settings import Settings

T = TypeVar("T")
BatchFn = Callable[["Context", Sequence[Any]], Awaitable[Sequence[Any]]]


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
        actor: str | None = None,
    ):
        self.sessionmaker = sessionmaker
        self.registry = registry
        self.settings = settings
        self.request = request
        self.actor = actor
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()
        self._loaders: dict[Hashable, DataLoader] = {}
        self.statements = 0

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self.sessionmaker()
        return self._session

    async def execute(self, statement: Any, **kwargs: Any) -> Any:
        async with self._lock:
            return await self.session.execute(statement, **kwargs)

    async def scalars(self, statement: Any) -> list[Any]:
        return list((await self.execute(statement)).scalars())

    async def scalar(self, statement: Any) -> Any:
        return (await self.execute(statement)).scalar_one_or_none()

    async def read(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``work(session)`` holding the request's lock (for services taking a session)."""
        async with self._lock:
            return await work(self.session)

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
    ) -> T:
        """Run a write in its own transaction; events reach plugins after the commit."""
        return await run_command(
            self.sessionmaker,
            self.registry,
            command,
            actor=self.actor,
            on_integrity_error=on_integrity_error,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
