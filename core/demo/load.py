"""Insert the demo data idempotently: what exists (matched by its natural key) is left alone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.demo import data
from core.initiatives.models import Initiative
from core.metrics.models import MetricDefinition, Observation
from core.people.models import Person
from core.postings.models import Posting
from core.units.models import Unit
from core.units.tree import link_new_unit

RECORDED_BY = "demo"


async def load_demo(session: AsyncSession) -> dict[str, int]:
    """Insert the demo data that is missing; returns the rows created per kind.

    Units are matched by code, people by external key, initiatives and metrics by code,
    observations by external key and postings by (person, host unit, role, start date). Nothing
    is updated and nothing is committed: the caller commits.
    """
    units = await _load_units(session)
    people = await _load_people(session, units.rows)
    initiatives = await _load_initiatives(session, units.rows)
    metrics = await _load_metrics(session)
    postings = await _load_postings(session, units.rows, people.rows, initiatives.rows)
    observations = await _load_observations(
        session, units.rows, people.rows, initiatives.rows, metrics.rows
    )
    await session.flush()
    return {
        "units": units.created,
        "people": people.created,
        "initiatives": initiatives.created,
        "metrics": metrics.created,
        "postings": postings,
        "observations": observations,
    }


class _Loaded:
    """Rows by natural key (existing and new) and how many were created."""

    def __init__(self, rows: dict[str, Any]):
        self.rows = rows
        self.created = 0


async def _existing(session: AsyncSession, column: Any, keys: Iterable[str]) -> dict[str, Any]:
    model = column.class_
    wanted = list(keys)
    rows = (await session.execute(select(model).where(column.in_(wanted)))).scalars()
    return {getattr(row, column.key): row for row in rows}


def _parents_first(units: Iterable[data.DemoUnit]) -> list[data.DemoUnit]:
    """Order the units so that every parent comes before its children."""
    pending = list(units)
    placed: set[str] = set()
    ordered: list[data.DemoUnit] = []
    while pending:
        ready = [u for u in pending if u.parent_code is None or u.parent_code in placed]
        if not ready:
            raise ValueError(f"demo units without a demo parent: {[u.code for u in pending]}")
        ordered += ready
        placed.update(u.code for u in ready)
        pending = [u for u in pending if u.code not in placed]
    return ordered


async def _load_units(session: AsyncSession) -> _Loaded:
    loaded = _Loaded(await _existing(session, Unit.code, (u.code for u in data.UNITS)))
    for spec in _parents_first(data.UNITS):
        if spec.code in loaded.rows:
            continue
        parent = loaded.rows[spec.parent_code] if spec.parent_code else None
        unit = Unit(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            parent_id=parent.id if parent else None,
            depth=parent.depth + 1 if parent else 0,
        )
        session.add(unit)
        await session.flush()
        await link_new_unit(session, unit)
        loaded.rows[spec.code] = unit
        loaded.created += 1
    return loaded


async def _load_people(session: AsyncSession, units: dict[str, Unit]) -> _Loaded:
    loaded = _Loaded(
        await _existing(session, Person.external_key, (p.external_key for p in data.PEOPLE))
    )
    for spec in data.PEOPLE:
        if spec.external_key in loaded.rows:
            continue
        person = Person(
            name=spec.name,
            gender=spec.gender,
            birth_year=spec.birth_year,
            political_status=spec.political_status,
            rank=spec.rank,
            home_unit_id=units[spec.home_unit_code].id,
            home_post=spec.home_post,
            phone=spec.phone,
            id_number=spec.id_number,
            tags=list(spec.tags),
            external_key=spec.external_key,
        )
        session.add(person)
        loaded.rows[spec.external_key] = person
        loaded.created += 1
    await session.flush()
    return loaded


async def _load_initiatives(session: AsyncSession, units: dict[str, Unit]) -> _Loaded:
    loaded = _Loaded(await _existing(session, Initiative.code, (i.code for i in data.INITIATIVES)))
    for spec in data.INITIATIVES:
        if spec.code in loaded.rows:
            continue
        initiative = Initiative(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            scheme=spec.scheme,
            owner_unit_id=units[spec.owner_unit_code].id,
            start_date=spec.start_date,
            end_date=spec.end_date,
            status=spec.status,
            description=spec.description,
        )
        session.add(initiative)
        loaded.rows[spec.code] = initiative
        loaded.created += 1
    await session.flush()
    return loaded


async def _load_metrics(session: AsyncSession) -> _Loaded:
    codes = (m.code for m in data.METRICS)
    loaded = _Loaded(await _existing(session, MetricDefinition.code, codes))
    for spec in data.METRICS:
        if spec.code in loaded.rows:
            continue
        metric = MetricDefinition(
            code=spec.code,
            name=spec.name,
            unit_of_measure=spec.unit_of_measure,
            aggregation=spec.aggregation,
            value_type=spec.value_type,
            source=spec.source,
            description=spec.description,
        )
        session.add(metric)
        loaded.rows[spec.code] = metric
        loaded.created += 1
    await session.flush()
    return loaded


async def _load_postings(
    session: AsyncSession,
    units: dict[str, Unit],
    people: dict[str, Person],
    initiatives: dict[str, Initiative],
) -> int:
    def key(spec: data.DemoPosting) -> tuple[Any, ...]:
        return (
            people[spec.person_key].id,
            units[spec.host_unit_code].id,
            spec.role,
            spec.start_date,
        )

    person_ids = {person.id for person in people.values()}
    columns = (Posting.person_id, Posting.host_unit_id, Posting.role, Posting.start_date)
    existing = {
        tuple(row)
        for row in await session.execute(select(*columns).where(Posting.person_id.in_(person_ids)))
    }
    created = 0
    for spec in data.POSTINGS:
        if key(spec) in existing:
            continue
        person_id, host_unit_id, role, start_date = key(spec)
        session.add(
            Posting(
                person_id=person_id,
                host_unit_id=host_unit_id,
                role=role,
                title=spec.title,
                initiative_id=initiatives[spec.initiative_code].id
                if spec.initiative_code
                else None,
                start_date=start_date,
                end_date=spec.end_date,
                status=spec.status,
                recall_reason=spec.recall_reason,
            )
        )
        existing.add(key(spec))
        created += 1
    await session.flush()
    return created


async def _load_observations(
    session: AsyncSession,
    units: dict[str, Unit],
    people: dict[str, Person],
    initiatives: dict[str, Initiative],
    metrics: dict[str, MetricDefinition],
) -> int:
    existing = await _existing(
        session, Observation.external_key, (o.external_key for o in data.OBSERVATIONS)
    )
    created = 0
    for spec in data.OBSERVATIONS:
        if spec.external_key in existing:
            continue
        observation = Observation(
            metric_id=metrics[spec.metric_code].id,
            unit_id=units[spec.unit_code].id,
            person_id=people[spec.person_key].id if spec.person_key else None,
            initiative_id=initiatives[spec.initiative_code].id if spec.initiative_code else None,
            period=spec.period,
            period_start=spec.period_start,
            value=float(spec.value),
            recorded_by=RECORDED_BY,
            external_key=spec.external_key,
        )
        session.add(observation)
        existing[spec.external_key] = observation
        created += 1
    await session.flush()
    return created
