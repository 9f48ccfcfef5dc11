"""Demo data from the report (seed 002): 峃口镇's 渡渎村 and 新联村, 郑国峰 and 胡彩芬, and enough
fictional reserve cadres to reach Wencheng's 27 on trial, with a few more at every other stage.

Idempotent: records, people, postings, the election initiative and observations are matched by
stable keys, and what exists is left alone. The fictional people carry "(虚构)" in their names and
no phone or ID number. Reserve cadres on trial record no ``reserve_cadres_on_trial`` observations:
the core's demo already holds the report's figure (27 in 2020 for 文成县).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import Initiative, Person, Posting, Unit
from core.initiatives.models import InitiativeKind, InitiativeStatus
from core.metrics.models import MetricDefinition, Observation, Period
from core.people.models import Gender, PoliticalStatus
from core.postings.models import PostingRole, PostingStatus

from . import KEY
from .dates import trial_end
from .models import Objection, ObjectionStatus, RaterGroup, Rating, ReserveCadre, State, Transition
from .scoring import Config, rounded, score
from .settings import ThreeDegreeSettings

ACTOR = "demo"
DUDU, XINLIAN = "330328101001", "330328101002"
ASSESSMENT_INITIATIVE = "wencheng-three-degree-2020"
ELECTION = "wencheng-village-election-2020"
SURNAMES = "赵钱孙李周吴王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"

#: Ratings per group of a demo record: one talk with the person (本人谈 is one conversation),
#: six of the masses, five notables and the three members of the assessment team.
RATINGS = {"SELF": 1, "MASSES": 6, "NOTABLES": 5, "TEAM": 3}

#: The order of the workflow, to walk a record up to its stage.
PATH = (State.NOMINATED, State.ASSESSED, State.APPROVED, State.NOTICE, State.TRIAL)


@dataclass(frozen=True)
class DemoCadre:
    key: str
    person_key: str
    village: str
    state: State
    #: Scores are centred on it; below 80 fails the default pass mark.
    base: float
    nominated_on: date
    trial_on: date | None = None
    #: For NOTICE and REJECTED records: objections (content, status).
    objections: tuple[tuple[str, ObjectionStatus], ...] = ()
    rejected_at: State | None = None
    #: Why the person was nominated.
    reason: str | None = None
    #: Why the record was rejected.
    rejection: str | None = None
    #: Ratings per group where they differ from ``RATINGS``; fewer masses or notables than 5
    #: keep a NOMINATED record's group hidden.
    per_group: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    village: str
    gender: Gender
    birth_year: int


def _fictional(n: int) -> DemoPerson:
    return DemoPerson(
        key=f"demo:wencheng-reserve-{n:02d}",
        name=f"{SURNAMES[n % len(SURNAMES)]}某{n:02d}(虚构)",
        village=DUDU if n % 2 else XINLIAN,
        gender=Gender.MALE if n % 3 else Gender.FEMALE,
        birth_year=1980 + n % 15,
    )


PEOPLE = [_fictional(n) for n in range(3, 38)]


def _cadres() -> list[DemoCadre]:
    cadres = [
        DemoCadre(
            "wc01",
            "demo:zheng-guofeng",
            DUDU,
            State.TRIAL,
            90,
            date(2020, 4, 1),
            trial_on=date(2020, 5, 6),
            reason="疫情防控中表现突出,被提拔为村支部副书记后工作勤恳",
        ),
        DemoCadre(
            "wc02",
            "demo:hu-caifen",
            XINLIAN,
            State.TRIAL,
            88,
            date(2020, 4, 10),
            trial_on=date(2020, 6, 1),
            reason="表现挺好,群众认可度也高,建议试岗担任村妇联副主席",
        ),
    ]
    for n in range(3, 28):  # 25 more on trial: 27 in all, as the report says
        person = _fictional(n)
        cadres.append(
            DemoCadre(
                f"wc{n:02d}",
                person.key,
                person.village,
                State.TRIAL,
                81 + n % 12,
                date(2020, 4, 1 + n % 10),
                trial_on=date(2020, 5, 6),
            )
        )
    others = [
        (28, State.NOMINATED, 85, {"MASSES": 3}, (), None),
        (29, State.NOMINATED, 84, {}, (), None),
        (30, State.ASSESSED, 83, {}, (), None),
        (31, State.APPROVED, 86, {}, (), None),
        (
            32,
            State.NOTICE,
            87,
            {},
            (("反映其曾拖欠村集体承包款(待核实)", ObjectionStatus.OPEN),),
            None,
        ),
        (
            33,
            State.NOTICE,
            85,
            {},
            (("反映其长期不在村(经核实已返乡创业)", ObjectionStatus.DISMISSED),),
            None,
        ),
        (34, State.REJECTED, 72, {}, (), State.ASSESSED),
        (
            35,
            State.REJECTED,
            84,
            {},
            (("反映其违规占用耕地建房", ObjectionStatus.UPHELD),),
            State.NOTICE,
        ),
    ]
    reasons = {
        State.ASSESSED: "综合得分未达合格线,测评会议未予通过",
        State.NOTICE: "公示期间异议经核实成立",
    }
    for n, state, base, per_group, objections, stage in others:
        person = _fictional(n)
        cadres.append(
            DemoCadre(
                f"wc{n:02d}",
                person.key,
                person.village,
                state,
                base,
                date(2020, 5, 11),
                objections=objections,
                rejected_at=stage,
                rejection=reasons.get(stage),
                per_group=per_group,
            )
        )
    return cadres


CADRES = _cadres()


def _ratings(cadre: DemoCadre, rated_on: date) -> list[Rating]:
    rows = []
    for g_index, group in enumerate(RaterGroup):
        count = cadre.per_group.get(group.value, RATINGS[group.value])
        for i in range(count):
            spread = (i * 7 + g_index * 3) % 5 - 2  # -2…+2, the same every run
            rows.append(
                Rating(
                    rater_group=group,
                    loyalty=min(100.0, cadre.base + 2 + spread),
                    satisfaction=min(100.0, cadre.base + spread - g_index % 2),
                    competence=min(100.0, cadre.base - 1 + spread),
                    anonymous=group is RaterGroup.MASSES,
                    rated_on=rated_on,
                    entered_by=ACTOR,
                )
            )
    return rows


class _Loader:
    def __init__(self, session: AsyncSession):
        self.session = session
        self.counts = {"reserve cadres": 0, "people": 0, "postings": 0, "observations": 0}

    async def by(self, column: Any, keys: list[str]) -> dict[str, Any]:
        rows = (await self.session.execute(select(column.class_).where(column.in_(keys)))).scalars()
        return {getattr(r, column.key): r for r in rows}

    async def run(self) -> dict[str, int]:
        units = await self.by(Unit.code, [DUDU, XINLIAN, "330328"])
        if len(units) < 3:
            return self.counts  # the core's demo is not loaded
        people = await self.people(units)
        await self.election(units["330328"])
        initiative = (await self.by(Initiative.code, [ASSESSMENT_INITIATIVE])).get(
            ASSESSMENT_INITIATIVE
        )
        metrics = await self.by(MetricDefinition.code, [f"{KEY}.{m}" for m in METRIC_SLUGS])
        existing = await self.by(ReserveCadre.external_key, [f"demo:{KEY}:{c.key}" for c in CADRES])
        config = Config.from_settings(ThreeDegreeSettings())
        for spec in CADRES:
            if f"demo:{KEY}:{spec.key}" in existing:
                continue
            await self.cadre(
                spec, units[spec.village], people[spec.person_key], config, initiative, metrics
            )
            self.counts["reserve cadres"] += 1
        await self.session.flush()
        return self.counts

    async def people(self, units: dict[str, Unit]) -> dict[str, Person]:
        keys = [p.key for p in PEOPLE] + ["demo:zheng-guofeng", "demo:hu-caifen"]
        found = await self.by(Person.external_key, keys)
        for spec in PEOPLE:
            if spec.key in found:
                continue
            person = Person(
                name=spec.name,
                gender=spec.gender,
                birth_year=spec.birth_year,
                political_status=PoliticalStatus.CPC_MEMBER,
                home_unit_id=units[spec.village].id,
                home_post=f"{units[spec.village].name}后备干部",
                tags=["后备干部", "三度测评", "虚构示例"],
                external_key=spec.key,
            )
            self.session.add(person)
            found[spec.key] = person
            self.counts["people"] += 1
        await self.session.flush()
        return found

    async def election(self, county: Unit) -> Initiative:
        found = (await self.by(Initiative.code, [ELECTION])).get(ELECTION)
        if found is None:
            found = Initiative(
                code=ELECTION,
                name="文成县村社组织换届",
                kind=InitiativeKind.PROGRAM,
                scheme=KEY,
                owner_unit_id=county.id,
                status=InitiativeStatus.PLANNED,
                description="The election of village and community organisations (村社组织换届) "
                "whose candidate pools (人选库) take the reserve cadres found fit after their "
                "trial post.",
            )
            self.session.add(found)
            await self.session.flush()
        return found

    async def cadre(
        self,
        spec: DemoCadre,
        village: Unit,
        person: Person,
        config: Config,
        initiative: Initiative | None,
        metrics: dict[str, MetricDefinition],
    ) -> None:
        day = spec.nominated_on
        trial_on = spec.trial_on or day + timedelta(days=35)
        steps = {  # the day each state was entered
            State.NOMINATED: day,
            State.ASSESSED: trial_on - timedelta(days=16),
            State.APPROVED: trial_on - timedelta(days=12),
            State.NOTICE: trial_on - timedelta(days=10),
            State.TRIAL: trial_on,
        }
        if spec.state is State.NOTICE:
            steps[State.NOTICE] = date(2020, 6, 5)
        reached = spec.rejected_at or spec.state
        path = PATH[: PATH.index(reached) + 1]
        cadre = ReserveCadre(
            person_id=person.id,
            unit_id=village.id,
            state=spec.state,
            version=len(path) + (1 if spec.rejected_at else 0),
            state_since=steps[path[-1]],
            nominated_on=day,
            nomination_reason=spec.reason,
            config=config.to_json(),
            external_key=f"demo:{KEY}:{spec.key}",
        )
        self.session.add(cadre)
        await self.session.flush()
        ratings = _ratings(spec, day + timedelta(days=5))
        for rating in ratings:
            rating.reserve_cadre_id = cadre.id
        self.session.add_all(ratings)
        history = [(None, State.NOMINATED, day, spec.reason)]
        observe = {("reserve_cadres_nominated", day): 1.0}
        if State.ASSESSED in path:
            scores = score(ratings, config)
            cadre.assessed_on = steps[State.ASSESSED]
            cadre.loyalty = rounded(scores.degrees["loyalty"])
            cadre.satisfaction = rounded(scores.degrees["satisfaction"])
            cadre.competence = rounded(scores.degrees["competence"])
            cadre.overall = rounded(scores.overall)
            cadre.passed = config.reaches_pass_mark(scores.overall)
            history.append((State.NOMINATED, State.ASSESSED, cadre.assessed_on, "三度测评完成"))
            observe[("reserve_cadres_assessed", cadre.assessed_on)] = 1.0
            for degree in ("loyalty", "satisfaction", "competence"):
                observe[(f"{degree}_mean", cadre.assessed_on)] = getattr(cadre, degree)
        if State.APPROVED in path:
            cadre.meeting_on = steps[State.APPROVED]
            cadre.meeting_note = "峃口镇“三度”测评组会议研判通过"
            history.append((State.ASSESSED, State.APPROVED, cadre.meeting_on, cadre.meeting_note))
        if State.NOTICE in path:
            cadre.notice_start = steps[State.NOTICE]
            cadre.notice_end = cadre.notice_start + timedelta(days=4)
            history.append((State.APPROVED, State.NOTICE, cadre.notice_start, "公示5天"))
            for content, status in spec.objections:
                resolved = status is not ObjectionStatus.OPEN
                self.session.add(
                    Objection(
                        reserve_cadre_id=cadre.id,
                        lodged_on=cadre.notice_start + timedelta(days=1),
                        content=content,
                        status=status,
                        resolution=(
                            "经核实属实" if status is ObjectionStatus.UPHELD else "经核实不属实"
                        )
                        if resolved
                        else None,
                        resolved_on=cadre.notice_end if resolved else None,
                        lodged_by=ACTOR,
                        resolved_by=ACTOR if resolved else None,
                    )
                )
        if State.TRIAL in path:
            posting = await self.posting(spec, village, person, initiative)
            cadre.trial_posting_id = posting.id
            history.append((State.NOTICE, State.TRIAL, trial_on, posting.title))
        if spec.rejected_at is not None:
            on = steps[spec.rejected_at] + timedelta(
                days=4 if spec.rejected_at is State.ASSESSED else 6
            )
            cadre.state_since = cadre.decided_on = on
            cadre.outcome_reason = spec.rejection
            cadre.rejected_at_stage = spec.rejected_at
            if spec.rejected_at is State.ASSESSED:
                cadre.meeting_on, cadre.meeting_note = on, spec.rejection
            history.append((spec.rejected_at, State.REJECTED, on, spec.rejection))
            observe[("reserve_cadres_rejected", on)] = 1.0
        for source, target, on, reason in history:
            self.session.add(
                Transition(
                    reserve_cadre_id=cadre.id,
                    from_state=source,
                    to_state=target,
                    effective_on=on,
                    reason=reason,
                    actor=ACTOR,
                )
            )
        await self.observations(spec, village, person, observe, metrics)

    async def posting(
        self, spec: DemoCadre, village: Unit, person: Person, initiative: Initiative | None
    ) -> Posting:
        found = (
            await self.session.execute(
                select(Posting).where(
                    Posting.person_id == person.id,
                    Posting.host_unit_id == village.id,
                    Posting.role == PostingRole.TRIAL_POST,
                    Posting.start_date == spec.trial_on,
                )
            )
        ).scalar_one_or_none()
        if found is not None:
            return found  # 郑国峰's and 胡彩芬's come with the core's demo
        posting = Posting(
            person_id=person.id,
            host_unit_id=village.id,
            role=PostingRole.TRIAL_POST,
            title=f"后备干部到{village.name}试岗",
            initiative_id=initiative.id if initiative else None,
            start_date=spec.trial_on,
            end_date=trial_end(spec.trial_on, 2),
            status=PostingStatus.ACTIVE,
        )
        self.session.add(posting)
        await self.session.flush()
        self.counts["postings"] += 1
        return posting

    async def observations(
        self,
        spec: DemoCadre,
        village: Unit,
        person: Person,
        values: dict[tuple[str, date], float],
        metrics: dict[str, MetricDefinition],
    ) -> None:
        for (slug, on), value in values.items():
            metric = metrics.get(f"{KEY}.{slug}")
            if metric is None:
                continue
            month = on.replace(day=1)
            external_key = f"demo:{metric.code}@{village.code}/{month:%Y-%m}/{spec.key}"
            exists = (
                await self.session.execute(
                    select(Observation.id).where(Observation.external_key == external_key)
                )
            ).first()
            if exists is not None:
                continue
            self.session.add(
                Observation(
                    metric_id=metric.id,
                    unit_id=village.id,
                    person_id=person.id,
                    period=Period.MONTH,
                    period_start=month,
                    value=float(value),
                    recorded_by=ACTOR,
                    external_key=external_key,
                )
            )
            self.counts["observations"] += 1


METRIC_SLUGS = (
    "reserve_cadres_nominated",
    "reserve_cadres_assessed",
    "reserve_cadres_rejected",
    "loyalty_mean",
    "satisfaction_mean",
    "competence_mean",
)


async def load_demo(session: AsyncSession) -> dict[str, int]:
    """Add what is missing of the demo; returns the rows created per kind."""
    return await _Loader(session).run()
