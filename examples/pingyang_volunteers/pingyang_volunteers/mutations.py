"""``formVolunteerTeam``: a team for a village, with its first members."""

from __future__ import annotations

import datetime

import strawberry
from sqlalchemy import select

from core import DomainError
from core.people.models import Person
from core.plugin_state.services import require_active
from core.units.services import require_unit
from pingyang_volunteers import KEY
from pingyang_volunteers.models import Member, Team
from pingyang_volunteers.types import DutyEnum, VolunteerTeam, as_type
from schema.errors import UserError, mutation_payload
from schema.ids import decode_id


@strawberry.input
class VolunteerInput:
    person_id: strawberry.ID
    duty: DutyEnum


@strawberry.input(description="A new volunteer team.")
class FormVolunteerTeamInput:
    unit_code: str = strawberry.field(description="The village.")
    name: str
    formed_on: datetime.date
    members: list[VolunteerInput]


@strawberry.type
class FormVolunteerTeamPayload:
    team: VolunteerTeam | None = None
    errors: list[UserError]


async def form_team(ctx, data: FormVolunteerTeamInput) -> VolunteerTeam:
    unit = await require_unit(ctx.session, data.unit_code, "unitCode")
    await require_active(ctx.session, ctx.registry, KEY, unit, "unitCode")
    if not data.name.strip():
        raise DomainError.one("REQUIRED", "a team needs a name", "name")
    if not data.members:
        raise DomainError.one("PINGYANG_TEAM_EMPTY", "a team needs at least one member", "members")
    team = Team(unit_id=unit.id, name=data.name.strip(), formed_on=data.formed_on)
    ctx.session.add(team)
    await ctx.session.flush()
    for index, member in enumerate(data.members):
        person_id = decode_id(member.person_id, "Person", f"members.{index}.personId")
        if await ctx.session.scalar(select(Person.id).where(Person.id == person_id)) is None:
            raise DomainError.one("NOT_FOUND", "no person has this id", f"members.{index}.personId")
        ctx.session.add(Member(team_id=team.id, person_id=person_id, duty=member.duty))
    await ctx.session.flush()
    ctx.publish(f"{KEY}.team_formed", source=KEY, team_id=team.id, unit_id=unit.id)
    return as_type(team)


@strawberry.type
class VolunteerMutation:
    @strawberry.mutation(description="平阳: form a village's election volunteer team.")
    async def form_volunteer_team(
        self, info: strawberry.Info, input: FormVolunteerTeamInput
    ) -> FormVolunteerTeamPayload:
        return await mutation_payload(
            FormVolunteerTeamPayload, info.context.run(lambda ctx: form_team(ctx, input)), "team"
        )
