"""The plugin's GraphQL types and fields."""

from __future__ import annotations

import datetime

import strawberry
from sqlalchemy import select

from core.units.models import Unit as UnitRow
from core.units.tree import in_subtree
from pingyang_volunteers import loaders
from pingyang_volunteers.models import Duty, Team
from schema import loaders as core_loaders
from schema.refs import LazyPerson, LazyUnit

DutyEnum = strawberry.enum(
    Duty,
    name="VolunteerDuty",
    description="宣传 PUBLICITY, 调查 SURVEY, 调解 MEDIATION, 监督 SUPERVISION.",
)


@strawberry.type(description="A volunteer team member (志愿者) and their duty.")
class VolunteerMember:
    duty: DutyEnum
    person_id: strawberry.Private[int]

    @strawberry.field
    async def person(self, info: strawberry.Info) -> LazyPerson | None:
        return await info.context.loader(core_loaders.people_by_id).load(self.person_id)


@strawberry.type(description="An election volunteer team (换届志愿服务队) of a village.")
class VolunteerTeam:
    id: int
    name: str
    formed_on: datetime.date
    unit_id: strawberry.Private[int]

    @strawberry.field(description="The village the team serves.")
    async def unit(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(core_loaders.units_by_id).load(self.unit_id)

    @strawberry.field
    async def members(self, info: strawberry.Info) -> list[VolunteerMember]:
        rows = await info.context.loader(loaders.members_by_team).load(self.id)
        return [VolunteerMember(duty=m.duty, person_id=m.person_id) for m in rows]


def as_type(team: Team) -> VolunteerTeam:
    return VolunteerTeam(id=team.id, name=team.name, formed_on=team.formed_on, unit_id=team.unit_id)


@strawberry.type
class VolunteerQuery:
    @strawberry.field(description="平阳 volunteer teams under a unit.")
    async def volunteer_teams(self, info: strawberry.Info, under_unit: str) -> list[VolunteerTeam]:
        unit_id = await info.context.scalar(select(UnitRow.id).where(UnitRow.code == under_unit))
        if unit_id is None:
            return []
        rows = await info.context.scalars(
            select(Team).where(in_subtree(Team.unit_id, unit_id)).order_by(Team.id)
        )
        return [as_type(t) for t in rows]


@strawberry.type
class PersonVolunteering:
    @strawberry.field(description="平阳: the volunteer teams the person serves in.")
    async def volunteer_teams(self, info: strawberry.Info) -> list[VolunteerTeam]:
        rows = await info.context.loader(loaders.teams_by_person).load(self.id)
        return [as_type(t) for t in rows]
