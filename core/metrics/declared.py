"""Metric definitions declared by plugins (``register_metrics``), written to the database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import PluginError
from core.metrics.models import Aggregation, MetricDefinition, ValueType


async def sync_declared_metrics(session: AsyncSession, registry: Any) -> int:
    """Create or update every declared metric; returns how many rows were created."""
    created = 0
    for key, specs in registry.call_each("register_metrics"):
        for spec in specs:
            owner = "core" if key.startswith("core") else key
            if owner != "core" and not spec.code.startswith(owner + "."):
                raise PluginError(
                    f"plugin {key}: metric {spec.code!r} must start with {owner + '.'!r}", key
                )
            row = (
                await session.execute(
                    select(MetricDefinition).where(MetricDefinition.code == spec.code)
                )
            ).scalar_one_or_none()
            if row is None:
                row = MetricDefinition(code=spec.code)
                session.add(row)
                created += 1
            row.name = spec.name
            row.unit_of_measure = spec.unit_of_measure
            row.aggregation = Aggregation(spec.aggregation)
            row.value_type = ValueType(spec.value_type)
            row.source = owner
            row.description = spec.description or None
    await session.flush()
    return created
