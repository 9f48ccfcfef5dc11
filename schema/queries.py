"""The core's root query fields."""

from __future__ import annotations

import datetime
import json
from typing import Annotated

import strawberry
from sqlalchemy import Text, cast, select
from strawberry import relay

from core.errors import DomainError
from core.initiatives.models import Initiative as InitiativeRow
from core.metrics.models import MetricDefinition as MetricRow
from core.metrics.models import Observation as ObservationRow
from core.metrics.series import metric_series
from core.people.models import Person as PersonRow
from core.postings.models import Posting as PostingRow
from core.units.models import Unit as UnitRow
from schema import filters as f
from schema.ids import MAX_ROW_ID, decode_id
from schema.pagination import Connection, paginate
from schema.query_errors import QueryError
from schema.refs import LazyInitiative, LazyPerson, LazyPosting, LazyUnit
from schema.types.metrics import MetricDefinition, Observation, SeriesGrouping, SeriesPoint

FIRST = "How many items to return (at most the maximum page size, 100 by default)."
AFTER = "The `endCursor` of the previous page."


@strawberry.type
class CoreQuery:
    @strawberry.field(
        description="Any object by its global ID; null when there is none, when the ID is not "
        "one of ours, or when the object lies outside your scope."
    )
    async def node(self, info: strawberry.Info, id: strawberry.ID) -> relay.Node | None:
        try:
            gid = relay.GlobalID.from_id(id)
            if not 0 < int(gid.node_id) <= MAX_ROW_ID:
                return None
        except (ValueError, TypeError):
            return None
        definition = info.schema.get_type_by_name(gid.type_name)
        origin = getattr(definition, "origin", None)
        if not (isinstance(origin, type) and issubclass(origin, relay.Node)):
            return None
        found = await origin.resolve_nodes(info=info, node_ids=[gid.node_id], required=False)
        return next(iter(found), None)

    @strawberry.field(description="A unit by its code, e.g. 330302 for 鹿城区.")
    async def unit(self, info: strawberry.Info, code: str) -> LazyUnit | None:
        return await info.context.scalar(select(UnitRow).where(UnitRow.code == code))

    @strawberry.field(description="Units, ordered by code.")
    async def units(
        self,
        info: strawberry.Info,
        filter: f.UnitFilter | None = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[LazyUnit]:
        filter = filter or f.UnitFilter()
        conditions = await f.under(info, UnitRow.id, filter.under_unit)
        if filter.kind is not None:
            conditions.append(UnitRow.kind == filter.kind)
        conditions += f.search_condition(UnitRow.name, filter.search)
        statement = select(UnitRow).where(*conditions).order_by(UnitRow.code)
        return await paginate(info, statement, first, after)

    @strawberry.field(description="A person by global ID.")
    async def person(self, info: strawberry.Info, id: strawberry.ID) -> LazyPerson | None:
        try:
            person_id = decode_id(id, "Person", "id")
        except DomainError:
            return None
        return await info.context.scalar(select(PersonRow).where(PersonRow.id == person_id))

    @strawberry.field(description="People, ordered by name.")
    async def people(
        self,
        info: strawberry.Info,
        filter: f.PersonFilter | None = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[LazyPerson]:
        filter = filter or f.PersonFilter()
        conditions = await f.under(info, PersonRow.home_unit_id, filter.under_unit)
        if filter.political_status is not None:
            conditions.append(PersonRow.political_status == filter.political_status)
        if filter.rank is not None:
            conditions.append(PersonRow.rank == filter.rank)
        conditions += f.search_condition(PersonRow.name, filter.search)
        if filter.tag:
            # Tags are a JSON list of strings: matched as the quoted element in its text.
            tag = json.dumps(filter.tag, ensure_ascii=False)
            conditions += f.search_condition(cast(PersonRow.tags, Text), tag)
        statement = select(PersonRow).where(*conditions).order_by(PersonRow.name, PersonRow.id)
        return await paginate(info, statement, first, after)

    @strawberry.field(description="Postings, newest start first.")
    async def postings(
        self,
        info: strawberry.Info,
        filter: f.PostingFilter | None = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[LazyPosting]:
        filter = filter or f.PostingFilter()
        conditions = await f.under(info, PostingRow.host_unit_id, filter.under_unit)
        if filter.status is not None:
            conditions.append(PostingRow.status == filter.status)
        if filter.role is not None:
            conditions.append(PostingRow.role == filter.role)
        if filter.person_id is not None:
            try:
                conditions.append(
                    PostingRow.person_id == decode_id(filter.person_id, "Person", "personId")
                )
            except DomainError as exc:
                raise QueryError("NOT_FOUND", exc.problems[0].message, "filter.personId") from exc
        if filter.initiative_code is not None:
            conditions.append(
                PostingRow.initiative_id.in_(
                    select(InitiativeRow.id).where(InitiativeRow.code == filter.initiative_code)
                )
            )
        statement = (
            select(PostingRow)
            .where(*conditions)
            .order_by(PostingRow.start_date.desc(), PostingRow.id.desc())
        )
        return await paginate(info, statement, first, after)

    @strawberry.field(description="An initiative by its code.")
    async def initiative(self, info: strawberry.Info, code: str) -> LazyInitiative | None:
        return await info.context.scalar(select(InitiativeRow).where(InitiativeRow.code == code))

    @strawberry.field(description="Initiatives, ordered by code.")
    async def initiatives(
        self,
        info: strawberry.Info,
        filter: f.InitiativeFilter | None = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[LazyInitiative]:
        filter = filter or f.InitiativeFilter()
        conditions = await f.under(info, InitiativeRow.owner_unit_id, filter.under_unit)
        if filter.kind is not None:
            conditions.append(InitiativeRow.kind == filter.kind)
        if filter.status is not None:
            conditions.append(InitiativeRow.status == filter.status)
        if filter.scheme is not None:
            conditions.append(InitiativeRow.scheme == filter.scheme)
        statement = select(InitiativeRow).where(*conditions).order_by(InitiativeRow.code)
        return await paginate(info, statement, first, after)

    @strawberry.field(description="Every metric definition, ordered by code.")
    async def metrics(self, info: strawberry.Info) -> list[MetricDefinition]:
        return await info.context.scalars(select(MetricRow).order_by(MetricRow.code))

    @strawberry.field(description="Observations, newest period first.")
    async def observations(
        self,
        info: strawberry.Info,
        filter: f.ObservationFilter | None = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[Observation]:
        filter = filter or f.ObservationFilter()
        conditions = await f.under(info, ObservationRow.unit_id, filter.under_unit)
        if filter.metric is not None:
            conditions.append(
                ObservationRow.metric_id.in_(
                    select(MetricRow.id).where(MetricRow.code == filter.metric)
                )
            )
        if filter.date_from is not None:
            conditions.append(ObservationRow.period_start >= filter.date_from)
        if filter.date_to is not None:
            conditions.append(ObservationRow.period_start <= filter.date_to)
        if filter.initiative_code is not None:
            conditions.append(
                ObservationRow.initiative_id.in_(
                    select(InitiativeRow.id).where(InitiativeRow.code == filter.initiative_code)
                )
            )
        statement = (
            select(ObservationRow)
            .where(*conditions)
            .order_by(ObservationRow.period_start.desc(), ObservationRow.id.desc())
        )
        return await paginate(info, statement, first, after)

    @strawberry.field(
        description="A metric aggregated over a subtree by the database: one point per group "
        "unit and period, e.g. households visited per town per month under 鹿城区."
    )
    async def metric_series(
        self,
        info: strawberry.Info,
        metric: Annotated[str, strawberry.argument(description="A metric code.")],
        under_unit: Annotated[str, strawberry.argument(description=f.UNDER_UNIT)],
        group_by: SeriesGrouping | None = None,
        date_from: Annotated[
            datetime.date | None,
            strawberry.argument(name="from", description="Periods starting on or after."),
        ] = None,
        date_to: Annotated[
            datetime.date | None,
            strawberry.argument(name="to", description="Periods starting on or before."),
        ] = None,
    ) -> list[SeriesPoint]:
        definition = await info.context.scalar(select(MetricRow).where(MetricRow.code == metric))
        if definition is None:
            raise QueryError("UNKNOWN_METRIC", f"no metric is defined as {metric!r}", "metric")
        unit = await info.context.scalar(select(UnitRow).where(UnitRow.code == under_unit))
        if unit is None:
            raise QueryError("NOT_FOUND", f"no unit has the code {under_unit!r}", "underUnit")
        if date_from and date_to and date_to < date_from:
            raise QueryError("DATE_ORDER", "`to` lies before `from`", "to")
        group_by = group_by or SeriesGrouping()
        points = await info.context.read(
            lambda session: metric_series(
                session,
                definition,
                unit,
                level=group_by.level,
                period=group_by.period,
                date_from=date_from,
                date_to=date_to,
            )
        )
        return [
            SeriesPoint(
                unit_id=p.unit_id, period_start=p.period_start, value=p.value, count=p.count
            )
            for p in points
        ]
