"""The plugin's root query fields: visits, findings, coverage, votes and the negative list."""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry
from sqlalchemy import func, or_, select

from core import DomainError
from core.access.scope import under_roots
from core.plugin_state.services import settings_for
from core.units.models import Unit
from core.units.tree import in_subtree
from schema.ids import decode_id
from schema.pagination import Connection, paginate
from schema.query_errors import QueryError

from . import KEY, loaders
from .activity import CampaignRef
from .clock import today as china_today
from .coverage import Level, coverage_by_level, resolution_times
from .models import Finding, FindingStatus, NegativeEntry, Tally, Visit, VoteRound
from .types import (
    FindingKindEnum,
    FindingStatusEnum,
    FourVisitsCoverage,
    FourVisitsFinding,
    FourVisitsLaggingVillages,
    FourVisitsNegativeListEntry,
    FourVisitsOverdueGroup,
    FourVisitsResolutionTime,
    FourVisitsVisit,
    FourVisitsVoteRound,
    LevelEnum,
    NegativeStatusEnum,
)
from .vetting import VETTER, vetter_roots

UNDER_UNIT = "A unit code: only what lies in that unit's subtree (the unit itself included)."
CAMPAIGN = "The campaign's initiative code, e.g. lucheng-four-visits-2020."
FIRST = "Page size."
AFTER = "The cursor of the last item of the previous page."


async def unit_id_for(info: strawberry.Info, code: str, field: str = "underUnit") -> int:
    unit_id = await info.context.scalar(select(Unit.id).where(Unit.code == code))
    if unit_id is None:
        raise QueryError("NOT_FOUND", f"no unit has the code {code!r}", field)
    return unit_id


async def campaign_for(info: strawberry.Info, code: str, field: str = "campaign") -> CampaignRef:
    row = await info.context.loader(loaders.campaigns_by_codes).load(code)
    if row is None:
        raise QueryError("NOT_FOUND", f"no initiative has the code {code!r}", field)
    return row


async def campaign_id_for(info: strawberry.Info, code: str, field: str = "campaign") -> int:
    return (await campaign_for(info, code, field)).id


def _today() -> datetime.date:
    return china_today()


def _fraction(value: float | None, field: str) -> float | None:
    if value is not None and not 0 <= value <= 1:
        raise QueryError("INVALID", f"{field} is a fraction from 0 to 1 (0.6 for 60%)", field)
    return value


@strawberry.type
class FourVisitsQuery:
    @strawberry.field(description="四访四问 visits under a unit, latest first.")
    async def four_visits_visits(
        self,
        info: strawberry.Info,
        under_unit: Annotated[str, strawberry.argument(description=UNDER_UNIT)],
        campaign: Annotated[str | None, strawberry.argument(description=CAMPAIGN)] = None,
        visitor_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this visitor's.")
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[FourVisitsVisit]:
        conditions = [in_subtree(Visit.unit_id, await unit_id_for(info, under_unit))]
        if campaign is not None:
            conditions.append(Visit.campaign_id == await campaign_id_for(info, campaign))
        if visitor_id is not None:
            try:
                person_id = decode_id(visitor_id, "Person", "visitorId")
            except DomainError as exc:
                raise QueryError("NOT_FOUND", str(exc), "visitorId") from exc
            conditions.append(Visit.visitor_id == person_id)
        statement = (
            select(Visit).where(*conditions).order_by(Visit.visited_on.desc(), Visit.id.desc())
        )
        return await paginate(info, statement, first, after)

    @strawberry.field(
        description="The visit recorded under an idempotency key, if any: a phone can ask "
        "whether an upload went through."
    )
    async def four_visits_visit(
        self, info: strawberry.Info, client_key: str
    ) -> FourVisitsVisit | None:
        return await info.context.scalar(select(Visit).where(Visit.client_key == client_key))

    @strawberry.field(description="Findings heard under a unit (or assigned to a unit under it).")
    async def four_visits_findings(
        self,
        info: strawberry.Info,
        under_unit: Annotated[str, strawberry.argument(description=UNDER_UNIT)],
        status: Annotated[
            list[FindingStatusEnum] | None, strawberry.argument(description="Any of these.")
        ] = None,
        kind: FindingKindEnum | None = None,
        unresolved: Annotated[
            bool,
            strawberry.argument(description="Only OPEN and ASSIGNED findings."),
        ] = False,
        older_than_days: Annotated[
            int | None,
            strawberry.argument(description="Only findings heard more than this many days ago."),
        ] = None,
        as_of: Annotated[
            datetime.date | None, strawberry.argument(description="Today, unless given.")
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[FourVisitsFinding]:
        root = await unit_id_for(info, under_unit)
        conditions = [
            or_(in_subtree(Finding.unit_id, root), in_subtree(Finding.assigned_unit_id, root))
        ]
        if status:
            conditions.append(Finding.status.in_(status))
        if unresolved:
            conditions.append(Finding.status.in_([FindingStatus.OPEN, FindingStatus.ASSIGNED]))
        if kind is not None:
            conditions.append(Finding.kind == kind)
        if older_than_days is not None:
            cutoff = (as_of or _today()) - datetime.timedelta(days=older_than_days)
            conditions.append(Finding.opened_on < cutoff)
        statement = select(Finding).where(*conditions).order_by(Finding.opened_on, Finding.id)
        return await paginate(info, statement, first, after)

    @strawberry.field(
        description="Overdue findings (ASSIGNED, past their due date) per responsible unit, for "
        "findings heard or assigned under a unit; most overdue first."
    )
    async def four_visits_overdue_findings(
        self,
        info: strawberry.Info,
        under_unit: Annotated[str, strawberry.argument(description=UNDER_UNIT)],
        as_of: Annotated[
            datetime.date | None, strawberry.argument(description="Today, unless given.")
        ] = None,
    ) -> list[FourVisitsOverdueGroup]:
        root = await unit_id_for(info, under_unit)
        day = as_of or _today()
        rows = await info.context.execute(
            select(
                Finding.assigned_unit_id,
                func.count(Finding.id).label("n"),
                func.min(Finding.due_on).label("oldest"),
            )
            .where(
                Finding.status == FindingStatus.ASSIGNED,
                Finding.due_on < day,
                or_(in_subtree(Finding.unit_id, root), in_subtree(Finding.assigned_unit_id, root)),
            )
            .group_by(Finding.assigned_unit_id)
            .order_by(func.min(Finding.due_on), Finding.assigned_unit_id)
        )
        return [
            FourVisitsOverdueGroup(
                count=n, oldest_due_on=oldest, unit_id=unit_id, as_of=day, root=root
            )
            for unit_id, n, oldest in rows
        ]

    @strawberry.field(
        description="Coverage (distinct households visited / households) per village, town or "
        "district under a unit, computed by the database; ordered by unit code."
    )
    async def four_visits_coverage(
        self,
        info: strawberry.Info,
        campaign: Annotated[str, strawberry.argument(description=CAMPAIGN)],
        under_unit: Annotated[str, strawberry.argument(description=UNDER_UNIT)],
        level: LevelEnum = Level.VILLAGE,
        below_rate: Annotated[
            float | None,
            strawberry.argument(description="Only units under this rate (0–1), lowest first."),
        ] = None,
    ) -> list[FourVisitsCoverage]:
        below = _fraction(below_rate, "belowRate")
        campaign_id = await campaign_id_for(info, campaign)
        root = await unit_id_for(info, under_unit)
        rows = await coverage_by_level(info.context, campaign_id, root, level, below)
        return [FourVisitsCoverage.of(r) for r in rows]

    @strawberry.field(
        description="Which villages are under a coverage rate with the campaign ending soon "
        "(“under 60% with two weeks left”). Defaults come from the settings at underUnit."
    )
    async def four_visits_lagging_villages(
        self,
        info: strawberry.Info,
        campaign: Annotated[str, strawberry.argument(description=CAMPAIGN)],
        under_unit: Annotated[str, strawberry.argument(description=UNDER_UNIT)],
        below_rate: Annotated[
            float | None,
            strawberry.argument(
                description="Coverage threshold, 0–1 (setting coverage_alert_below)."
            ),
        ] = None,
        within_days: Annotated[
            int | None,
            strawberry.argument(
                description="Days left from which to alert (setting coverage_alert_days_left)."
            ),
        ] = None,
        as_of: Annotated[
            datetime.date | None, strawberry.argument(description="Today, unless given.")
        ] = None,
    ) -> FourVisitsLaggingVillages:
        _fraction(below_rate, "belowRate")
        if within_days is not None and within_days < 0:
            raise QueryError("INVALID", "withinDays cannot be negative", "withinDays")
        initiative = await campaign_for(info, campaign)
        root = await unit_id_for(info, under_unit)
        settings = await info.context.read(
            lambda session: settings_for(session, info.context.registry, KEY, root)
        )
        below = settings.coverage_alert_below if below_rate is None else below_rate
        within = settings.coverage_alert_days_left if within_days is None else within_days
        day = as_of or _today()
        days_left = (initiative.end_date - day).days if initiative.end_date else None
        alerting = days_left is not None and days_left <= within
        villages = []
        if alerting:
            rows = await coverage_by_level(info.context, initiative.id, root, Level.VILLAGE, below)
            villages = [FourVisitsCoverage.of(r) for r in rows]
        return FourVisitsLaggingVillages(
            as_of=day,
            ends_on=initiative.end_date,
            days_left=days_left,
            below_rate=below,
            within_days=within,
            alerting=alerting,
            villages=villages,
        )

    @strawberry.field(
        description="Days from hearing to resolving findings, per village, town or district "
        "under a unit: median and mean, computed by the database."
    )
    async def four_visits_resolution_times(
        self,
        info: strawberry.Info,
        under_unit: Annotated[str, strawberry.argument(description=UNDER_UNIT)],
        level: LevelEnum = Level.TOWN,
        date_from: Annotated[
            datetime.date | None,
            strawberry.argument(name="from", description="Resolved on or after."),
        ] = None,
        date_to: Annotated[
            datetime.date | None,
            strawberry.argument(name="to", description="Resolved on or before."),
        ] = None,
    ) -> list[FourVisitsResolutionTime]:
        root = await unit_id_for(info, under_unit)
        rows = await resolution_times(info.context, root, level, date_from, date_to)
        return [FourVisitsResolutionTime.of(r) for r in rows]

    @strawberry.field(
        description="两票一度 vote rounds of village teams under a unit, lowest team composite "
        "first."
    )
    async def four_visits_vote_rounds(
        self,
        info: strawberry.Info,
        under_unit: Annotated[str, strawberry.argument(description=UNDER_UNIT)],
        initiative: Annotated[
            str | None, strawberry.argument(description="An election initiative's code.")
        ] = None,
        below_composite: Annotated[
            float | None,
            strawberry.argument(description="Only teams whose composite is under this (0–1)."),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[FourVisitsVoteRound]:
        _fraction(below_composite, "belowComposite")
        root = await unit_id_for(info, under_unit)
        conditions = [in_subtree(VoteRound.unit_id, root)]
        if initiative is not None:
            conditions.append(
                VoteRound.initiative_id == await campaign_id_for(info, initiative, "initiative")
            )
        if below_composite is not None:
            conditions.append(Tally.composite < below_composite)
        statement = (
            select(VoteRound)
            .join(Tally, (Tally.round_id == VoteRound.id) & Tally.person_id.is_(None))
            .where(*conditions)
            .order_by(Tally.composite, VoteRound.id)
        )
        return await paginate(info, statement, first, after)

    @strawberry.field(
        description="鹿城 负面清单 under a unit, for admins and vetters "
        "(lucheng.four_visits.vetter); oldest first."
    )
    async def four_visits_negative_list(
        self,
        info: strawberry.Info,
        under_unit: Annotated[str, strawberry.argument(description=UNDER_UNIT)],
        status: NegativeStatusEnum | None = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
    ) -> Connection[FourVisitsNegativeListEntry]:
        roots = vetter_roots(info.context.principal)
        if roots is not None and not roots:
            raise QueryError("FORBIDDEN", f"the negative list is for admins and {VETTER} holders")
        conditions = [in_subtree(NegativeEntry.unit_id, await unit_id_for(info, under_unit))]
        if roots is not None:
            conditions.append(under_roots(NegativeEntry.unit_id, tuple(sorted(roots))))
        if status is not None:
            conditions.append(NegativeEntry.status == status)
        statement = (
            select(NegativeEntry)
            .where(*conditions)
            .order_by(NegativeEntry.entered_at, NegativeEntry.id)
        )
        return await paginate(info, statement, first, after)
