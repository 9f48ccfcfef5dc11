"""The plugin's GraphQL types, its root queries and its fields on ``Person`` and ``Unit``.

A ``ThreeDegreeReserveCadre`` is resolved from the ORM row itself (``self`` is a
``models.ReserveCadre`` in its resolvers); everything it points at loads through DataLoaders.
"""

from __future__ import annotations

import datetime
import enum
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry import relay

from core import DomainError, in_subtree
from core import Initiative as InitiativeRow
from core import Unit as UnitRow
from schema import loaders as core_loaders
from schema.ids import MAX_ROW_ID, decode_id, encode_id
from schema.refs import LazyInitiative, LazyPerson, LazyPosting, LazyUnit

from . import loaders
from .models import (
    FINAL_STATES,
    Objection,
    ObjectionStatus,
    RaterGroup,
    Rating,
    ReserveCadre,
    State,
)
from .scoring import DEGREES, Config, Scores, rounded, score
from .workflow import allowed_next

StateEnum = strawberry.enum(
    State,
    name="ThreeDegreeState",
    description="Where a reserve cadre stands: NOMINATED (后备干部, being assessed) → ASSESSED "
    "(三度测评 closed) → APPROVED (测评会议) → NOTICE (公示) → TRIAL (试岗) → POOLED (人选库); "
    "REJECTED at the meeting, after an upheld objection or after the trial.",
)
RaterGroupEnum = strawberry.enum(
    RaterGroup,
    name="ThreeDegreeRaterGroup",
    description="Who rates: SELF (与对象本人谈), MASSES (向身边群众问), NOTABLES (请乡贤能人说), "
    "TEAM (the assessment team, 测评小组).",
)
ObjectionStatusEnum = strawberry.enum(
    ObjectionStatus,
    name="ThreeDegreeObjectionStatus",
    description="OPEN until resolved: UPHELD (the objection stands) or DISMISSED.",
)

TYPE_NAME = "ThreeDegreeReserveCadre"
OBJECTION_TYPE = "ThreeDegreeObjection"
DEFAULT_FIRST = 100


def _row_id(node_id: Any) -> int:
    """A node id as a row id; one that is no integer in 1..MAX_ROW_ID names no row (0): on
    PostgreSQL a larger number would not even fit the id column."""
    try:
        row_id = int(node_id)
    except (TypeError, ValueError):
        return 0
    return row_id if 0 < row_id <= MAX_ROW_ID else 0


def _can_audit(info: strawberry.Info) -> bool:
    principal = info.context.principal
    return principal is not None and (principal.admin or principal.is_auditor)


@strawberry.type(
    name="ThreeDegreeRating",
    description="One rating of the three degrees (0–100). A masses' rating is anonymous by "
    "default: its rater is never shown, but who entered it is kept.",
)
class RatingType:
    group: RaterGroupEnum
    loyalty: float = strawberry.field(description="忠诚度.")
    satisfaction: float = strawberry.field(description="满意度.")
    competence: float = strawberry.field(description="胜任度.")
    comment: str | None
    anonymous: bool
    rated_on: datetime.date
    row: strawberry.Private[Rating]

    @strawberry.field(description="Who gave the rating; null when it is anonymous.")
    def rater_name(self) -> str | None:
        return None if self.row.anonymous else self.row.rater_name

    @strawberry.field(
        description="The user who entered the rating: shown to admins and auditors only."
    )
    def entered_by(self, info: strawberry.Info) -> str | None:
        return self.row.entered_by if _can_audit(info) else None


def as_rating(row: Rating) -> RatingType:
    return RatingType(
        group=row.rater_group,
        loyalty=row.loyalty,
        satisfaction=row.satisfaction,
        competence=row.competence,
        comment=row.comment,
        anonymous=row.anonymous,
        rated_on=row.rated_on,
        row=row,
    )


@strawberry.type(
    name="ThreeDegreeGroupScores",
    description="A rater group's part of an assessment. Until the group has the minimum number "
    "of ratings only its count is shown: its scores and ratings stay hidden.",
)
class GroupScoresType:
    group: RaterGroupEnum
    weight: float = strawberry.field(description="Its weight in each degree's score.")
    count: int = strawberry.field(description="How many ratings it has.")
    min_ratings: int = strawberry.field(
        description="The ratings it needs to be shown, and to let the assessment close when "
        "it is weighted (5 masses, 5 notables, 1 talk with the person, 1 team rating by default)."
    )
    shown: bool = strawberry.field(description="Whether it has enough ratings to be shown.")
    loyalty: float | None
    satisfaction: float | None
    competence: float | None
    ratings: list[RatingType] = strawberry.field(description="Empty while the group is hidden.")


@strawberry.type(name="ThreeDegreeWeight", description="A weight of the configuration.")
class WeightType:
    name: str = strawberry.field(description="A rater group (SELF…) or a degree (loyalty…).")
    weight: float


@strawberry.type(
    name="ThreeDegreeMinRatings",
    description="The ratings a rater group needs before its scores are shown and before an "
    "assessment weighing it can close.",
)
class MinRatingsType:
    group: RaterGroupEnum
    min_ratings: int


@strawberry.type(
    name="ThreeDegreeConfig",
    description="The rules an assessment is scored under: those in force at the village when "
    "the reserve cadre was nominated, kept however the settings change later.",
)
class ConfigType:
    group_weights: list[WeightType]
    degree_weights: list[WeightType]
    pass_mark: float = strawberry.field(
        description="The lowest overall score a meeting may approve, compared with the "
        "unrounded overall score (79.996 fails 80)."
    )
    min_ratings: list[MinRatingsType] = strawberry.field(
        description="Per rater group, the ratings it needs to be shown and to close."
    )


@strawberry.type(
    name="ThreeDegreeAssessment",
    description="The three-degree assessment (三度测评): a degree's score is the weighted mean "
    "over rater groups, the overall score the weighted mean of the degrees. Scores are null "
    "until every weighted group has its minimum number of ratings; they are final once closed.",
)
class AssessmentType:
    cadre: strawberry.Private[ReserveCadre]

    def _config(self) -> Config:
        return Config.from_json(self.cadre.config)

    async def _scores(self, info: strawberry.Info) -> Scores:
        rows = await info.context.loader(loaders.ratings_by_cadre).load(self.cadre.id)
        return score(rows, self._config())

    async def _degree(self, info: strawberry.Info, name: str) -> float | None:
        if self.cadre.assessed_on is not None:
            return getattr(self.cadre, name)
        scores = await self._scores(info)
        if name == "overall":
            return rounded(scores.overall)
        return rounded(scores.degrees[name]) if scores.degrees else None

    @strawberry.field(description="Whether ratings are still taken (the record is NOMINATED).")
    def open(self) -> bool:
        return self.cadre.assessed_on is None and self.cadre.state is State.NOMINATED

    @strawberry.field(description="The day the assessment closed.")
    def closed_on(self) -> datetime.date | None:
        return self.cadre.assessed_on

    @strawberry.field
    def config(self) -> ConfigType:
        config = self._config()
        return ConfigType(
            group_weights=[WeightType(name=k, weight=v) for k, v in config.group_weights.items()],
            degree_weights=[WeightType(name=k, weight=v) for k, v in config.degree_weights.items()],
            pass_mark=config.pass_mark,
            min_ratings=[
                MinRatingsType(group=g, min_ratings=config.minimum(g)) for g in RaterGroup
            ],
        )

    @strawberry.field(description="忠诚度: loyalty, 0–100.")
    async def loyalty(self, info: strawberry.Info) -> float | None:
        return await self._degree(info, "loyalty")

    @strawberry.field(description="满意度: satisfaction, 0–100.")
    async def satisfaction(self, info: strawberry.Info) -> float | None:
        return await self._degree(info, "satisfaction")

    @strawberry.field(description="胜任度: competence, 0–100.")
    async def competence(self, info: strawberry.Info) -> float | None:
        return await self._degree(info, "competence")

    @strawberry.field(description="The weighted mean of the three degrees.")
    async def overall(self, info: strawberry.Info) -> float | None:
        return await self._degree(info, "overall")

    @strawberry.field(
        description="Whether the overall score, unrounded, reaches the pass mark; null until "
        "it can be computed."
    )
    async def passed(self, info: strawberry.Info) -> bool | None:
        if self.cadre.assessed_on is not None:
            return self.cadre.passed
        overall = (await self._scores(info)).overall  # unrounded: 79.996 fails 80
        return None if overall is None else self._config().reaches_pass_mark(overall)

    @strawberry.field(description="How many ratings the assessment has, all groups together.")
    async def rating_count(self, info: strawberry.Info) -> int:
        return len(await info.context.loader(loaders.ratings_by_cadre).load(self.cadre.id))

    @strawberry.field(description="Each rater group: its count, and its scores once shown.")
    async def groups(self, info: strawberry.Info) -> list[GroupScoresType]:
        scores = await self._scores(info)
        weights = self._config().group_weights
        return [
            GroupScoresType(
                group=g.group,
                weight=weights.get(g.group.value, 0.0),
                count=g.count,
                min_ratings=g.minimum,
                shown=g.shown,
                **{d: rounded(g.means[d]) if g.means else None for d in DEGREES},
                ratings=[as_rating(r) for r in g.ratings],
            )
            for g in scores.groups
        ]


@strawberry.enum(name="ThreeDegreeMeetingDecision", description="What the meeting decided.")
class MeetingDecision(enum.Enum):
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@strawberry.type(name="ThreeDegreeMeeting", description="The evaluation meeting (测评会议).")
class MeetingType:
    held_on: datetime.date
    decision: MeetingDecision
    note: str | None = strawberry.field(description="The minutes, or the reasons of a rejection.")


@strawberry.type(
    name="ThreeDegreeObjection",
    description="An objection lodged during the public notice; every one must be resolved "
    "before the notice can close.",
)
class ObjectionType:
    row: strawberry.Private[Objection]

    @strawberry.field(description="Its ID, for threeDegreeResolveObjection.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_id(OBJECTION_TYPE, self.row.id))

    @strawberry.field
    def lodged_on(self) -> datetime.date:
        return self.row.lodged_on

    @strawberry.field(description="Who objected, when they gave their name.")
    def objector(self) -> str | None:
        return self.row.objector

    @strawberry.field(description="What the objection says.")
    def content(self) -> str:
        return self.row.content

    @strawberry.field
    def status(self) -> ObjectionStatusEnum:
        return self.row.status

    @strawberry.field(description="How it was resolved, and why.")
    def resolution(self) -> str | None:
        return self.row.resolution

    @strawberry.field
    def resolved_on(self) -> datetime.date | None:
        return self.row.resolved_on


@strawberry.type(name="ThreeDegreeNotice", description="The public notice (公示).")
class NoticeType:
    start_on: datetime.date
    end_on: datetime.date = strawberry.field(description="Its last day (inclusive).")
    cadre_id: strawberry.Private[int]

    @strawberry.field(description="Objections, in the order they were lodged.")
    async def objections(self, info: strawberry.Info) -> list[ObjectionType]:
        rows = await info.context.loader(loaders.objections_by_cadre).load(self.cadre_id)
        return [ObjectionType(row=r) for r in rows]

    @strawberry.field(description="How many objections are still OPEN.")
    async def open_objections(self, info: strawberry.Info) -> int:
        rows = await info.context.loader(loaders.objections_by_cadre).load(self.cadre_id)
        return sum(1 for r in rows if r.status is ObjectionStatus.OPEN)


@strawberry.type(
    name="ThreeDegreeOutcome",
    description="How the record ended: POOLED (fit, in the village's candidate pool for an "
    "election) or REJECTED (with the reasons and the stage).",
)
class OutcomeType:
    state: StateEnum
    decided_on: datetime.date
    reason: str | None
    stage: StateEnum | None = strawberry.field(
        description="For a rejection: the state it was rejected in (ASSESSED: at the meeting; "
        "NOTICE: after an objection; TRIAL: unfit after the trial)."
    )
    initiative_id: strawberry.Private[int | None]

    @strawberry.field(description="The election initiative whose candidate pool it entered.")
    async def election_initiative(self, info: strawberry.Info) -> LazyInitiative | None:
        if self.initiative_id is None:
            return None
        return await info.context.loader(core_loaders.initiatives_by_id).load(self.initiative_id)


@strawberry.type(name="ThreeDegreeTransition", description="One step of the workflow.")
class TransitionType:
    from_state: StateEnum | None = strawberry.field(description="Null for the nomination.")
    to_state: StateEnum
    effective_on: datetime.date = strawberry.field(description="The day it took effect.")
    reason: str | None = strawberry.field(description="Why: the note given with it.")
    actor: str | None = strawberry.field(description="Who made it.")
    recorded_at: datetime.datetime = strawberry.field(description="When it was recorded.")


@strawberry.type(
    name=TYPE_NAME,
    description="A reserve cadre (后备干部) of a village in Wencheng's three-degree assessment "
    "and trial post (三度测评一试岗): one candidacy, from nomination to the candidate pool.",
)
class ReserveCadreType(relay.Node):
    id: relay.NodeID[int]
    state: StateEnum
    state_since: datetime.date = strawberry.field(description="The day it entered its state.")
    nominated_on: datetime.date
    nomination_reason: str | None

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, ReserveCadre)

    @classmethod
    async def resolve_nodes(cls, *, info, node_ids, required=False):
        loader = info.context.loader(loaders.cadres_by_id)
        return await loader.load_many([_row_id(i) for i in node_ids])

    @strawberry.field(description="The states it may move to next.")
    def allowed_next(self) -> list[StateEnum]:
        return list(allowed_next(self.state))

    @strawberry.field(description="The reserve cadre.")
    async def person(self, info: strawberry.Info) -> LazyPerson | None:
        return await info.context.loader(core_loaders.people_by_id).load(self.person_id)

    @strawberry.field(description="The village they are reserve cadre for.")
    async def village(self, info: strawberry.Info) -> LazyUnit | None:
        return await info.context.loader(core_loaders.units_by_id).load(self.unit_id)

    @strawberry.field(description="The three-degree assessment and its scores.")
    def assessment(self) -> AssessmentType:
        return AssessmentType(cadre=self)

    @strawberry.field(description="The evaluation meeting, once held.")
    def meeting(self) -> MeetingType | None:
        if self.meeting_on is None:
            return None
        rejected = self.rejected_at_stage is State.ASSESSED
        return MeetingType(
            held_on=self.meeting_on,
            decision=MeetingDecision.REJECTED if rejected else MeetingDecision.APPROVED,
            note=self.meeting_note,
        )

    @strawberry.field(description="The public notice, once started, with its objections.")
    def notice(self) -> NoticeType | None:
        if self.notice_start is None:
            return None
        return NoticeType(start_on=self.notice_start, end_on=self.notice_end, cadre_id=self.id)

    @strawberry.field(description="The trial post (试岗): a core posting with role TRIAL_POST.")
    async def trial_posting(self, info: strawberry.Info) -> LazyPosting | None:
        if self.trial_posting_id is None:
            return None
        return await info.context.loader(loaders.postings_by_id).load(self.trial_posting_id)

    @strawberry.field(description="POOLED or REJECTED, once decided.")
    def outcome(self) -> OutcomeType | None:
        if self.state not in FINAL_STATES:
            return None
        return OutcomeType(
            state=self.state,
            decided_on=self.decided_on,
            reason=self.outcome_reason,
            stage=self.rejected_at_stage,
            initiative_id=self.election_initiative_id,
        )

    @strawberry.field(description="Every transition, oldest first: who, when, why.")
    async def history(self, info: strawberry.Info) -> list[TransitionType]:
        rows = await info.context.loader(loaders.transitions_by_cadre).load(self.id)
        return [
            TransitionType(
                from_state=t.from_state,
                to_state=t.to_state,
                effective_on=t.effective_on,
                reason=t.reason,
                actor=t.actor,
                recorded_at=t.recorded_at,
            )
            for t in rows
        ]


@strawberry.type(
    name="ThreeDegreeStateRefusal",
    description="Why a transition or an action was refused by the state machine.",
)
class StateRefusal:
    current_state: StateEnum
    attempted: StateEnum | None = strawberry.field(
        description="The state the transition aimed at; null for an action (rating, objection)."
    )
    allowed_next: list[StateEnum] = strawberry.field(
        description="The states the record may move to from its current state."
    )


STATES = "Only records in these states; all states when omitted."
FIRST = f"How many records to return at most ({DEFAULT_FIRST} by default)."


def _limit(info: strawberry.Info, first: int | None) -> int:
    cap = max(info.context.settings.max_page_size, DEFAULT_FIRST)
    return DEFAULT_FIRST if first is None else max(0, min(first, cap))


@strawberry.type
class ThreeDegreeQuery:
    @strawberry.field(
        description="文成 三度测评一试岗: the reserve cadres of every village under a unit, with "
        "their state and latest scores, ordered by village."
    )
    async def three_degree_reserve_cadres(
        self,
        info: strawberry.Info,
        under_unit: Annotated[str, strawberry.argument(description="A unit code, e.g. 330328.")],
        states: Annotated[list[StateEnum] | None, strawberry.argument(description=STATES)] = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
    ) -> list[ReserveCadreType]:
        unit_id = await info.context.scalar(select(UnitRow.id).where(UnitRow.code == under_unit))
        if unit_id is None:
            return []
        statement = (
            select(ReserveCadre)
            .join(UnitRow, UnitRow.id == ReserveCadre.unit_id)
            .where(in_subtree(ReserveCadre.unit_id, unit_id))
            .order_by(UnitRow.code, ReserveCadre.nominated_on, ReserveCadre.id)
            .limit(_limit(info, first))
        )
        if states:
            statement = statement.where(ReserveCadre.state.in_(states))
        return await info.context.scalars(statement)

    @strawberry.field(
        description="文成 三度测评一试岗: one reserve cadre's full record — ratings by group, "
        "meeting decision, notice and objections, trial posting, outcome, history."
    )
    async def three_degree_reserve_cadre(
        self, info: strawberry.Info, id: strawberry.ID
    ) -> ReserveCadreType | None:
        try:
            cadre_id = decode_id(id, TYPE_NAME, "id")
        except DomainError:
            return None
        return await info.context.loader(loaders.cadres_by_id).load(cadre_id)

    @strawberry.field(
        description="文成 三度测评一试岗: the candidate pool (人选库) of a village for an election "
        "initiative — the reserve cadres found fit after their trial post."
    )
    async def three_degree_candidate_pool(
        self,
        info: strawberry.Info,
        village_code: Annotated[str, strawberry.argument(description="The village's unit code.")],
        initiative_code: Annotated[
            str, strawberry.argument(description="The election initiative's code.")
        ],
    ) -> list[ReserveCadreType]:
        return await info.context.scalars(
            select(ReserveCadre)
            .join(UnitRow, UnitRow.id == ReserveCadre.unit_id)
            .join(InitiativeRow, InitiativeRow.id == ReserveCadre.election_initiative_id)
            .where(
                UnitRow.code == village_code,
                InitiativeRow.code == initiative_code,
                ReserveCadre.state == State.POOLED,
            )
            .order_by(ReserveCadre.decided_on, ReserveCadre.id)
        )


@strawberry.type
class PersonThreeDegree:
    @strawberry.field(
        description="文成 三度测评一试岗: the person's latest record as a reserve cadre, if any."
    )
    async def three_degree(self, info: strawberry.Info) -> ReserveCadreType | None:
        return await info.context.loader(loaders.latest_by_person).load(self.id)


@strawberry.type
class UnitReserveCadres:
    @strawberry.field(
        description="文成 三度测评一试岗: reserve cadres of the villages in this subtree."
    )
    async def reserve_cadres(
        self,
        info: strawberry.Info,
        states: Annotated[list[StateEnum] | None, strawberry.argument(description=STATES)] = None,
    ) -> list[ReserveCadreType]:
        rows = await info.context.loader(loaders.cadres_under_unit).load(self.id)
        return [r for r in rows if not states or r.state in states]
