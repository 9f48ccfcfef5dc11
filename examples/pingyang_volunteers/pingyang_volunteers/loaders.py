"""Batch loads: one query for every person asked for in a request."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from pingyang_volunteers.models import Member, Team


async def teams_by_person(ctx: Any, person_ids: Sequence[int]) -> list[list[Team]]:
    rows = await ctx.execute(
        select(Member.person_id, Team)
        .join(Team, Team.id == Member.team_id)
        .where(Member.person_id.in_(person_ids))
        .order_by(Team.id)
    )
    teams: dict[int, list[Team]] = defaultdict(list)
    for person_id, team in rows:
        teams[person_id].append(team)
    return [teams.get(person_id, []) for person_id in person_ids]


async def members_by_team(ctx: Any, team_ids: Sequence[int]) -> list[list[Member]]:
    rows = await ctx.scalars(select(Member).where(Member.team_id.in_(team_ids)).order_by(Member.id))
    members: dict[int, list[Member]] = defaultdict(list)
    for member in rows:
        members[member.team_id].append(member)
    return [members.get(team_id, []) for team_id in team_ids]
