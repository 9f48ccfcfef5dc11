"""``yixian seed demo``: the core's demo data, then every plugin's, each idempotent."""

from __future__ import annotations

import inspect
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from core.metrics.declared import sync_declared_metrics
from core.units.models import Unit


async def database_is_empty(sessionmaker: async_sessionmaker) -> bool:
    async with sessionmaker() as session:
        return (await session.execute(select(func.count(Unit.id)))).scalar_one() == 0


async def seed_demo(sessionmaker: async_sessionmaker, registry: Any) -> dict[str, int]:
    """Load the demo data; returns the rows created per kind (all zero on a second run)."""
    from core.demo.load import load_demo

    async with sessionmaker() as session:
        counts = dict(await load_demo(session))
        counts["declared metrics"] = await sync_declared_metrics(session, registry)
        await session.commit()
    for impl in registry.pm.hook.load_demo_data.get_hookimpls():
        async with sessionmaker() as session:
            result = impl.function(**{n: session for n in impl.argnames if n == "session"})
            if inspect.isawaitable(result):
                result = await result
            await session.commit()
        if isinstance(result, dict):
            for kind, n in result.items():
                counts[f"{impl.plugin_name}: {kind}"] = n
    return counts
