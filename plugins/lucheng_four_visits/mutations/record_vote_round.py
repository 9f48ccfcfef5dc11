"""``recordFourVisitsVoteRound``: 两票一度 of a village team, scored with the weights in force."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from sqlalchemy import select

from core import DomainError, Problem
from core.people.models import Person
from core.plugin_state.services import settings_for
from core.units.models import UnitKind
from core.units.services import require_unit
from schema.errors import UserError, mutation_payload
from schema.ids import decode_id

from .. import KEY
from ..activity import campaigns_by_code, ensure_active
from ..clock import today as china_today
from ..metrics import MEMBER_COMPOSITE, TEAM_COMPOSITE, Recorder
from ..models import Tally, VoteRound
from ..types import FourVisitsVoteRound
from ..votes import Counts, Weights, check_counts, score


@strawberry.input(description="A trust vote: ballots for, against and abstaining.")
class FourVisitsBallotsInput:
    in_favour: int
    against: int
    abstain: int


@strawberry.input(description="A satisfaction rating: satisfied, basically satisfied, not.")
class FourVisitsRatingInput:
    satisfied: int
    basically_satisfied: int
    dissatisfied: int


@strawberry.input(description="The two votes and the rating of the team or of one member.")
class FourVisitsTallyInput:
    party_member_vote: FourVisitsBallotsInput
    representative_vote: FourVisitsBallotsInput
    satisfaction: FourVisitsRatingInput


@strawberry.input
class FourVisitsMemberTallyInput:
    person_id: strawberry.ID
    tally: FourVisitsTallyInput


@strawberry.input(description="两票一度 of one village team for one election initiative.")
class RecordFourVisitsVoteRoundInput:
    village_code: str
    initiative_code: str = strawberry.field(description="The election initiative.")
    held_on: datetime.date
    party_members_eligible: int = strawberry.field(description="Party members entitled to vote.")
    representatives_eligible: int = strawberry.field(
        description="Villager representatives entitled to vote."
    )
    raters_eligible: int | None = strawberry.field(
        default=None, description="People entitled to rate satisfaction, when known."
    )
    team: FourVisitsTallyInput
    members: list[FourVisitsMemberTallyInput] = strawberry.field(default_factory=list)


@strawberry.type
class RecordFourVisitsVoteRoundPayload:
    vote_round: FourVisitsVoteRound | None = None
    errors: list[UserError]


def _counts(tally: FourVisitsTallyInput) -> Counts:
    p, r, s = tally.party_member_vote, tally.representative_vote, tally.satisfaction
    return Counts(
        party_for=p.in_favour,
        party_against=p.against,
        party_abstain=p.abstain,
        representative_for=r.in_favour,
        representative_against=r.against,
        representative_abstain=r.abstain,
        satisfied=s.satisfied,
        basically_satisfied=s.basically_satisfied,
        dissatisfied=s.dissatisfied,
    )


async def record_round(ctx: Any, data: RecordFourVisitsVoteRoundInput) -> VoteRound:
    village = await require_unit(ctx.session, data.village_code, "villageCode")
    await ensure_active(ctx, village.id, "villageCode")
    if village.kind is not UnitKind.VILLAGE:
        raise DomainError.one(
            "FOUR_VISITS_NOT_A_VILLAGE",
            f"{village.code} {village.name} is a {village.kind.value.lower()}; 两票一度 rates "
            "village teams",
            "villageCode",
        )
    initiative = (await campaigns_by_code(ctx.session, [data.initiative_code])).get(
        data.initiative_code
    )
    if initiative is None:
        raise DomainError.one(
            "NOT_FOUND", f"no initiative has the code {data.initiative_code!r}", "initiativeCode"
        )
    problems: list[Problem] = []
    if data.held_on > china_today():
        problems.append(Problem("INVALID", "heldOn lies in the future", "heldOn"))
    for name, value in (
        ("partyMembersEligible", data.party_members_eligible),
        ("representativesEligible", data.representatives_eligible),
        ("ratersEligible", data.raters_eligible),
    ):
        if value is not None and value < 0:
            problems.append(Problem("FOUR_VISITS_NEGATIVE_COUNT", f"{name} is negative", name))
    if problems:
        raise DomainError(*problems)
    limits = {
        "party_eligible": data.party_members_eligible,
        "representatives_eligible": data.representatives_eligible,
        "raters_eligible": data.raters_eligible,
    }
    subjects: list[tuple[int | None, Counts]] = [(None, _counts(data.team))]
    problems += check_counts(subjects[0][1], "team", **limits)
    seen: set[int] = set()
    for index, member in enumerate(data.members):
        field = f"members.{index}"
        person_id = decode_id(member.person_id, "Person", f"{field}.personId")
        if person_id in seen:
            problems.append(Problem("INVALID", "this member is listed twice", f"{field}.personId"))
        elif await ctx.session.scalar(select(Person.id).where(Person.id == person_id)) is None:
            problems.append(Problem("NOT_FOUND", "no person has this id", f"{field}.personId"))
        seen.add(person_id)
        counts = _counts(member.tally)
        problems += check_counts(counts, f"{field}.tally", **limits)
        subjects.append((person_id, counts))
    if problems:
        raise DomainError(*problems)
    existing = await ctx.session.scalar(
        select(VoteRound.id).where(
            VoteRound.unit_id == village.id, VoteRound.initiative_id == initiative.id
        )
    )
    if existing is not None:
        raise DomainError.one(
            "FOUR_VISITS_ROUND_EXISTS",
            f"{village.name} already has a vote round for {initiative.code}",
            "initiativeCode",
        )

    settings = await settings_for(ctx.session, ctx.registry, KEY, village.id)
    weights = Weights.from_settings(settings, "villageCode")
    vote_round = VoteRound(
        unit_id=village.id,
        initiative_id=initiative.id,
        held_on=data.held_on,
        party_members_eligible=data.party_members_eligible,
        representatives_eligible=data.representatives_eligible,
        raters_eligible=data.raters_eligible,
        party_weight=weights.party,
        representative_weight=weights.representative,
        satisfaction_weight=weights.satisfaction,
        basically_satisfied_credit=weights.basically_credit,
        recorded_by=ctx.actor,
    )
    ctx.session.add(vote_round)
    await ctx.session.flush()
    metrics = Recorder(ctx.session, ctx.actor)
    for person_id, counts in subjects:
        scores = score(counts, weights)
        ctx.session.add(
            Tally(
                round_id=vote_round.id,
                unit_id=village.id,
                person_id=person_id,
                **vars(counts),
                party_approval=scores.party_approval,
                representative_approval=scores.representative_approval,
                satisfaction=scores.satisfaction,
                composite=scores.composite,
            )
        )
        code = TEAM_COMPOSITE if person_id is None else MEMBER_COMPOSITE
        await metrics.add(
            code,
            key=f"vc:{vote_round.id}:{person_id or 'team'}",
            unit_id=village.id,
            day=data.held_on,
            value=round(scores.composite * 100, 4),
            initiative_id=initiative.id,
            person_id=person_id,
        )
    await ctx.session.flush()
    ctx.publish(
        f"{KEY}.vote_round_recorded", source=KEY, vote_round_id=vote_round.id, unit_id=village.id
    )
    return vote_round


@strawberry.type
class RecordFourVisitsVoteRoundMutation:
    @strawberry.mutation(
        description="鹿城 两票一度: record a village team's party-member trust vote, "
        "villager-representative trust vote and satisfaction rating, for the team and each "
        "member; composites are computed with the weights in force at the village (3:5:2)."
    )
    async def record_four_visits_vote_round(
        self, info: strawberry.Info, input: RecordFourVisitsVoteRoundInput
    ) -> RecordFourVisitsVoteRoundPayload:
        return await mutation_payload(
            RecordFourVisitsVoteRoundPayload,
            info.context.run(
                lambda ctx: record_round(ctx, input),
                on_integrity_error=Problem(
                    "FOUR_VISITS_ROUND_EXISTS",
                    "another request recorded this village's round at the same time",
                    "initiativeCode",
                ),
            ),
            "vote_round",
        )
