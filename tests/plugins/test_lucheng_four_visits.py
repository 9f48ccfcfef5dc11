"""鹿城 四访四问 · 两票一度, through the GraphQL endpoint, as its users meet it."""

from __future__ import annotations

import asyncio
import base64
import datetime

import pytest
from graphql import parse, validate

import plugins.lucheng_four_visits.clock as clock
import plugins.lucheng_four_visits.plugin as plugin
from tests.fake_plugins import make_plugin

CAMPAIGN = "lucheng-four-visits-2020"
VOTES = "lucheng-two-votes-one-rating-2020"
VILLAGE = "330302101001"  # 藤桥村
OTHER_VILLAGE = "330302101002"  # 上戍村
FAR_VILLAGE = "330302102001"  # 山福村, in another town
LONGWAN_VILLAGE = "330303001001"  # outside 鹿城区

SETUP = """
mutation {
  d: createUnit(input: {code: "330302", name: "鹿城区", kind: DISTRICT}) { errors { code } }
  t: createUnit(input: {code: "330302101", name: "藤桥镇", kind: TOWN, parentCode: "330302"}) {
    errors { code }
  }
  v1: createUnit(input: {code: "330302101001", name: "藤桥村", kind: VILLAGE,
                         parentCode: "330302101"}) { errors { code } }
  v2: createUnit(input: {code: "330302101002", name: "上戍村", kind: VILLAGE,
                         parentCode: "330302101"}) { errors { code } }
  t2: createUnit(input: {code: "330302102", name: "山福镇", kind: TOWN, parentCode: "330302"}) {
    errors { code }
  }
  v3: createUnit(input: {code: "330302102001", name: "山福村", kind: VILLAGE,
                         parentCode: "330302102"}) { errors { code } }
  dep: createUnit(input: {code: "330302D01", name: "区住建局", kind: DEPARTMENT,
                          parentCode: "330302"}) { errors { code } }
  o: createUnit(input: {code: "330303", name: "龙湾区", kind: DISTRICT}) { errors { code } }
  ot: createUnit(input: {code: "330303001", name: "状元街道", kind: TOWN, parentCode: "330303"}) {
    errors { code }
  }
  ov: createUnit(input: {code: "330303001001", name: "状元村", kind: VILLAGE,
                         parentCode: "330303001"}) { errors { code } }
  c: createInitiative(input: {code: "lucheng-four-visits-2020", name: "“四访四问”大走访",
                              kind: CAMPAIGN, ownerUnitCode: "330302",
                              scheme: "lucheng.four_visits", startDate: "2020-04-01",
                              endDate: "2020-12-31"}) { errors { code } }
  e: createInitiative(input: {code: "lucheng-two-votes-one-rating-2020", name: "“两票一度”测评",
                              kind: ASSESSMENT, ownerUnitCode: "330302",
                              scheme: "lucheng.two_votes_one_rating",
                              startDate: "2020-04-01"}) { errors { code } }
  x: createInitiative(input: {code: "lucheng-other-2020", name: "别的活动", kind: CAMPAIGN,
                              ownerUnitCode: "330302", scheme: "lucheng.other"}) {
    errors { code }
  }
  visitor: createPerson(input: {name: "周建国", homeUnitCode: "330302101"}) { person { id } }
  secretary: createPerson(input: {name: "张立新", homeUnitCode: "330302101001"}) {
    person { id }
  }
  director: createPerson(input: {name: "陈美玲", homeUnitCode: "330302101001"}) {
    person { id }
  }
  candidate: createPerson(input: {name: "林志勇", homeUnitCode: "330302101002"}) {
    person { id }
  }
}"""

RECORD = """
mutation($input: RecordFourVisitsVisitInput!) {
  recordFourVisitsVisit(input: $input) {
    replayed
    visit {
      id clientKey visitedOn notes
      village { code } household { code village { name } } visitor { name }
      campaign { code } asks peopleMet { name category person { name } }
      findings { id kind summary status openedOn }
    }
    errors { code field message }
  }
}"""

RECORD_MANY = """
mutation($visits: [RecordFourVisitsVisitInput!]!) {
  recordFourVisitsVisits(input: {visits: $visits}) {
    results { clientKey replayed visit { id household { code } } errors { code field } }
    errors { code field }
  }
}"""

VISITS = """
query($under: String!) {
  fourVisitsVisits(underUnit: $under) { totalCount edges { node { clientKey } } }
}"""

FINDINGS = """
query($under: String!) {
  fourVisitsFindings(underUnit: $under) { totalCount edges { node { id kind status } } }
}"""

SERIES = """
query($metric: String!, $under: String!) {
  metricSeries(metric: $metric, underUnit: $under) { value }
}"""

ASSIGN = """
mutation($input: AssignFourVisitsFindingInput!) {
  assignFourVisitsFinding(input: $input) {
    finding { status dueOn assignedOn responsibleUnit { code } }
    errors { code field }
  }
}"""

RESOLVE = """
mutation($input: ResolveFourVisitsFindingInput!) {
  resolveFourVisitsFinding(input: $input) {
    finding { status resolution resolvedOn resolutionDays }
    errors { code field }
  }
}"""

CLOSE = """
mutation($input: CloseFourVisitsFindingInput!) {
  closeFourVisitsFinding(input: $input) {
    finding { status closedReason escalatedIn }
    errors { code field }
  }
}"""

OVERDUE = """
query($under: String!, $asOf: Date!) {
  fourVisitsOverdueFindings(underUnit: $under, asOf: $asOf) {
    responsibleUnit { code } count oldestDueOn findings { summary dueOn }
  }
}"""

RESOLUTION_TIMES = """
query($under: String!) {
  fourVisitsResolutionTimes(underUnit: $under, level: TOWN) {
    unit { code } resolved medianDays meanDays
  }
}"""

SET_HOUSEHOLDS = """
mutation($counts: [FourVisitsHouseholdCountInput!]!) {
  setFourVisitsHouseholds(input: {counts: $counts}) {
    counts { village { code } households }
    errors { code field }
  }
}"""

COVERAGE = """
query($under: String!, $level: FourVisitsLevel!) {
  fourVisitsCoverage(campaign: "lucheng-four-visits-2020", underUnit: $under, level: $level) {
    unit { code } villages villagesWithoutCount households householdsVisited rate
  }
}"""

LAGGING = """
query($asOf: Date!) {
  fourVisitsLaggingVillages(campaign: "lucheng-four-visits-2020", underUnit: "330302",
                            belowRate: 0.6, withinDays: 14, asOf: $asOf) {
    daysLeft alerting villages { unit { code } rate }
  }
}"""

UNIT_FOUR_VISITS = """
query($code: String!) {
  unit(code: $code) {
    fourVisits {
      households
      coverage(campaign: "lucheng-four-visits-2020") { householdsVisited households rate }
    }
  }
}"""

VOTE = """
mutation($input: RecordFourVisitsVoteRoundInput!) {
  recordFourVisitsVoteRound(input: $input) {
    voteRound {
      id
      weights { partyMember representative satisfaction basicallySatisfiedCredit }
      team {
        composite
        partyMemberVote { inFavour cast approval }
        representativeVote { approval }
        satisfaction { score }
      }
      members { person { name } composite }
    }
    errors { code field }
  }
}"""

SET_SETTING = """
mutation($name: String!, $value: JSON!) {
  setPluginSetting(input: {plugin: "lucheng.four_visits", unitCode: "330302101", name: $name,
                           value: $value}) {
    errors { code field }
  }
}"""

ADD_ENTRY = """
mutation($input: AddFourVisitsNegativeListEntryInput!) {
  addFourVisitsNegativeListEntry(input: $input) {
    entry { id status source enteredBy }
    errors { code field }
  }
}"""

CONFIRM_ENTRY = """
mutation($id: ID!, $reason: String!) {
  confirmFourVisitsNegativeListEntry(input: {entryId: $id, reason: $reason}) {
    entry { status confirmReason confirmedBy }
    errors { code field }
  }
}"""

CLEAR_ENTRY = """
mutation($id: ID!, $reason: String!) {
  clearFourVisitsNegativeListEntry(input: {entryId: $id, reason: $reason}) {
    entry { status clearReason confirmReason }
    errors { code field }
  }
}"""

PERSON_NEGATIVE_LIST = """
query($id: ID!) {
  person(id: $id) { name fourVisitsNegativeList { reason status source village { code } } }
}"""

NEGATIVE_LIST = """
query {
  fourVisitsNegativeList(underUnit: "330302") { totalCount edges { node { reason status } } }
}"""

START_POSTING = """
mutation($person: ID!) {
  startPosting(input: {personId: $person, hostUnitCode: "330302101001", role: RESIDENT_CADRE,
                       startDate: "2020-04-01"}) {
    posting { id status }
    errors { code }
  }
}"""

END_POSTING = """
mutation($id: ID!) {
  endPosting(input: {id: $id, outcome: COMPLETED, endDate: "2020-06-30"}) { errors { code } }
}"""


# --- helpers -----------------------------------------------------------------------------------


async def lucheng(yixian_app, *plugins):
    """Given 鹿城区 with 藤桥镇, 山福镇, their villages, the campaigns and a few people."""
    client = await yixian_app(plugins=[plugin, *plugins])
    result = await client.execute(SETUP)
    assert result.errors is None, result.errors
    people = {k: v["person"]["id"] for k, v in result.data.items() if v.get("person")}
    assert all(not v.get("errors") for v in result.data.values()), result.data
    return client, people


def visit(people, key, **changes):
    """A visit to 藤桥村 as a phone sends it."""
    value = {
        "clientKey": key,
        "campaignCode": CAMPAIGN,
        "villageCode": VILLAGE,
        "household": "藤桥村 1组 1号",
        "visitorId": people["visitor"],
        "visitedOn": "2020-05-20",
        "asks": ["NEEDS", "GRIEVANCE"],
        "peopleMet": [
            {"name": "李大伯", "category": "VILLAGER"},
            {"name": "张书记", "category": "CADRE", "personId": people["secretary"]},
        ],
        "findings": [{"kind": "GRIEVANCE", "summary": "宅基地审批迟迟没有答复"}],
        "notes": "圆桌夜访",
    }
    value.update(changes)
    return value


def row_id(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])


async def record(client, people, key, **changes):
    result = await client.execute(RECORD, input=visit(people, key, **changes))
    assert result.errors is None, result.errors
    return result.data["recordFourVisitsVisit"]


async def total(client, query=VISITS, under="330302"):
    result = await client.execute(query, under=under)
    assert result.errors is None, result.errors
    return next(iter(result.data.values()))["totalCount"]


async def series(client, metric, under="330302"):
    result = await client.execute(SERIES, metric=f"lucheng.four_visits.{metric}", under=under)
    assert result.errors is None, result.errors
    return [p["value"] for p in result.data["metricSeries"]]


async def finding_of(client, people, key, **changes):
    recorded = await record(client, people, key, **changes)
    assert recorded["errors"] == [], recorded["errors"]
    return recorded["visit"]["findings"][0]["id"]


# --- visits --------------------------------------------------------------------------------------


async def test_a_visit_is_recorded_with_its_asks_people_and_findings(yixian_app):
    """A visit keeps its household, visitor, asks and people met, and opens its findings."""
    # given
    client, people = await lucheng(yixian_app)
    # when
    recorded = await record(client, people, "phone-1-0001")
    # then
    assert recorded["errors"] == []
    assert recorded["replayed"] is False
    saved = recorded["visit"]
    assert saved["household"] == {"code": "藤桥村 1组 1号", "village": {"name": "藤桥村"}}
    assert saved["visitor"] == {"name": "周建国"}
    assert saved["campaign"] == {"code": CAMPAIGN}
    assert saved["asks"] == ["NEEDS", "GRIEVANCE"]
    assert saved["peopleMet"] == [
        {"name": "李大伯", "category": "VILLAGER", "person": None},
        {"name": "张书记", "category": "CADRE", "person": {"name": "张立新"}},
    ]
    assert [(f["kind"], f["status"], f["openedOn"]) for f in saved["findings"]] == [
        ("GRIEVANCE", "OPEN", "2020-05-20")
    ]
    assert await series(client, "households_visited") == [1.0]
    assert await series(client, "visits_grievance") == [1.0]
    assert await series(client, "findings_opened") == [1.0]


async def test_sending_the_same_key_again_returns_the_first_visit_and_writes_nothing(yixian_app):
    """A retry with the same key and payload gets the first visit back; nothing is added."""
    # given
    client, people = await lucheng(yixian_app)
    first = await record(client, people, "phone-1-0001")
    # when
    again = await record(client, people, "phone-1-0001")
    # then
    assert again["errors"] == []
    assert again["replayed"] is True
    assert again["visit"]["id"] == first["visit"]["id"]
    assert await total(client) == 1
    assert await total(client, FINDINGS) == 1
    assert await series(client, "households_visited") == [1.0]


async def test_concurrent_retries_of_one_visit_write_it_once(yixian_app):
    """Retries racing each other all get the same visit; exactly one of them wrote it."""
    # given
    client, people = await lucheng(yixian_app)
    # when
    results = await asyncio.gather(
        *(client.execute(RECORD, input=visit(people, "phone-1-0001")) for _ in range(6))
    )
    # then
    assert all(r.errors is None for r in results), [r.errors for r in results]
    payloads = [r.data["recordFourVisitsVisit"] for r in results]
    assert all(p["errors"] == [] for p in payloads), payloads
    assert len({p["visit"]["id"] for p in payloads}) == 1
    assert sorted(p["replayed"] for p in payloads) == [False] + [True] * 5
    assert await total(client) == 1
    assert await total(client, FINDINGS) == 1
    assert await series(client, "households_visited") == [1.0]


async def test_concurrent_visits_of_one_household_share_it(yixian_app):
    """Two phones visiting the same new household at once: two visits, one household."""
    # given
    client, people = await lucheng(yixian_app)
    # when
    results = await asyncio.gather(
        *(client.execute(RECORD, input=visit(people, f"phone-{n}-0001")) for n in range(4))
    )
    # then
    payloads = [r.data["recordFourVisitsVisit"] for r in results]
    assert all(p["errors"] == [] and not p["replayed"] for p in payloads), payloads
    assert await total(client) == 4
    assert await series(client, "households_visited") == [1.0]


async def test_a_different_visit_under_a_used_key_is_refused(yixian_app):
    """Reusing a key for another payload is refused with a typed error and writes nothing."""
    # given
    client, people = await lucheng(yixian_app)
    await record(client, people, "phone-1-0001")
    # when
    refused = await record(client, people, "phone-1-0001", household="藤桥村 1组 2号")
    # then
    assert refused["visit"] is None
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("FOUR_VISITS_KEY_REUSED", "clientKey")
    ]
    assert await total(client) == 1


async def test_an_offline_backlog_is_uploaded_each_visit_on_its_own(yixian_app):
    """A backlog with bad items: the good ones are written, each bad one says why, by key."""
    # given
    client, people = await lucheng(yixian_app)
    backlog = [
        visit(people, "phone-2-0001"),
        visit(people, "phone-2-0002", villageCode="330302101"),  # a town
        visit(people, "phone-2-0001"),  # the first again: a lost answer
        visit(people, "phone-2-0003", asks=["ADVICE"]),  # a grievance heard without asking
        visit(people, "phone-2-0004", household="藤桥村 2组 7号", findings=[]),
    ]
    # when
    result = await client.execute(RECORD_MANY, visits=backlog)
    # then
    assert result.errors is None, result.errors
    payload = result.data["recordFourVisitsVisits"]
    assert payload["errors"] == []
    outcome = [
        (r["clientKey"], r["replayed"], r["visit"] is not None, [e["field"] for e in r["errors"]])
        for r in payload["results"]
    ]
    assert outcome == [
        ("phone-2-0001", False, True, []),
        ("phone-2-0002", False, False, ["visits.1.villageCode"]),
        ("phone-2-0001", True, True, []),
        ("phone-2-0003", False, False, ["visits.3.findings.0.kind"]),
        ("phone-2-0004", False, True, []),
    ]
    codes = [e["code"] for r in payload["results"] for e in r["errors"]]
    assert codes == ["FOUR_VISITS_NOT_A_VILLAGE", "FOUR_VISITS_FINDING_NOT_ASKED"]
    assert await total(client) == 2
    assert await series(client, "households_visited") == [2.0]


async def test_a_backlog_over_the_limit_is_refused_whole(yixian_app):
    """More than 200 visits in one request are refused before any is written."""
    # given
    client, people = await lucheng(yixian_app)
    backlog = [visit(people, f"phone-3-{n:04d}", findings=[]) for n in range(201)]
    # when
    result = await client.execute(RECORD_MANY, visits=backlog)
    # then
    payload = result.data["recordFourVisitsVisits"]
    assert payload["results"] == []
    assert payload["errors"] == [{"code": "FOUR_VISITS_BATCH_TOO_LARGE", "field": "visits"}]
    assert await total(client) == 0


REFUSED_VISITS = [
    ({"villageCode": LONGWAN_VILLAGE}, "PLUGIN_NOT_ACTIVE", "villageCode"),
    ({"villageCode": "330302101"}, "FOUR_VISITS_NOT_A_VILLAGE", "villageCode"),
    ({"villageCode": "330302999999"}, "NOT_FOUND", "villageCode"),
    ({"campaignCode": "lucheng-other-2020"}, "FOUR_VISITS_NOT_A_CAMPAIGN", "campaignCode"),
    ({"campaignCode": "nope"}, "NOT_FOUND", "campaignCode"),
    ({"visitedOn": "2020-03-31"}, "FOUR_VISITS_OUTSIDE_CAMPAIGN", "visitedOn"),
    ({"visitedOn": "2999-01-01"}, "INVALID", "visitedOn"),
    ({"asks": [], "findings": []}, "FOUR_VISITS_NO_ASK", "asks"),
    ({"asks": ["NEEDS"]}, "FOUR_VISITS_FINDING_NOT_ASKED", "findings.0.kind"),
    ({"visitorId": "UGVyc29uOjk5OQ=="}, "NOT_FOUND", "visitorId"),
    ({"visitorId": "VW5pdDox"}, "NOT_FOUND", "visitorId"),
    ({"household": "  "}, "REQUIRED", "household"),
    ({"clientKey": ""}, "REQUIRED", "clientKey"),
    ({"peopleMet": [{"name": "", "category": "NOTABLE"}]}, "REQUIRED", "peopleMet.0.name"),
    ({"findings": [{"kind": "NEED", "summary": " "}]}, "REQUIRED", "findings.0.summary"),
]


async def test_every_refused_visit_names_its_field_and_writes_nothing(yixian_app):
    """Each bad input is refused with its code and field; no visit, household or finding."""
    # given
    client, people = await lucheng(yixian_app)
    for index, (changes, code, field) in enumerate(REFUSED_VISITS):
        # when
        refused = await record(client, people, f"bad-{index}", **changes)
        # then
        assert refused["visit"] is None, changes
        assert (refused["errors"][0]["code"], refused["errors"][0]["field"]) == (code, field)
    assert await total(client) == 0
    assert await total(client, FINDINGS) == 0
    assert await series(client, "households_visited") == []


CAMPAIGN_OF = """
mutation($code: String!, $owner: String!) {
  createInitiative(input: {code: $code, name: "走访", kind: CAMPAIGN, ownerUnitCode: $owner,
                           scheme: "lucheng.four_visits", startDate: "2020-04-01"}) {
    errors { code }
  }
}"""


async def test_a_visit_is_refused_in_a_campaign_that_does_not_cover_its_village(yixian_app):
    """A campaign covers the villages under its owner unit: 山福镇's campaign is not 藤桥村's."""
    # given: a campaign of 山福镇, one of 龙湾区 and one of 藤桥村 itself
    client, people = await lucheng(yixian_app)
    for code, owner in (
        ("shanfu-visits", "330302102"),
        ("longwan-visits", "330303"),
        ("tengqiao-village-visits", VILLAGE),
    ):
        created = await client.execute(CAMPAIGN_OF, code=code, owner=owner)
        assert created.data["createInitiative"]["errors"] == [], code
    # when
    other_town = await record(client, people, "cover-1", campaignCode="shanfu-visits")
    other_district = await record(client, people, "cover-2", campaignCode="longwan-visits")
    own_town = await record(
        client, people, "cover-3", campaignCode="shanfu-visits", villageCode=FAR_VILLAGE
    )
    own_village = await record(client, people, "cover-4", campaignCode="tengqiao-village-visits")
    # then
    for refused in (other_town, other_district):
        assert refused["visit"] is None
        assert [(e["code"], e["field"]) for e in refused["errors"]] == [
            ("FOUR_VISITS_CAMPAIGN_ELSEWHERE", "campaignCode")
        ]
    assert own_town["errors"] == []
    assert own_town["visit"]["village"] == {"code": FAR_VILLAGE}
    assert own_village["errors"] == []
    assert await total(client) == 2


def china_clock(monkeypatch, moment: str) -> None:
    """Stop the plugin's clock at a UTC moment."""
    frozen = datetime.datetime.fromisoformat(moment)
    monkeypatch.setattr(clock, "utc_now", lambda: frozen)


async def test_today_is_the_date_in_china_whatever_the_server_zone(yixian_app, monkeypatch):
    """At 17:00 UTC on 20 May it is already 21 May in 鹿城: a visit that day is not future."""
    # given
    client, people = await lucheng(yixian_app)
    china_clock(monkeypatch, "2020-05-20T17:00:00+00:00")
    # when
    morning = await record(client, people, "cn-1", visitedOn="2020-05-21")
    tomorrow = await record(client, people, "cn-2", visitedOn="2020-05-22", household="2号")
    finding = morning["visit"]["findings"][0]["id"]
    assigned = await client.execute(
        ASSIGN, input={"findingId": finding, "responsibleUnitCode": "330302101"}
    )
    # then
    assert morning["errors"] == []
    assert [(e["code"], e["field"]) for e in tomorrow["errors"]] == [("INVALID", "visitedOn")]
    assert assigned.data["assignFourVisitsFinding"]["finding"]["assignedOn"] == "2020-05-21"
    assert assigned.data["assignFourVisitsFinding"]["finding"]["dueOn"] == "2020-06-05"
    # and a vote held on 21 May is not in the future either
    voted = await client.execute(VOTE, input=vote_round(people, heldOn="2020-05-21", members=[]))
    assert voted.data["recordFourVisitsVoteRound"]["errors"] == []
    late = await client.execute(
        VOTE, input=vote_round(people, villageCode=OTHER_VILLAGE, heldOn="2020-05-22", members=[])
    )
    assert late.data["recordFourVisitsVoteRound"]["errors"] == [
        {"code": "INVALID", "field": "heldOn"}
    ]


# --- findings ------------------------------------------------------------------------------------


async def test_a_finding_is_assigned_then_resolved_and_its_resolution_time_measured(yixian_app):
    """OPEN → ASSIGNED to a department with a due date → RESOLVED; days are measured."""
    # given
    client, people = await lucheng(yixian_app)
    finding = await finding_of(client, people, "phone-1-0001")
    # when
    assigned = await client.execute(
        ASSIGN,
        input={
            "findingId": finding,
            "responsibleUnitCode": "330302D01",
            "assignedOn": "2020-05-21",
            "dueOn": "2020-06-05",
        },
    )
    resolved = await client.execute(
        RESOLVE,
        input={"findingId": finding, "resolution": "已办理宅基地审批", "resolvedOn": "2020-05-30"},
    )
    # then
    assert assigned.data["assignFourVisitsFinding"] == {
        "finding": {
            "status": "ASSIGNED",
            "dueOn": "2020-06-05",
            "assignedOn": "2020-05-21",
            "responsibleUnit": {"code": "330302D01"},
        },
        "errors": [],
    }
    assert resolved.data["resolveFourVisitsFinding"] == {
        "finding": {
            "status": "RESOLVED",
            "resolution": "已办理宅基地审批",
            "resolvedOn": "2020-05-30",
            "resolutionDays": 10,
        },
        "errors": [],
    }
    assert await series(client, "findings_resolved") == [1.0]
    assert await series(client, "resolution_days") == [10.0]


async def test_an_assignment_without_a_due_date_gets_the_default_days(yixian_app):
    """Without dueOn, the due date is assignedOn + default_due_days (15)."""
    # given
    client, people = await lucheng(yixian_app)
    finding = await finding_of(client, people, "phone-1-0001")
    # when
    assigned = await client.execute(
        ASSIGN,
        input={
            "findingId": finding,
            "responsibleUnitCode": "330302101",
            "assignedOn": "2020-05-21",
        },
    )
    # then
    assert assigned.data["assignFourVisitsFinding"]["finding"]["dueOn"] == "2020-06-05"


async def test_the_median_resolution_time_is_computed_per_town(yixian_app):
    """Median and mean days per town, from the resolved findings of its villages."""
    # given: findings heard on 20 May, resolved after 2, 4, 9 and 30 days
    client, people = await lucheng(yixian_app)
    for n, day in enumerate(("2020-05-22", "2020-05-24", "2020-05-29", "2020-06-19")):
        finding = await finding_of(client, people, f"phone-1-{n}", household=f"{n}号")
        await client.execute(
            ASSIGN,
            input={
                "findingId": finding,
                "responsibleUnitCode": VILLAGE,
                "assignedOn": "2020-05-21",
            },
        )
        await client.execute(
            RESOLVE, input={"findingId": finding, "resolution": "已解决", "resolvedOn": day}
        )
    # when
    result = await client.execute(RESOLUTION_TIMES, under="330302")
    # then
    assert result.errors is None, result.errors
    assert result.data["fourVisitsResolutionTimes"] == [
        {"unit": {"code": "330302101"}, "resolved": 4, "medianDays": 6.5, "meanDays": 11.25}
    ]


async def test_a_finding_that_cannot_be_resolved_is_closed_with_its_report(yixian_app):
    """CLOSED_UNRESOLVABLE keeps why and the report it was escalated in."""
    # given
    client, people = await lucheng(yixian_app)
    finding = await finding_of(client, people, "phone-1-0001")
    await client.execute(ASSIGN, input={"findingId": finding, "responsibleUnitCode": "330302101"})
    # when
    closed = await client.execute(
        CLOSE,
        input={
            "findingId": finding,
            "reason": "涉及跨区土地历史遗留问题",
            "escalatedIn": "鹿城区换届风险研判专报 2020年第3期",
        },
    )
    # then
    assert closed.data["closeFourVisitsFinding"] == {
        "finding": {
            "status": "CLOSED_UNRESOLVABLE",
            "closedReason": "涉及跨区土地历史遗留问题",
            "escalatedIn": "鹿城区换届风险研判专报 2020年第3期",
        },
        "errors": [],
    }


async def test_every_step_a_finding_does_not_allow_is_refused(yixian_app):
    """Steps out of order, bad dates and missing reasons are refused; the finding stays."""
    # given
    client, people = await lucheng(yixian_app)
    finding = await finding_of(client, people, "phone-1-0001")

    async def errors(query, **input):
        result = await client.execute(query, input={"findingId": finding, **input})
        payload = next(iter(result.data.values()))
        assert payload["finding"] is None
        return [(e["code"], e["field"]) for e in payload["errors"]]

    # when / then: an OPEN finding is neither resolved nor closed
    assert await errors(RESOLVE, resolution="好了") == [("FOUR_VISITS_FINDING_STATE", "findingId")]
    assert await errors(CLOSE, reason="无法解决", escalatedIn="专报") == [
        ("FOUR_VISITS_FINDING_STATE", "findingId")
    ]
    assert await errors(ASSIGN, responsibleUnitCode="330302101", dueOn="2020-05-01") == [
        ("DATE_ORDER", "dueOn")
    ]
    assert await errors(ASSIGN, responsibleUnitCode="330302101", assignedOn="2020-05-01") == [
        ("DATE_ORDER", "assignedOn")
    ]
    assert await errors(ASSIGN, responsibleUnitCode="nope") == [
        ("NOT_FOUND", "responsibleUnitCode")
    ]
    await client.execute(
        ASSIGN,
        input={
            "findingId": finding,
            "responsibleUnitCode": "330302101",
            "assignedOn": "2020-05-21",
        },
    )
    assert await errors(RESOLVE, resolution="  ") == [("REQUIRED", "resolution")]
    assert await errors(RESOLVE, resolution="好了", resolvedOn="2020-05-20") == [
        ("DATE_ORDER", "resolvedOn")
    ]
    assert await errors(CLOSE, reason="", escalatedIn="") == [
        ("REQUIRED", "reason"),
        ("REQUIRED", "escalatedIn"),
    ]
    assert await errors(ASSIGN, findingId="VW5pdDox", responsibleUnitCode="330302101") == [
        ("NOT_FOUND", "findingId")
    ]
    await client.execute(RESOLVE, input={"findingId": finding, "resolution": "已解决"})
    assert await errors(ASSIGN, responsibleUnitCode="330302101") == [
        ("FOUR_VISITS_FINDING_STATE", "findingId")
    ]
    assert await errors(CLOSE, reason="无法解决", escalatedIn="专报") == [
        ("FOUR_VISITS_FINDING_STATE", "findingId")
    ]


def outcome(payloads):
    """Which racing requests were written, and the codes of the refused ones."""
    written = [p for p in payloads if p["errors"] == []]
    refused = sorted(e["code"] for p in payloads for e in p["errors"])
    return written, refused


async def assigned_finding(client, people, key):
    finding = await finding_of(client, people, key)
    assigned = await client.execute(
        ASSIGN,
        input={
            "findingId": finding,
            "responsibleUnitCode": "330302101",
            "assignedOn": "2020-05-21",
        },
    )
    assert assigned.data["assignFourVisitsFinding"]["errors"] == []
    return finding


async def test_concurrent_resolutions_of_a_finding_write_one(yixian_app):
    """Resolutions racing each other: one is written, the others get the typed state error."""
    # given
    client, people = await lucheng(yixian_app)
    finding = await assigned_finding(client, people, "phone-1-0001")
    # when
    results = await asyncio.gather(
        *(
            client.execute(
                RESOLVE,
                input={"findingId": finding, "resolution": f"办法{n}", "resolvedOn": "2020-05-30"},
            )
            for n in range(4)
        )
    )
    # then
    assert all(r.errors is None for r in results), [r.errors for r in results]
    written, refused = outcome([r.data["resolveFourVisitsFinding"] for r in results])
    assert len(written) == 1
    assert refused == ["FOUR_VISITS_FINDING_STATE"] * 3
    assert await series(client, "findings_resolved") == [1.0]
    assert await series(client, "resolution_days") == [10.0]
    saved = await client.execute(
        "query($id: ID!) { node(id: $id) { ... on FourVisitsFinding { status resolution } } }",
        id=finding,
    )
    assert saved.data["node"] == {
        "status": "RESOLVED",
        "resolution": written[0]["finding"]["resolution"],
    }


async def test_a_resolution_racing_a_closing_ends_with_one_of_them(yixian_app):
    """Resolve and close at once: the finding ends as the one that was written says."""
    # given
    client, people = await lucheng(yixian_app)
    finding = await assigned_finding(client, people, "phone-1-0001")
    # when
    resolved, closed = await asyncio.gather(
        client.execute(RESOLVE, input={"findingId": finding, "resolution": "已解决"}),
        client.execute(
            CLOSE, input={"findingId": finding, "reason": "无法解决", "escalatedIn": "专报"}
        ),
    )
    # then
    payloads = [resolved.data["resolveFourVisitsFinding"], closed.data["closeFourVisitsFinding"]]
    written, refused = outcome(payloads)
    assert len(written) == 1
    assert refused == ["FOUR_VISITS_FINDING_STATE"]
    listed = await client.execute(FINDINGS, under="330302")
    status = listed.data["fourVisitsFindings"]["edges"][0]["node"]["status"]
    assert status == written[0]["finding"]["status"]
    assert await series(client, "findings_resolved") == ([1.0] if status == "RESOLVED" else [])


async def test_concurrent_assignments_of_an_open_finding_write_one(yixian_app):
    """Two assignments of one OPEN finding at once: one unit gets it, the other is refused."""
    # given
    client, people = await lucheng(yixian_app)
    finding = await finding_of(client, people, "phone-1-0001")
    # when
    results = await asyncio.gather(
        *(
            client.execute(ASSIGN, input={"findingId": finding, "responsibleUnitCode": unit})
            for unit in ("330302D01", "330302101")
        )
    )
    # then: either both read it OPEN and one won, or (on a busy machine) the second read it after
    # the first had committed and reassigned it, which is allowed; never two assignments in force
    written, refused = outcome([r.data["assignFourVisitsFinding"] for r in results])
    assert (len(written), refused) in ((1, ["FOUR_VISITS_FINDING_STATE"]), (2, []))
    units = {w["finding"]["responsibleUnit"]["code"] for w in written}
    overdue = await client.execute(OVERDUE, under="330302", asOf="2999-01-01")
    groups = [g["responsibleUnit"]["code"] for g in overdue.data["fourVisitsOverdueFindings"]]
    assert len(groups) == 1 and groups[0] in units


async def test_overdue_findings_are_listed_per_responsible_unit(yixian_app):
    """ASSIGNED findings past their due date, grouped by the unit that answers for them."""
    # given
    client, people = await lucheng(yixian_app)
    plan = [
        ("330302D01", "2020-06-01"),
        ("330302D01", "2020-06-10"),
        ("330302101", "2020-06-05"),
        ("330302101", "2020-07-30"),  # not yet due on 1 July
    ]
    plan.append(("330302D01", "2020-06-02"))  # heard in 山福镇
    for n, (unit, due) in enumerate(plan):
        village = FAR_VILLAGE if n == 4 else VILLAGE
        finding = await finding_of(
            client,
            people,
            f"phone-1-{n}",
            villageCode=village,
            findings=[{"kind": "NEED", "summary": f"诉求{n}"}],
        )
        assigned = await client.execute(
            ASSIGN,
            input={
                "findingId": finding,
                "responsibleUnitCode": unit,
                "assignedOn": "2020-05-21",
                "dueOn": due,
            },
        )
        assert assigned.data["assignFourVisitsFinding"]["errors"] == []
    # when
    result = await client.execute(OVERDUE, under="330302101", asOf="2020-07-01")
    # then: 藤桥镇's findings, whoever answers for them
    assert result.errors is None, result.errors
    assert result.data["fourVisitsOverdueFindings"] == [
        {
            "responsibleUnit": {"code": "330302D01"},
            "count": 2,
            "oldestDueOn": "2020-06-01",
            "findings": [
                {"summary": "诉求0", "dueOn": "2020-06-01"},
                {"summary": "诉求1", "dueOn": "2020-06-10"},
            ],
        },
        {
            "responsibleUnit": {"code": "330302101"},
            "count": 1,
            "oldestDueOn": "2020-06-05",
            "findings": [{"summary": "诉求2", "dueOn": "2020-06-05"}],
        },
    ]


ACTIVATE = """
mutation {
  activatePlugin(input: {plugin: "lucheng.four_visits", unitCode: "330302101", active: false}) {
    errors { code }
  }
}"""


async def test_where_an_admin_switched_the_plugin_off_nothing_is_written(yixian_app):
    """Switched off at 藤桥镇: visits and steps of its findings are PLUGIN_NOT_ACTIVE."""
    # given
    client, people = await lucheng(yixian_app)
    finding = await finding_of(client, people, "phone-1-0001")
    assert (await client.execute(ACTIVATE)).data["activatePlugin"]["errors"] == []
    # when
    refused = await record(client, people, "phone-1-0002", household="2号")
    assigned = await client.execute(
        ASSIGN, input={"findingId": finding, "responsibleUnitCode": "330302101"}
    )
    elsewhere = await record(client, people, "phone-1-0003", villageCode=FAR_VILLAGE)
    # then
    assert refused["errors"][0]["code"] == "PLUGIN_NOT_ACTIVE"
    assert assigned.data["assignFourVisitsFinding"]["errors"][0]["code"] == "PLUGIN_NOT_ACTIVE"
    assert elsewhere["errors"] == []
    assert await total(client) == 2


# --- coverage ------------------------------------------------------------------------------------


async def coverage_fixture(client, people):
    """藤桥村 4 households, 2 visited (one twice); 上戍村 10, 1 visited; 山福村 no count, 1."""
    result = await client.execute(
        SET_HOUSEHOLDS,
        counts=[
            {"villageCode": VILLAGE, "households": 4},
            {"villageCode": OTHER_VILLAGE, "households": 10},
        ],
    )
    assert result.data["setFourVisitsHouseholds"]["errors"] == []
    plan = [
        (VILLAGE, "1组1号", "2020-05-01"),
        (VILLAGE, "1组2号", "2020-05-02"),
        (VILLAGE, "1组1号", "2020-06-01"),  # the same household again
        (OTHER_VILLAGE, "3组9号", "2020-05-03"),
        (FAR_VILLAGE, "5组1号", "2020-05-04"),
    ]
    for n, (village, household, day) in enumerate(plan):
        recorded = await record(
            client, people, f"k{n}", villageCode=village, household=household, visitedOn=day
        )
        assert recorded["errors"] == [], recorded


async def test_coverage_is_distinct_households_over_households_at_every_level(yixian_app):
    """Village, town and district coverage count each household once, in the database."""
    # given
    client, people = await lucheng(yixian_app)
    await coverage_fixture(client, people)
    # when
    villages = await client.execute(COVERAGE, under="330302", level="VILLAGE")
    towns = await client.execute(COVERAGE, under="330302", level="TOWN")
    district = await client.execute(COVERAGE, under="330302", level="DISTRICT")
    # then
    assert villages.data["fourVisitsCoverage"] == [
        {
            "unit": {"code": VILLAGE},
            "villages": 1,
            "villagesWithoutCount": 0,
            "households": 4,
            "householdsVisited": 2,
            "rate": 0.5,
        },
        {
            "unit": {"code": OTHER_VILLAGE},
            "villages": 1,
            "villagesWithoutCount": 0,
            "households": 10,
            "householdsVisited": 1,
            "rate": 0.1,
        },
        {
            "unit": {"code": FAR_VILLAGE},
            "villages": 1,
            "villagesWithoutCount": 1,
            "households": None,
            "householdsVisited": 1,
            "rate": None,
        },
    ]
    assert [
        (r["unit"]["code"], r["households"], r["householdsVisited"], r["rate"])
        for r in towns.data["fourVisitsCoverage"]
    ] == [("330302101", 14, 3, pytest.approx(3 / 14)), ("330302102", None, 1, None)]
    assert district.data["fourVisitsCoverage"] == [
        {
            "unit": {"code": "330302"},
            "villages": 3,
            "villagesWithoutCount": 1,
            "households": 14,
            "householdsVisited": 4,
            "rate": pytest.approx(3 / 14),
        }
    ]
    town = await client.execute(UNIT_FOUR_VISITS, code="330302101")
    assert town.data["unit"]["fourVisits"] == {
        "households": None,
        "coverage": {"householdsVisited": 3, "households": 14, "rate": pytest.approx(3 / 14)},
    }
    # the households visited per month count each household once a month
    assert await series(client, "households_visited") == [5.0]


async def test_villages_under_a_rate_near_the_end_are_a_query(yixian_app):
    """“Under 60% with two weeks left”: nothing before, the lagging villages after."""
    # given
    client, people = await lucheng(yixian_app)
    await coverage_fixture(client, people)
    # when
    early = await client.execute(LAGGING, asOf="2020-11-01")
    late = await client.execute(LAGGING, asOf="2020-12-20")
    # then
    assert early.data["fourVisitsLaggingVillages"] == {
        "daysLeft": 60,
        "alerting": False,
        "villages": [],
    }
    wrong = await client.execute(
        'query { fourVisitsCoverage(campaign: "lucheng-four-visits-2020", underUnit: "330302", '
        "belowRate: 60) { rate } }"
    )
    assert wrong.errors[0]["extensions"] == {"code": "INVALID", "field": "belowRate"}
    assert late.data["fourVisitsLaggingVillages"] == {
        "daysLeft": 11,
        "alerting": True,
        "villages": [
            {"unit": {"code": OTHER_VILLAGE}, "rate": 0.1},
            {"unit": {"code": VILLAGE}, "rate": 0.5},
        ],
    }


async def test_household_counts_are_refused_whole_for_any_bad_village(yixian_app):
    """A town, a negative count or a village outside 鹿城区 refuses the whole list."""
    # given
    client, _ = await lucheng(yixian_app)
    # when
    result = await client.execute(
        SET_HOUSEHOLDS,
        counts=[
            {"villageCode": VILLAGE, "households": 400},
            {"villageCode": "330302101", "households": 900},
            {"villageCode": OTHER_VILLAGE, "households": -1},
            {"villageCode": LONGWAN_VILLAGE, "households": 300},
        ],
    )
    # then
    assert result.data["setFourVisitsHouseholds"] == {
        "counts": None,
        "errors": [
            {"code": "FOUR_VISITS_NOT_A_VILLAGE", "field": "counts.1.villageCode"},
            {"code": "FOUR_VISITS_NEGATIVE_COUNT", "field": "counts.2.households"},
            {"code": "PLUGIN_NOT_ACTIVE", "field": "counts.3.villageCode"},
        ],
    }
    village = await client.execute(UNIT_FOUR_VISITS, code=VILLAGE)
    assert village.data["unit"]["fourVisits"]["households"] is None


# --- two votes and one degree --------------------------------------------------------------------


def tally(party, representatives, satisfaction):
    return {
        "partyMemberVote": dict(zip(("inFavour", "against", "abstain"), party, strict=True)),
        "representativeVote": dict(
            zip(("inFavour", "against", "abstain"), representatives, strict=True)
        ),
        "satisfaction": dict(
            zip(("satisfied", "basicallySatisfied", "dissatisfied"), satisfaction, strict=True)
        ),
    }


def vote_round(people, **changes):
    value = {
        "villageCode": VILLAGE,
        "initiativeCode": VOTES,
        "heldOn": "2020-05-20",
        "partyMembersEligible": 80,
        "representativesEligible": 40,
        "team": tally((60, 15, 5), (30, 8, 2), (50, 40, 10)),
        "members": [
            {"personId": people["secretary"], "tally": tally((70, 8, 2), (36, 4, 0), (80, 20, 0))},
            {
                "personId": people["director"],
                "tally": tally((40, 30, 10), (20, 16, 4), (30, 30, 40)),
            },
        ],
    }
    value.update(changes)
    return value


async def test_the_composite_weighs_the_two_votes_and_the_rating_3_5_2(yixian_app):
    """Team and members: 0.3 × party approval + 0.5 × representative approval + 0.2 × rating."""
    # given
    client, people = await lucheng(yixian_app)
    # when
    result = await client.execute(VOTE, input=vote_round(people))
    # then
    payload = result.data["recordFourVisitsVoteRound"]
    assert payload["errors"] == []
    saved = payload["voteRound"]
    assert saved["weights"] == {
        "partyMember": pytest.approx(0.3),
        "representative": pytest.approx(0.5),
        "satisfaction": pytest.approx(0.2),
        "basicallySatisfiedCredit": 0.5,
    }
    team = saved["team"]
    assert team["partyMemberVote"] == {"inFavour": 60, "cast": 80, "approval": 0.75}
    assert team["representativeVote"] == {"approval": 0.75}
    assert team["satisfaction"] == {"score": pytest.approx(0.7)}  # (50 + 0.5 × 40) / 100
    assert team["composite"] == pytest.approx(0.3 * 0.75 + 0.5 * 0.75 + 0.2 * 0.7)
    assert saved["members"] == [
        {
            "person": {"name": "张立新"},
            "composite": pytest.approx(0.3 * 0.875 + 0.5 * 0.9 + 0.2 * 0.9),
        },
        {
            "person": {"name": "陈美玲"},
            "composite": pytest.approx(0.3 * 0.5 + 0.5 * 0.5 + 0.2 * 0.45),
        },
    ]
    assert await series(client, "team_composite") == [pytest.approx(74.0)]


async def test_weights_in_force_are_used_and_kept_with_each_result(yixian_app):
    """A town's own weights apply to later rounds; an earlier round keeps the weights it used."""
    # given
    client, people = await lucheng(yixian_app)
    first = await client.execute(VOTE, input=vote_round(people, members=[]))
    for name, value in (
        ("party_member_weight", 1),
        ("representative_weight", 1),
        ("satisfaction_weight", 2),
        ("basically_satisfied_credit", 1),
    ):
        changed = await client.execute(SET_SETTING, name=name, value=value)
        assert changed.data["setPluginSetting"]["errors"] == []
    # when
    second = await client.execute(
        VOTE, input=vote_round(people, villageCode=OTHER_VILLAGE, members=[])
    )
    rounds = await client.execute(
        'query { fourVisitsVoteRounds(underUnit: "330302") { edges { node { '
        "village { code } weights { partyMember satisfaction } team { composite } } } } }"
    )
    # then
    assert second.data["recordFourVisitsVoteRound"]["voteRound"]["team"]["composite"] == (
        pytest.approx(0.25 * 0.75 + 0.25 * 0.75 + 0.5 * 0.9)
    )
    assert [
        (n["node"]["village"]["code"], n["node"]["weights"]["partyMember"])
        for n in rounds.data["fourVisitsVoteRounds"]["edges"]
    ] == [(VILLAGE, pytest.approx(0.3)), (OTHER_VILLAGE, pytest.approx(0.25))]
    assert first.data["recordFourVisitsVoteRound"]["voteRound"]["team"]["composite"] == (
        pytest.approx(0.74)
    )


REFUSED_VOTES = [
    ({"villageCode": "330302101"}, [("FOUR_VISITS_NOT_A_VILLAGE", "villageCode")]),
    ({"villageCode": LONGWAN_VILLAGE}, [("PLUGIN_NOT_ACTIVE", "villageCode")]),
    ({"initiativeCode": "nope"}, [("NOT_FOUND", "initiativeCode")]),
    (
        {"team": tally((70, 15, 5), (30, 8, 2), (50, 40, 10))},
        [("FOUR_VISITS_BALLOTS_EXCEED_ELIGIBLE", "team.partyMemberVote")],
    ),
    (
        {"team": tally((60, -1, 5), (30, 8, 2), (0, 0, 0))},
        [
            ("FOUR_VISITS_NEGATIVE_COUNT", "team.partyMemberVote.against"),
            ("FOUR_VISITS_NO_BALLOTS", "team.satisfaction"),
        ],
    ),
    (
        {"ratersEligible": 50},
        [
            ("FOUR_VISITS_BALLOTS_EXCEED_ELIGIBLE", "team.satisfaction"),
            ("FOUR_VISITS_BALLOTS_EXCEED_ELIGIBLE", "members.0.tally.satisfaction"),
            ("FOUR_VISITS_BALLOTS_EXCEED_ELIGIBLE", "members.1.tally.satisfaction"),
        ],
    ),
    ({"partyMembersEligible": -3}, [("FOUR_VISITS_NEGATIVE_COUNT", "partyMembersEligible")]),
    (
        {
            "members": [
                {"personId": "UGVyc29uOjk5OQ==", "tally": tally((1, 0, 0), (1, 0, 0), (1, 0, 0))}
            ]
        },
        [("NOT_FOUND", "members.0.personId")],
    ),
    ({"heldOn": "2999-01-01"}, [("INVALID", "heldOn")]),
]


async def test_every_refused_vote_names_its_field_and_writes_nothing(yixian_app):
    """Too many ballots, negative counts, a non-village or a second round are refused."""
    # given
    client, people = await lucheng(yixian_app)
    for changes, expected in REFUSED_VOTES:
        # when
        result = await client.execute(VOTE, input=vote_round(people, **changes))
        # then
        payload = result.data["recordFourVisitsVoteRound"]
        assert payload["voteRound"] is None, changes
        assert [(e["code"], e["field"]) for e in payload["errors"]] == expected, changes
    assert await series(client, "team_composite") == []
    # and a village team has one round per initiative
    assert (await client.execute(VOTE, input=vote_round(people))).data["recordFourVisitsVoteRound"][
        "errors"
    ] == []
    again = await client.execute(VOTE, input=vote_round(people))
    assert again.data["recordFourVisitsVoteRound"]["errors"] == [
        {"code": "FOUR_VISITS_ROUND_EXISTS", "field": "initiativeCode"}
    ]


# --- the negative list ---------------------------------------------------------------------------


async def test_the_negative_list_shows_only_to_vetters_and_admins(yixian_app):
    """A village operator enters information; only vetters over the village and admins see it."""
    # given
    client, people = await lucheng(yixian_app)
    recorded = await record(client, people, "phone-1-0001")
    operator = await client.acting_as("OPERATOR", unit=VILLAGE)
    vetter = await client.acting_as("lucheng.four_visits.vetter", unit="330302")
    other_vetter = await client.acting_as("lucheng.four_visits.vetter", unit="330303")
    # when
    added = await operator.execute(
        ADD_ENTRY,
        input={
            "personId": people["director"],
            "visitId": recorded["visit"]["id"],
            "reason": "群众反映其违规占用集体土地",
        },
    )
    # then
    entry = added.data["addFourVisitsNegativeListEntry"]
    assert entry["errors"] == []
    assert entry["entry"]["status"] == "PENDING"
    assert entry["entry"]["source"] == "VISIT"
    expected = [
        {
            "reason": "群众反映其违规占用集体土地",
            "status": "PENDING",
            "source": "VISIT",
            "village": {"code": VILLAGE},
        }
    ]
    for who, shown in ((client, expected), (vetter, expected), (operator, None)):
        result = await who.execute(PERSON_NEGATIVE_LIST, id=people["director"])
        assert result.errors is None, result.errors
        assert result.data["person"]["fourVisitsNegativeList"] == shown
    hidden = await other_vetter.execute(PERSON_NEGATIVE_LIST, id=people["director"])
    assert hidden.data["person"] is None  # 陈美玲 is outside 龙湾区
    listed = await vetter.execute(NEGATIVE_LIST)
    assert listed.data["fourVisitsNegativeList"]["totalCount"] == 1
    refused = await operator.execute(NEGATIVE_LIST)
    assert refused.errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_entries_are_confirmed_or_cleared_never_deleted_and_confirmations_heard(yixian_app):
    """Vetters confirm and clear with reasons; other plugins hear a confirmation."""
    # given
    heard = []
    listener = make_plugin(
        "lucheng.listener",
        on_event=lambda event: (
            heard.append(event)
            if event.name == "lucheng.four_visits.negative_entry_confirmed"
            else None
        ),
    )
    client, people = await lucheng(yixian_app, listener)
    vetter = await client.acting_as("lucheng.four_visits.vetter", unit="330302")
    operator = await client.acting_as("OPERATOR", unit="330302")
    added = await client.execute(
        ADD_ENTRY,
        input={
            "personId": people["candidate"],
            "sourceUnitCode": "330302101",
            "villageCode": OTHER_VILLAGE,
            "reason": "镇纪委通报:曾受诫勉谈话",
        },
    )
    entry = added.data["addFourVisitsNegativeListEntry"]["entry"]["id"]
    # when / then: an operator who is not a vetter cannot confirm
    denied = await operator.execute(CONFIRM_ENTRY, id=entry, reason="属实")
    assert denied.data["confirmFourVisitsNegativeListEntry"]["errors"] == [
        {"code": "FOUR_VISITS_NOT_VETTER", "field": "entryId"}
    ]
    assert heard == []
    missing = await vetter.execute(CONFIRM_ENTRY, id=entry, reason=" ")
    assert missing.data["confirmFourVisitsNegativeListEntry"]["errors"] == [
        {"code": "REQUIRED", "field": "reason"}
    ]
    confirmed = await vetter.execute(CONFIRM_ENTRY, id=entry, reason="经核实属实")
    assert confirmed.data["confirmFourVisitsNegativeListEntry"]["entry"]["status"] == "CONFIRMED"
    assert [e.payload["entry_id"] for e in heard] == [row_id(entry)]
    twice = await vetter.execute(CONFIRM_ENTRY, id=entry, reason="再次确认")
    assert twice.data["confirmFourVisitsNegativeListEntry"]["errors"] == [
        {"code": "FOUR_VISITS_NEGATIVE_STATE", "field": "entryId"}
    ]
    cleared = await vetter.execute(CLEAR_ENTRY, id=entry, reason="申诉成立,予以撤销")
    assert cleared.data["clearFourVisitsNegativeListEntry"]["entry"] == {
        "status": "CLEARED",
        "clearReason": "申诉成立,予以撤销",
        "confirmReason": "经核实属实",
    }
    kept = await client.execute(PERSON_NEGATIVE_LIST, id=people["candidate"])
    assert [e["status"] for e in kept.data["person"]["fourVisitsNegativeList"]] == ["CLEARED"]
    again = await vetter.execute(CLEAR_ENTRY, id=entry, reason="x")
    assert again.data["clearFourVisitsNegativeListEntry"]["errors"][0]["code"] == (
        "FOUR_VISITS_NEGATIVE_STATE"
    )
    schema_types = await client.execute('{ __type(name: "Mutation") { fields { name } } }')
    names = {f["name"] for f in schema_types.data["__type"]["fields"]}
    assert not any("delete" in n.lower() and "negative" in n.lower() for n in names)


async def test_an_entry_names_exactly_one_source(yixian_app):
    """No source, or two, is refused; so is a village outside 鹿城区 or a missing reason."""
    # given
    client, people = await lucheng(yixian_app)
    recorded = await record(client, people, "phone-1-0001")
    visit_id = recorded["visit"]["id"]
    finding_id = recorded["visit"]["findings"][0]["id"]
    cases = [
        ({}, ("FOUR_VISITS_NEGATIVE_SOURCE", None)),
        (
            {"visitId": visit_id, "findingId": finding_id},
            ("FOUR_VISITS_NEGATIVE_SOURCE", "findingId"),
        ),
        ({"sourceUnitCode": "330302101"}, ("REQUIRED", "villageCode")),
        (
            {"sourceUnitCode": "330303", "villageCode": LONGWAN_VILLAGE},
            ("PLUGIN_NOT_ACTIVE", "villageCode"),
        ),
        ({"findingId": finding_id, "reason": ""}, ("REQUIRED", "reason")),
    ]
    for changes, expected in cases:
        # when
        input = {"personId": people["candidate"], "reason": "传闻", **changes}
        result = await client.execute(ADD_ENTRY, input=input)
        # then
        payload = result.data["addFourVisitsNegativeListEntry"]
        assert payload["entry"] is None
        assert (payload["errors"][0]["code"], payload["errors"][0]["field"]) == expected
    listed = await client.execute(NEGATIVE_LIST)
    assert listed.data["fourVisitsNegativeList"]["totalCount"] == 0


def confirmations_heard():
    heard = []
    listener = make_plugin(
        "lucheng.listener",
        on_event=lambda event: (
            heard.append(event)
            if event.name == "lucheng.four_visits.negative_entry_confirmed"
            else None
        ),
    )
    return heard, listener


async def pending_entry(client, people):
    added = await client.execute(
        ADD_ENTRY,
        input={
            "personId": people["candidate"],
            "sourceUnitCode": "330302101",
            "villageCode": OTHER_VILLAGE,
            "reason": "镇纪委通报:曾受诫勉谈话",
        },
    )
    assert added.data["addFourVisitsNegativeListEntry"]["errors"] == []
    return added.data["addFourVisitsNegativeListEntry"]["entry"]["id"]


async def test_concurrent_confirmations_confirm_once_and_publish_once(yixian_app):
    """Vetters confirming one entry at once: one confirmation, one event, typed refusals."""
    # given
    heard, listener = confirmations_heard()
    client, people = await lucheng(yixian_app, listener)
    vetters = [
        await client.acting_as("lucheng.four_visits.vetter", unit=unit)
        for unit in ("330302", "330302", "330302")
    ]
    entry = await pending_entry(client, people)
    # when
    results = await asyncio.gather(
        *(v.execute(CONFIRM_ENTRY, id=entry, reason=f"核实{n}") for n, v in enumerate(vetters))
    )
    # then
    assert all(r.errors is None for r in results), [r.errors for r in results]
    written, refused = outcome([r.data["confirmFourVisitsNegativeListEntry"] for r in results])
    assert len(written) == 1
    assert refused == ["FOUR_VISITS_NEGATIVE_STATE"] * 2
    assert [e.payload["entry_id"] for e in heard] == [row_id(entry)]
    kept = await client.execute(PERSON_NEGATIVE_LIST, id=people["candidate"])
    assert [e["status"] for e in kept.data["person"]["fourVisitsNegativeList"]] == ["CONFIRMED"]


async def test_a_confirmation_racing_a_clearing_ends_with_one_decision(yixian_app):
    """Confirm and clear a PENDING entry at once: one is written, the other refused, not lost."""
    # given
    heard, listener = confirmations_heard()
    client, people = await lucheng(yixian_app, listener)
    vetter = await client.acting_as("lucheng.four_visits.vetter", unit="330302")
    entry = await pending_entry(client, people)
    # when
    confirmed, cleared = await asyncio.gather(
        vetter.execute(CONFIRM_ENTRY, id=entry, reason="经核实属实"),
        client.execute(CLEAR_ENTRY, id=entry, reason="查无实据"),
    )
    # then
    payloads = [
        confirmed.data["confirmFourVisitsNegativeListEntry"],
        cleared.data["clearFourVisitsNegativeListEntry"],
    ]
    written, refused = outcome(payloads)
    assert len(written) == 1
    assert refused == ["FOUR_VISITS_NEGATIVE_STATE"]
    kept = await client.execute(PERSON_NEGATIVE_LIST, id=people["candidate"])
    [saved] = kept.data["person"]["fourVisitsNegativeList"]
    assert saved["status"] == written[0]["entry"]["status"]
    assert len(heard) == (1 if saved["status"] == "CONFIRMED" else 0)


NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename
    ... on FourVisitsNegativeListEntry { reason status }
  }
}"""


async def test_nodes_are_found_by_id_and_ids_beyond_a_row_id_name_none(yixian_app):
    """node(id:) finds the plugin's objects; an id above 2³¹−1 (or not a number) is null."""
    # given
    client, people = await lucheng(yixian_app)
    recorded = await record(client, people, "phone-1-0001")
    entry = await pending_entry(client, people)
    vote = await client.execute(VOTE, input=vote_round(people, members=[]))
    found = {
        "FourVisitsVisit": recorded["visit"]["id"],
        "FourVisitsFinding": recorded["visit"]["findings"][0]["id"],
        "FourVisitsVoteRound": vote.data["recordFourVisitsVoteRound"]["voteRound"]["id"],
        "FourVisitsNegativeListEntry": entry,
    }
    for type_name, global_id in found.items():
        # when
        result = await client.execute(NODE, id=global_id)
        # then
        assert result.errors is None, result.errors
        assert result.data["node"]["__typename"] == type_name
        for node_id in ("2147483648", "99999999999999999999", "-1", "0", "x"):
            missing = await client.execute(
                NODE, id=base64.b64encode(f"{type_name}:{node_id}".encode()).decode()
            )
            assert missing.errors is None, (type_name, node_id, missing.errors)
            assert missing.data["node"] is None, (type_name, node_id)
    entry_node = await client.execute(NODE, id=entry)
    assert entry_node.data["node"]["status"] == "PENDING"


# --- who may do what -----------------------------------------------------------------------------


async def test_a_resident_cadre_records_visits_while_posted_there_and_not_after(yixian_app):
    """Scope follows the ACTIVE posting: the cadre writes at their village until it ends."""
    # given: 周建国 is posted to 藤桥村, and his user only views that village otherwise
    client, people = await lucheng(yixian_app)
    posting = await client.execute(START_POSTING, person=people["visitor"])
    assert posting.data["startPosting"]["posting"]["status"] == "ACTIVE"
    cadre = await client.acting_as("VIEWER", unit=VILLAGE, person_id=row_id(people["visitor"]))
    # when
    mine = await cadre.execute(RECORD, input=visit(people, "cadre-1"))
    elsewhere = await cadre.execute(
        RECORD, input=visit(people, "cadre-2", villageCode=OTHER_VILLAGE)
    )
    # then
    assert mine.data["recordFourVisitsVisit"]["errors"] == []
    assert mine.data["recordFourVisitsVisit"]["visit"]["visitor"] == {"name": "周建国"}
    assert elsewhere.data["recordFourVisitsVisit"]["errors"][0]["code"] == "NOT_FOUND"
    seen = await cadre.execute(VISITS, under=VILLAGE)
    assert seen.data["fourVisitsVisits"]["totalCount"] == 1
    # when the posting ends
    ended = await client.execute(END_POSTING, id=posting.data["startPosting"]["posting"]["id"])
    assert ended.data["endPosting"]["errors"] == []
    after = await cadre.execute(RECORD, input=visit(people, "cadre-3"))
    # then
    assert after.data["recordFourVisitsVisit"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert await total(client) == 1


async def test_an_operator_of_another_district_sees_and_changes_nothing_here(yixian_app):
    """龙湾区's operator finds no 鹿城 data, cannot write there and is refused at home."""
    # given
    client, people = await lucheng(yixian_app)
    await record(client, people, "phone-1-0001")
    longwan = await client.acting_as("OPERATOR", unit="330303")
    # when
    listed = await longwan.execute(VISITS, under="330303")
    looked = await longwan.execute(VISITS, under="330302")
    written = await longwan.execute(RECORD, input=visit(people, "lw-1"))
    at_home = await longwan.execute(
        RECORD, input=visit(people, "lw-2", villageCode=LONGWAN_VILLAGE)
    )
    by_key = await longwan.execute('query { fourVisitsVisit(clientKey: "phone-1-0001") { id } }')
    # then
    assert listed.data["fourVisitsVisits"]["totalCount"] == 0
    assert looked.errors[0]["extensions"]["code"] == "NOT_FOUND"
    assert written.data["recordFourVisitsVisit"]["errors"][0]["code"] == "NOT_FOUND"
    assert at_home.data["recordFourVisitsVisit"]["errors"][0]["code"] == "PLUGIN_NOT_ACTIVE"
    assert by_key.data["fourVisitsVisit"] is None


# --- batching, saved queries, demo ---------------------------------------------------------------

UNITS_WITH_FOUR_VISITS = """
query {
  fourVisitsVisits(underUnit: "330302", first: 50) {
    edges { node {
      village { code } household { code } visitor { name } asks peopleMet { name }
      findings { status responsibleUnit { code } visit { clientKey } }
    } }
  }
  units(filter: {underUnit: "330302101"}, first: 50) {
    edges { node {
      code
      fourVisits {
        households overdueFindings { id }
        coverage(campaign: "lucheng-four-visits-2020") { rate }
        voteRounds { team { composite } members { person { name } } }
      }
    } }
  }
  people(first: 50) { edges { node { name fourVisitsNegativeList { status } } } }
}"""

ADD_VILLAGE = """
mutation($code: String!) {
  createUnit(input: {code: $code, name: "新村", kind: VILLAGE, parentCode: "330302101"}) {
    errors { code }
  }
}"""


async def test_fields_on_units_people_and_visits_load_in_batches(yixian_app):
    """More villages, visits and people do not mean more SQL statements."""
    # given
    client, people = await lucheng(yixian_app)

    async def grow(n):
        code = f"33030210110{n}"
        await client.execute(ADD_VILLAGE, code=code)
        await client.execute(SET_HOUSEHOLDS, counts=[{"villageCode": code, "households": 50}])
        await record(client, people, f"grow-{n}", villageCode=code, household=f"{n}号")

    await grow(1)
    with client.count_statements() as few:
        first = await client.execute(UNITS_WITH_FOUR_VISITS)
    assert first.errors is None, first.errors
    # when
    for n in range(2, 7):
        await grow(n)
    with client.count_statements() as many:
        second = await client.execute(UNITS_WITH_FOUR_VISITS)
    # then
    assert second.errors is None, second.errors
    assert len(second.data["fourVisitsVisits"]["edges"]) == 6
    assert many.count == few.count


async def test_saved_queries_are_installed_and_valid_against_the_schema(yixian_app):
    """Each shipped saved query parses and validates against the composed schema."""
    from core.settings import Settings
    from yixian.app import build_schema

    # given
    client, _ = await lucheng(yixian_app)
    schema = build_schema(client.registry, Settings(database_url="sqlite+aiosqlite://")).schema
    specs = plugin.register_saved_queries()
    # then
    assert {s.name for s in specs} == {
        "lucheng.four_visits.coverage-by-village",
        "lucheng.four_visits.unresolved-grievances",
        "lucheng.four_visits.teams-below-composite",
    }
    for spec in specs:
        assert validate(schema._schema, parse(spec.document)) == [], spec.name
    result = await client.execute(
        specs[1].document.replace("query FourVisitsUnresolvedGrievances", "query"),
        underUnit="330302",
        days=30,
    )
    assert result.errors is None, result.errors


DEMO = """
query {
  fourVisitsCoverage(campaign: "lucheng-four-visits-2020", underUnit: "330302101") {
    unit { name } households householdsVisited rate
  }
  open: fourVisitsFindings(underUnit: "330302", status: [OPEN]) { totalCount }
  assigned: fourVisitsFindings(underUnit: "330302", status: [ASSIGNED]) { totalCount }
  resolved: fourVisitsFindings(underUnit: "330302", status: [RESOLVED]) { totalCount }
  closed: fourVisitsFindings(underUnit: "330302", status: [CLOSED_UNRESOLVABLE]) { totalCount }
  fourVisitsVoteRounds(underUnit: "330302") { totalCount }
  metricSeries(metric: "lucheng.four_visits.households_visited", underUnit: "330302") { value }
}"""


async def test_the_demo_loads_once_at_the_reported_scale(yixian_app):
    """The demo adds villages, visits, findings at every status and a round; twice adds nothing."""
    from core.db import create_engine, create_sessionmaker
    from core.seeding import seed_demo

    # given
    client = await yixian_app(plugins=[plugin])
    engine = create_engine(client.database_url)
    try:
        # when
        first = await seed_demo(create_sessionmaker(engine), client.registry)
        second = await seed_demo(create_sessionmaker(engine), client.registry)
    finally:
        await engine.dispose()
    # then
    assert first["lucheng.four_visits: visits"] > 900
    assert all(v == 0 for k, v in second.items() if k.startswith("lucheng.four_visits"))
    result = await client.execute(DEMO)
    assert result.errors is None, result.errors
    coverage = result.data["fourVisitsCoverage"]
    assert len(coverage) == 5
    assert all(100 <= c["households"] <= 1000 for c in coverage)
    assert all(result.data[s]["totalCount"] > 0 for s in ("open", "assigned", "resolved", "closed"))
    assert result.data["fourVisitsVoteRounds"]["totalCount"] == 1
    visited = result.data["metricSeries"][0]["value"]
    assert 32_000 < visited < 33_000  # "3.2万余户"
