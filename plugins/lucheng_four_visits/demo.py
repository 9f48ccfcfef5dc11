"""Demo data (``yixian seed demo``): villages of 藤桥镇 visited in May 2020, findings at every
status, a 两票一度 round and a negative list. Idempotent: what exists is left alone.

The core's demo already records the reported scale — 32,000 households by town for April and May
2020, the metric ``lucheng.four_visits.households_visited`` — so this sample, visited in the last
days of May, takes the district to "3.2万余户" (32,000 and more) as the report says. The village
names are illustrative; the people met (李大伯, 张书记, 陈经理) are those the report quotes.
Households per village are plausible for the villages of a town on the edge of Wenzhou.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from core.initiatives.models import Initiative
from core.people.models import Gender, Person, PoliticalStatus, Rank
from core.postings.models import Posting, PostingRole, PostingStatus
from core.units.models import Unit, UnitKind
from core.units.tree import link_new_unit

from . import KEY
from .metrics import (
    FINDINGS_OPENED,
    FINDINGS_RESOLVED,
    HOUSEHOLDS_VISITED,
    MEMBER_COMPOSITE,
    RESOLUTION_DAYS,
    TEAM_COMPOSITE,
    VISITS_BY_ASK,
    Recorder,
)
from .models import (
    ASK_OF_KIND,
    Ask,
    Finding,
    FindingKind,
    FindingStatus,
    Household,
    HouseholdCount,
    MetCategory,
    NegativeEntry,
    NegativeSource,
    NegativeStatus,
    PersonMet,
    Tally,
    Visit,
    VisitAsk,
    VoteRound,
)
from .votes import Counts, Weights, score

TOWN = "330302101"  # 藤桥镇
CAMPAIGN = "lucheng-four-visits-2020"
VOTES = "lucheng-two-votes-one-rating-2020"
RECORDED_BY = "demo"


@dataclass(frozen=True)
class DemoVillage:
    code: str
    name: str
    households: int
    #: Share of the households visited by the end of the sample.
    visited_share: float


VILLAGES = (
    DemoVillage("330302101001", "藤桥村", 412, 0.88),
    DemoVillage("330302101002", "上戍村", 318, 0.66),
    DemoVillage("330302101003", "寺前村", 265, 0.55),
    DemoVillage("330302101004", "潘岙村", 236, 0.42),
    DemoVillage("330302101005", "岩门村", 187, 0.78),
)

#: (external key, name, gender, birth year, home unit, post, posted to village index or None)
PEOPLE = (
    ("lucheng-fv-visitor-1", "周建国", Gender.MALE, 1972, TOWN, "藤桥镇党委副书记", 0),
    ("lucheng-fv-visitor-2", "吴晓燕", Gender.FEMALE, 1985, TOWN, "藤桥镇驻村干部", 1),
    ("lucheng-fv-visitor-3", "郑海波", Gender.MALE, 1990, TOWN, "藤桥镇驻村干部", 2),
    ("lucheng-fv-secretary-1", "张立新", Gender.MALE, 1966, "330302101001", "村党支部书记", None),
    ("lucheng-fv-director-1", "陈美玲", Gender.FEMALE, 1978, "330302101001", "村委会主任", None),
    ("lucheng-fv-secretary-3", "潘国强", Gender.MALE, 1969, "330302101003", "村党支部书记", None),
    ("lucheng-fv-candidate-1", "林志勇", Gender.MALE, 1981, "330302101002", "村民", None),
)

PEOPLE_MET = (
    ("李大伯", MetCategory.VILLAGER),
    ("张书记", MetCategory.CADRE),
    ("陈经理", MetCategory.NOTABLE),
)

ASK_SETS = (
    (Ask.NEEDS,),
    (Ask.NEEDS, Ask.GRIEVANCE),
    (Ask.ADVICE,),
    (Ask.EFFECT, Ask.ADVICE),
    (Ask.NEEDS, Ask.EFFECT),
)

FINDINGS = {
    FindingKind.NEED: "路灯损坏,夜间出行不便",
    FindingKind.GRIEVANCE: "宅基地审批迟迟没有答复",
    FindingKind.ADVICE: "建议换届前公开村级财务收支",
}


async def load(session: Any) -> dict[str, int]:
    town = await session.scalar(select(Unit).where(Unit.code == TOWN))
    campaign = await session.scalar(select(Initiative).where(Initiative.code == CAMPAIGN))
    votes = await session.scalar(select(Initiative).where(Initiative.code == VOTES))
    if town is None or campaign is None or votes is None:
        return {}  # the core's demo (鹿城区, 藤桥镇, the campaign) is not there
    counts = {"villages": 0, "people": 0, "visits": 0, "findings": 0, "vote rounds": 0}
    villages = await _villages(session, town, counts)
    people = await _people(session, villages, campaign, counts)
    await _visits(session, villages, people, campaign, counts)
    await _vote_round(session, villages[0], people, votes, counts)
    await _negative_list(session, villages, people, counts)
    await session.flush()
    return counts


async def _villages(session: Any, town: Unit, counts: dict[str, int]) -> list[Unit]:
    existing = {
        u.code: u
        for u in await session.scalars(
            select(Unit).where(Unit.code.in_([v.code for v in VILLAGES]))
        )
    }
    rows = []
    for spec in VILLAGES:
        unit = existing.get(spec.code)
        if unit is None:
            unit = Unit(
                code=spec.code,
                name=spec.name,
                kind=UnitKind.VILLAGE,
                parent_id=town.id,
                depth=town.depth + 1,
            )
            session.add(unit)
            await session.flush()
            await link_new_unit(session, unit)
            counts["villages"] += 1
        rows.append(unit)
    have = set(
        await session.scalars(
            select(HouseholdCount.unit_id).where(HouseholdCount.unit_id.in_([u.id for u in rows]))
        )
    )
    for unit, spec in zip(rows, VILLAGES, strict=True):
        if unit.id not in have:
            session.add(
                HouseholdCount(unit_id=unit.id, households=spec.households, set_by=RECORDED_BY)
            )
    await session.flush()
    return rows


async def _people(
    session: Any, villages: list[Unit], campaign: Initiative, counts: dict[str, int]
) -> dict[str, Person]:
    keys = [p[0] for p in PEOPLE]
    found = {
        p.external_key: p
        for p in await session.scalars(select(Person).where(Person.external_key.in_(keys)))
    }
    units = {
        u.code: u
        for u in await session.scalars(select(Unit).where(Unit.code.in_({p[4] for p in PEOPLE})))
    }
    for key, name, gender, born, home, post, posted_to in PEOPLE:
        if key in found:
            continue
        person = Person(
            name=name,
            gender=gender,
            birth_year=born,
            political_status=PoliticalStatus.CPC_MEMBER,
            rank=Rank.NONE,
            home_unit_id=units[home].id,
            home_post=post,
            tags=["demo", KEY],
            external_key=key,
        )
        session.add(person)
        await session.flush()
        found[key] = person
        counts["people"] += 1
        if posted_to is not None:
            session.add(
                Posting(
                    person_id=person.id,
                    host_unit_id=villages[posted_to].id,
                    role=PostingRole.RESIDENT_CADRE,
                    title="驻村干部(四访四问)",
                    initiative_id=campaign.id,
                    start_date=date(2020, 4, 1),
                    end_date=date(2020, 12, 31),
                    status=PostingStatus.ACTIVE,
                )
            )
    await session.flush()
    return found


async def _visits(
    session: Any,
    villages: list[Unit],
    people: dict[str, Person],
    campaign: Initiative,
    counts: dict[str, int],
) -> None:
    done = set(
        await session.scalars(select(Visit.client_key).where(Visit.client_key.like("demo-%")))
    )
    visitors = [people[f"lucheng-fv-visitor-{n}"] for n in (1, 2, 3)]
    metrics = Recorder(session, RECORDED_BY, check=False)
    for village, spec in zip(villages, VILLAGES, strict=True):
        if f"demo-{spec.code}-0000" in done:
            continue
        rng = random.Random(spec.code)  # the same sample on every machine
        visited = round(spec.households * spec.visited_share)
        households = [
            Household(unit_id=village.id, code=f"{spec.name}{n // 40 + 1}组{n % 40 + 1}号")
            for n in range(visited)
        ]
        session.add_all(households)
        await session.flush()
        visits = []
        for n, household in enumerate(households):
            visits.append(
                Visit(
                    client_key=f"demo-{spec.code}-{n:04d}",
                    payload_hash="demo",
                    campaign_id=campaign.id,
                    unit_id=village.id,
                    household_id=household.id,
                    visitor_id=visitors[n % len(visitors)].id,
                    visited_on=date(2020, 5, 27) + timedelta(days=rng.randrange(5)),
                    notes=None,
                    recorded_by=RECORDED_BY,
                )
            )
        session.add_all(visits)
        await session.flush()
        for n, visit in enumerate(visits):
            asks = ASK_SETS[rng.randrange(len(ASK_SETS))]
            session.add_all(VisitAsk(visit_id=visit.id, ask=a) for a in asks)
            name, category = PEOPLE_MET[n % len(PEOPLE_MET)]
            session.add(PersonMet(visit_id=visit.id, position=0, name=name, category=category))
            where = {"unit_id": village.id, "day": visit.visited_on, "initiative_id": campaign.id}
            month = visit.visited_on.strftime("%Y-%m")
            await metrics.add(
                HOUSEHOLDS_VISITED, key=f"hv:{campaign.id}:{visit.household_id}:{month}", **where
            )
            for ask in asks:
                await metrics.add(VISITS_BY_ASK[ask], key=f"ask:{visit.id}:{ask.value}", **where)
            if n % 12 == 0:
                kind = next((k for k in FindingKind if ASK_OF_KIND[k] in asks), FindingKind.ADVICE)
                if ASK_OF_KIND[kind] not in asks:
                    session.add(VisitAsk(visit_id=visit.id, ask=ASK_OF_KIND[kind]))
                finding = _finding(village, visit, kind, n // 12, town_id=village.parent_id)
                session.add(finding)
                await session.flush()
                counts["findings"] += 1
                await metrics.add(FINDINGS_OPENED, key=f"fo:{finding.id}", **where)
                if finding.status is FindingStatus.RESOLVED:
                    done_where = {"unit_id": village.id, "day": finding.resolved_on}
                    await metrics.add(FINDINGS_RESOLVED, key=f"fr:{finding.id}", **done_where)
                    await metrics.add(
                        RESOLUTION_DAYS,
                        key=f"rd:{finding.id}",
                        value=finding.resolution_days,
                        **done_where,
                    )
        counts["visits"] += len(visits)
        await session.flush()


def _finding(village: Unit, visit: Visit, kind: FindingKind, n: int, town_id: int) -> Finding:
    """Findings cycle through every status; resolution takes 3 to 24 days."""
    status = (
        FindingStatus.RESOLVED,
        FindingStatus.ASSIGNED,
        FindingStatus.RESOLVED,
        FindingStatus.OPEN,
        FindingStatus.CLOSED_UNRESOLVABLE,
    )[n % 5]
    opened = visit.visited_on
    finding = Finding(
        visit_id=visit.id,
        unit_id=village.id,
        position=0,
        kind=kind,
        summary=FINDINGS[kind],
        status=status,
        opened_on=opened,
    )
    if status is not FindingStatus.OPEN:
        finding.assigned_unit_id = village.id if n % 2 else town_id
        finding.assigned_on = opened + timedelta(days=1)
        finding.due_on = opened + timedelta(days=16)
        finding.assigned_by = RECORDED_BY
    if status is FindingStatus.RESOLVED:
        days = 3 + (n * 7) % 22
        finding.resolved_on = opened + timedelta(days=days)
        finding.resolution = (
            "已协调电力部门完成维修" if kind is FindingKind.NEED else "已答复并公开"
        )
        finding.resolution_days = days
        finding.resolved_by = RECORDED_BY
    if status is FindingStatus.CLOSED_UNRESOLVABLE:
        finding.closed_on = opened + timedelta(days=10)
        finding.closed_reason = "涉及跨区土地历史遗留问题,镇村两级无法解决"
        finding.escalated_in = "鹿城区村社换届风险研判专报 2020年第3期"
        finding.closed_by = RECORDED_BY
    return finding


async def _vote_round(
    session: Any, village: Unit, people: dict[str, Person], votes: Initiative, counts: dict
) -> None:
    exists = await session.scalar(
        select(VoteRound.id).where(
            VoteRound.unit_id == village.id, VoteRound.initiative_id == votes.id
        )
    )
    if exists is not None:
        return
    weights = Weights(party=0.3, representative=0.5, satisfaction=0.2, basically_credit=0.5)
    vote_round = VoteRound(
        unit_id=village.id,
        initiative_id=votes.id,
        held_on=date(2020, 5, 20),
        party_members_eligible=86,
        representatives_eligible=41,
        raters_eligible=127,
        party_weight=weights.party,
        representative_weight=weights.representative,
        satisfaction_weight=weights.satisfaction,
        basically_satisfied_credit=weights.basically_credit,
        recorded_by=RECORDED_BY,
    )
    session.add(vote_round)
    await session.flush()
    subjects = (
        (None, Counts(70, 8, 4, 35, 4, 1, 80, 30, 9)),
        (people["lucheng-fv-secretary-1"], Counts(74, 6, 2, 37, 3, 1, 85, 27, 7)),
        (people["lucheng-fv-director-1"], Counts(58, 18, 6, 26, 12, 2, 60, 38, 21)),
    )
    metrics = Recorder(session, RECORDED_BY, check=False)
    for person, tally in subjects:
        scores = score(tally, weights)
        session.add(
            Tally(
                round_id=vote_round.id,
                unit_id=village.id,
                person_id=person.id if person else None,
                **vars(tally),
                party_approval=scores.party_approval,
                representative_approval=scores.representative_approval,
                satisfaction=scores.satisfaction,
                composite=scores.composite,
            )
        )
        await metrics.add(
            TEAM_COMPOSITE if person is None else MEMBER_COMPOSITE,
            key=f"vc:{vote_round.id}:{person.id if person else 'team'}",
            unit_id=village.id,
            day=vote_round.held_on,
            value=round(scores.composite * 100, 4),
            initiative_id=votes.id,
            person_id=person.id if person else None,
        )
    counts["vote rounds"] += 1


async def _negative_list(
    session: Any, villages: list[Unit], people: dict[str, Person], counts: dict
) -> None:
    candidate = people["lucheng-fv-candidate-1"]
    if await session.scalar(
        select(NegativeEntry.id).where(NegativeEntry.person_id == candidate.id).limit(1)
    ):
        return
    visit = await session.scalar(
        select(Visit).where(Visit.client_key == f"demo-{VILLAGES[1].code}-0003")
    )
    session.add(
        NegativeEntry(
            person_id=candidate.id,
            unit_id=villages[1].id,
            source=NegativeSource.VISIT if visit else NegativeSource.UNIT,
            source_visit_id=visit.id if visit else None,
            source_unit_id=None if visit else villages[1].parent_id,
            reason="走访中群众反映其存在违规占用集体土地问题,待核实",
            status=NegativeStatus.PENDING,
            entered_by=RECORDED_BY,
            entered_at=datetime(2020, 5, 29, 9, 0, tzinfo=UTC),
        )
    )
    session.add(
        NegativeEntry(
            person_id=candidate.id,
            unit_id=villages[1].id,
            source=NegativeSource.UNIT,
            source_unit_id=villages[1].parent_id,
            reason="镇纪委通报:2019年因优亲厚友受到诫勉谈话",
            status=NegativeStatus.CONFIRMED,
            entered_by=RECORDED_BY,
            entered_at=datetime(2020, 5, 18, 15, 0, tzinfo=UTC),
            confirmed_by=RECORDED_BY,
            confirmed_at=datetime(2020, 5, 22, 10, 0, tzinfo=UTC),
            confirm_reason="经镇纪委核实,处理决定属实",
        )
    )
