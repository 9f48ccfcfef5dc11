"""Demo data (``load_demo_data``), on top of the core's 泰顺县 and its 15 departments.

Adds three towns with a village or two, six candidates (fictional people), flags the 15
departments as members, and submits three batches through the workflow:

- 罗阳镇第1批 (May 2020): complete — one candidate CLEARED, one FLAGGED, one DISQUALIFIED; one
  department answered after the deadline;
- 雅阳镇第1批 (submitted an hour before seeding): open, several departments still to answer;
- 司前畲族镇第1批 (submitted a week before seeding): open, every department answered but
  县信访局 — the one overdue request.

Idempotent: units by code, people by external key, batches by external key; what exists is left
alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core import Initiative, Person, Unit
from core.db import utcnow
from core.people.models import Gender, PoliticalStatus
from core.units.models import UnitKind
from core.units.tree import link_new_unit

from .metrics import Recorder, record_overdue
from .models import Batch, Candidate, Member, Request, Verdict
from .settings import CST, JointReviewSettings, deadline_after
from .workflow import NewCandidate, open_batch, record_verdict, settle

COUNTY = "330329"
ELECTION = "taishun-joint-review-2020"
BY = "demo"

TOWNS = (
    ("330329101", "罗阳镇", UnitKind.TOWN, COUNTY),
    ("330329101001", "仙居村", UnitKind.VILLAGE, "330329101"),
    ("330329101002", "岭北村", UnitKind.VILLAGE, "330329101"),
    ("330329102", "雅阳镇", UnitKind.TOWN, COUNTY),
    ("330329102001", "雅中村", UnitKind.VILLAGE, "330329102"),
    ("330329103", "司前畲族镇", UnitKind.TOWN, COUNTY),
    ("330329103001", "里光村", UnitKind.VILLAGE, "330329103"),
)


@dataclass(frozen=True)
class DemoCandidate:
    key: str
    name: str
    gender: Gender
    birth_year: int
    village: str
    home_post: str
    post: str


#: Fictional people: the report names no candidate.
CANDIDATES = (
    DemoCandidate(
        "taishun-jr-01", "周建平", Gender.MALE, 1975, "330329101001", "村党支部委员", "村党组织书记"
    ),
    DemoCandidate(
        "taishun-jr-02", "林美珍", Gender.FEMALE, 1982, "330329101002", "村妇联主席", "村委会主任"
    ),
    DemoCandidate(
        "taishun-jr-03", "吴志强", Gender.MALE, 1979, "330329101001", "村民", "村党组织委员"
    ),
    DemoCandidate(
        "taishun-jr-04", "陈晓东", Gender.MALE, 1988, "330329102001", "村文书", "村委会主任"
    ),
    DemoCandidate(
        "taishun-jr-05", "季丽华", Gender.FEMALE, 1985, "330329102001", "村民", "村委会委员"
    ),
    DemoCandidate(
        "taishun-jr-06", "雷国华", Gender.MALE, 1980, "330329103001", "村委会委员", "村党组织书记"
    ),
)

CONCERN_PETITION = "近三年有多次越级信访记录（已化解），建议任前谈话提醒"
DISQUALIFY_REASON = "2018年因非法采矿罪被判处有期徒刑一年，缓刑一年"
DISQUALIFY_RULE = "村社组织换届人选“十不宜”：受过刑事处罚的"


def _cst(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CST)


async def load(session: AsyncSession) -> dict[str, int]:
    county = await session.scalar(select(Unit).where(Unit.code == COUNTY))
    election = await session.scalar(select(Initiative).where(Initiative.code == ELECTION))
    if county is None or election is None:
        return {}  # the core's demo data is not there: nothing to build on
    counts = {"units": 0, "people": 0, "members": 0, "batches": 0}
    units = await _units(session, counts)
    people = await _people(session, units, counts)
    departments = await _members(session, county, counts)
    if not departments:
        return counts
    existing = set(
        await session.scalars(
            select(Batch.external_key).where(Batch.external_key.like("taishun-jr-demo-%"))
        )
    )
    now = utcnow()
    plans = [
        ("taishun-jr-demo-luoyang-1", _luoyang),
        ("taishun-jr-demo-yayang-1", _yayang),
        ("taishun-jr-demo-siqian-1", _siqian),
    ]
    for key, plan in plans:
        if key in existing:
            continue
        await plan(session, key, county, election, units, people, departments, now)
        counts["batches"] += 1
    await session.flush()
    return counts


async def _units(session: AsyncSession, counts: dict[str, int]) -> dict[str, Unit]:
    codes = [code for code, *_ in TOWNS]
    found = {u.code: u for u in await session.scalars(select(Unit).where(Unit.code.in_(codes)))}
    parents = {u.code: u for u in await session.scalars(select(Unit).where(Unit.code == COUNTY))}
    for code, name, kind, parent_code in TOWNS:
        if code in found:
            continue
        parent = found.get(parent_code) or parents[parent_code]
        unit = Unit(code=code, name=name, kind=kind, parent_id=parent.id, depth=parent.depth + 1)
        session.add(unit)
        await session.flush()
        await link_new_unit(session, unit)
        found[code] = unit
        counts["units"] += 1
    return found


async def _people(
    session: AsyncSession, units: dict[str, Unit], counts: dict[str, int]
) -> dict[str, Person]:
    keys = [c.key for c in CANDIDATES]
    found = {
        p.external_key: p
        for p in await session.scalars(select(Person).where(Person.external_key.in_(keys)))
    }
    for c in CANDIDATES:
        if c.key in found:
            continue
        person = Person(
            name=c.name,
            gender=c.gender,
            birth_year=c.birth_year,
            political_status=PoliticalStatus.CPC_MEMBER,
            home_unit_id=units[c.village].id,
            home_post=c.home_post,
            tags=["云联审演示"],
            external_key=c.key,
        )
        session.add(person)
        found[c.key] = person
        counts["people"] += 1
    await session.flush()
    return found


async def _members(session: AsyncSession, county: Unit, counts: dict[str, int]) -> list[Unit]:
    departments = list(
        await session.scalars(
            select(Unit)
            .where(Unit.parent_id == county.id, Unit.kind == UnitKind.DEPARTMENT)
            .order_by(Unit.code)
        )
    )
    flagged = set(await session.scalars(select(Member.department_id)))
    for department in departments:
        if department.id not in flagged:
            session.add(
                Member(department_id=department.id, active=True, changed_at=utcnow(), changed_by=BY)
            )
            counts["members"] += 1
    await session.flush()
    members = set(await session.scalars(select(Member.department_id).where(Member.active)))
    return [d for d in departments if d.id in members]


async def _submit(
    session, key, town, county, election, units, people, departments, submitted_at, candidates
) -> Batch:
    return await open_batch(
        session,
        town=town,
        county=county,
        initiative=election,
        title=f"{town.name}第1批",
        departments=departments,
        candidates=[
            NewCandidate(person=people[c.key], post=c.post, post_unit=units[c.village])
            for c in candidates
        ],
        submitted_at=submitted_at,
        deadline_at=deadline_after(submitted_at, JointReviewSettings()),
        submitted_by=BY,
        external_key=key,
    )


async def _candidates(session: AsyncSession, batch: Batch) -> list[Candidate]:
    return list(
        await session.scalars(
            select(Candidate).where(Candidate.batch_id == batch.id).order_by(Candidate.position)
        )
    )


async def _answer(
    session: AsyncSession,
    batch: Batch,
    candidate: Candidate,
    department: Unit,
    at: datetime,
    verdict: Verdict = Verdict.CLEAR,
    reason: str | None = None,
    rule: str | None = None,
) -> None:
    request = await session.scalar(
        select(Request).where(
            Request.candidate_id == candidate.id, Request.department_id == department.id
        )
    )
    await record_verdict(session, request, verdict=verdict, reason=reason, rule=rule, by=BY, at=at)
    await settle(session, batch, candidate, at=at, by=BY)


def _named(departments: list[Unit], name: str, fallback: int) -> Unit:
    for department in departments:
        if department.name == name:
            return department
    return departments[min(fallback, len(departments) - 1)]


async def _luoyang(session, key, county, election, units, people, departments, now) -> None:
    """Complete: CLEARED, FLAGGED (县信访局), DISQUALIFIED (县法院); one late department."""
    submitted = _cst(2020, 5, 18, 9)
    batch = await _submit(
        session,
        key,
        units["330329101"],
        county,
        election,
        units,
        people,
        departments,
        submitted,
        CANDIDATES[0:3],
    )
    cleared, flagged, disqualified = await _candidates(session, batch)
    petitions = _named(departments, "县信访局", 7)
    court = _named(departments, "县法院", 3)
    late = _named(departments, "县自然资源和规划局", 9)
    answers = []
    for index, department in enumerate(departments):
        at = submitted + timedelta(hours=2 + 2 * index)
        if department is late:
            at = _cst(2020, 5, 21, 10)  # after the deadline, 2020-05-20 13:30
        for candidate in (cleared, flagged, disqualified):
            verdict, reason, rule = Verdict.CLEAR, None, None
            if candidate is flagged and department is petitions:
                verdict, reason = Verdict.CONCERN, CONCERN_PETITION
            if candidate is disqualified and department is court:
                verdict, reason, rule = Verdict.DISQUALIFY, DISQUALIFY_REASON, DISQUALIFY_RULE
            answers.append((at, candidate.position, candidate, department, verdict, reason, rule))
    for at, _position, candidate, department, verdict, reason, rule in sorted(
        answers, key=lambda a: (a[0], a[1], a[3].code)
    ):
        await _answer(session, batch, candidate, department, at, verdict, reason, rule)


async def _yayang(session, key, county, election, units, people, departments, now) -> None:
    """Open, submitted an hour ago: ten departments answered the first, four the second."""
    submitted = now - timedelta(hours=1)
    batch = await _submit(
        session,
        key,
        units["330329102"],
        county,
        election,
        units,
        people,
        departments,
        submitted,
        CANDIDATES[3:5],
    )
    first, second = await _candidates(session, batch)
    for index, department in enumerate(departments[:10]):
        await _answer(session, batch, first, department, submitted + timedelta(minutes=4 * index))
    for index, department in enumerate(departments[:4]):
        await _answer(session, batch, second, department, submitted + timedelta(minutes=5 * index))


async def _siqian(session, key, county, election, units, people, departments, now) -> None:
    """Open, submitted a week ago: every department answered but 县信访局, now overdue."""
    submitted = now - timedelta(days=7)
    batch = await _submit(
        session,
        key,
        units["330329103"],
        county,
        election,
        units,
        people,
        departments,
        submitted,
        CANDIDATES[5:6],
    )
    (candidate,) = await _candidates(session, batch)
    silent = _named(departments, "县信访局", 7)
    for index, department in enumerate(departments):
        if department is not silent:
            await _answer(
                session, batch, candidate, department, submitted + timedelta(hours=1 + index)
            )
    await record_overdue(Recorder(session, BY), now=now, batch_id=batch.id)
