"""泰顺 云联审 (taishun.joint_review), specified through the GraphQL endpoint.

The world: 泰顺县 with four departments (members: 县纪委 D01, 县委组织部 D02,
县法院 D03; 县公安局 D04 not yet), two towns (罗阳镇 with 仙居村, 雅阳镇) and 文成县
next door. The roles: an admin, the 罗阳镇 clerk (OPERATOR), reviewers of different
departments, a county viewer and auditor, and a viewer of 文成县 who must see nothing.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from graphql import parse, validate

import plugins.taishun_joint_review.plugin as plugin
from core.db import create_engine, create_sessionmaker
from core.errors import DomainError
from core.seeding import seed_demo
from core.settings import Settings
from plugins.taishun_joint_review import REVIEWER
from plugins.taishun_joint_review.saved_queries import SAVED_QUERIES
from plugins.taishun_joint_review.settings import CST, JointReviewSettings, deadline_after
from tests.fake_plugins import make_plugin
from yixian.app import build_schema
from yixian.registry import create_registry

ELECTION = "taishun-election-2020"

SETUP = """
mutation {
  zj: createUnit(input: {code: "330000", name: "浙江省", kind: PROVINCE}) { errors { code } }
  wz: createUnit(input: {code: "330300", name: "温州市", kind: CITY, parentCode: "330000"}) {
    errors { code } }
  ts: createUnit(input: {code: "330329", name: "泰顺县", kind: DISTRICT, parentCode: "330300"}) {
    errors { code } }
  d1: createUnit(input: {code: "330329D01", name: "县纪委", kind: DEPARTMENT,
                         parentCode: "330329"}) { errors { code } }
  d2: createUnit(input: {code: "330329D02", name: "县委组织部", kind: DEPARTMENT,
                         parentCode: "330329"}) { errors { code } }
  d3: createUnit(input: {code: "330329D03", name: "县法院", kind: DEPARTMENT,
                         parentCode: "330329"}) { errors { code } }
  d4: createUnit(input: {code: "330329D04", name: "县公安局", kind: DEPARTMENT,
                         parentCode: "330329"}) { errors { code } }
  ly: createUnit(input: {code: "330329101", name: "罗阳镇", kind: TOWN, parentCode: "330329"}) {
    errors { code } }
  xj: createUnit(input: {code: "330329101001", name: "仙居村", kind: VILLAGE,
                         parentCode: "330329101"}) { errors { code } }
  yy: createUnit(input: {code: "330329102", name: "雅阳镇", kind: TOWN, parentCode: "330329"}) {
    errors { code } }
  wc: createUnit(input: {code: "330328", name: "文成县", kind: DISTRICT, parentCode: "330300"}) {
    errors { code } }
  xk: createUnit(input: {code: "330328101", name: "峃口镇", kind: TOWN, parentCode: "330328"}) {
    errors { code } }
  wd: createUnit(input: {code: "330328D01", name: "县纪委", kind: DEPARTMENT,
                         parentCode: "330328"}) { errors { code } }
  e: createInitiative(input: {code: "taishun-election-2020", name: "2020年村社组织换届",
                              kind: REVIEW, ownerUnitCode: "330329",
                              scheme: "taishun.joint_review"}) { errors { code } }
  p1: createPerson(input: {name: "周建平", homeUnitCode: "330329101001"}) { person { id } }
  p2: createPerson(input: {name: "林美珍", homeUnitCode: "330329101001"}) { person { id } }
  p3: createPerson(input: {name: "吴志强", homeUnitCode: "330329101"}) { person { id } }
  p4: createPerson(input: {name: "季丽华", homeUnitCode: "330329101"}) { person { id } }
  p5: createPerson(input: {name: "陈晓东", homeUnitCode: "330329102"}) { person { id } }
  p6: createPerson(input: {name: "胡彩芬", homeUnitCode: "330328101"}) { person { id } }
}"""

SET_MEMBER = """
mutation($code: String!, $member: Boolean! = true) {
  setJointReviewMember(input: {departmentCode: $code, member: $member}) {
    member { code name member changedBy }
    errors { code field message }
  }
}"""

MEMBERS = """
query($county: String!) {
  jointReviewMembers(countyCode: $county, includeFormer: true) { code name member }
}"""

SUBMIT = """
mutation($unit: String!, $candidates: [JointReviewCandidateInput!]!, $at: DateTime,
         $election: String! = "taishun-election-2020") {
  submitJointReviewBatch(input: {unitCode: $unit, initiativeCode: $election,
                                 candidates: $candidates, submittedAt: $at}) {
    batch {
      id title status townName initiativeCode submittedAt deadline
      departments { code name }
      candidates { id name post villageName status progress { requests answered pending } }
    }
    errors { code field message }
  }
}"""

VERDICT = """
mutation($candidate: ID!, $verdict: JointReviewVerdict!, $reason: String, $rule: String,
         $department: String) {
  recordJointReviewVerdict(input: {candidateId: $candidate, verdict: $verdict, reason: $reason,
                                   rule: $rule, departmentCode: $department}) {
    request {
      status verdict reason rule confidential department { code }
      versions { version verdict reason }
      candidate { status }
    }
    errors { code field message }
  }
}"""

WITHDRAW = """
mutation($candidate: ID!, $reason: String!) {
  withdrawJointReviewCandidate(input: {candidateId: $candidate, reason: $reason}) {
    candidate { name status withdrawReason }
    errors { code field message }
  }
}"""

BATCH = """
query($id: ID!) {
  jointReviewBatch(id: $id) {
    title status townName completedAt
    outcomes { candidates open cleared flagged disqualified withdrawn }
    progress { requests answered pending }
    candidates {
      name status
      person { name }
      progress { requests answered pending }
      requests { department { code } status confidential verdict reason rule versions { version } }
    }
  }
}"""

BATCHES = """
query($under: String!, $status: JointReviewBatchStatus) {
  jointReviewBatches(underUnit: $under, status: $status) { title status townName }
}"""

QUEUE = """
query($department: String, $answered: Boolean! = false) {
  jointReviewQueue(departmentCode: $department, includeAnswered: $answered) {
    status verdict reason department { code }
    candidate { name post batch { title townName } }
  }
}"""

OVERDUE = """
query($under: String, $asOf: DateTime) {
  jointReviewOverdueRequests(underUnit: $under, asOf: $asOf) {
    department { code name }
    count
    requests { status overdue candidate { name } }
  }
}"""

PERSON_REVIEWS = """
query($under: String! = "330329") {
  people(filter: {underUnit: $under}, first: 50) {
    edges { node { name jointReviews {
      status post
      batch { title status departments { code } }
      requests { department { code } status verdict }
      progress { requests answered }
    } } }
  }
}"""

SERIES = """
query($metric: String!, $under: String!, $level: UnitKind) {
  metricSeries(metric: $metric, underUnit: $under, groupBy: {level: $level}) {
    unit { code } value count
  }
}"""

SNAPSHOT = """
query {
  jointReviewMembers(countyCode: "330329", includeFormer: true) { code member }
  jointReviewBatches(underUnit: "330000") {
    title status
    candidates { name status withdrawReason
      requests { department { code } status verdict reason versions { version } } }
  }
  observations(first: 100) { edges { node { value } } }
}"""

SET_SETTING = """
mutation($name: String!, $value: JSON!) {
  setPluginSetting(input: {plugin: "taishun.joint_review", unitCode: "330329", name: $name,
                           value: $value}) { errors { code message } }
}"""


# --- helpers -------------------------------------------------------------------------------------


class World:
    """The clients and the people of a fresh 泰顺县."""

    def __init__(self, admin, people):
        self.admin = admin
        self.people = people

    async def as_role(self, role, unit):
        return await self.admin.acting_as(role, unit=unit)


async def world(yixian_app, members=("330329D01", "330329D02", "330329D03")) -> World:
    admin = await yixian_app(plugins=[plugin])
    result = await admin.execute(SETUP)
    assert result.errors is None, result.errors
    names = ["周建平", "林美珍", "吴志强", "季丽华", "陈晓东", "胡彩芬"]
    people = {name: result.data[f"p{i}"]["person"]["id"] for i, name in enumerate(names, 1)}
    for code in members:
        assert (await admin.execute(SET_MEMBER, code=code)).data["setJointReviewMember"][
            "errors"
        ] == []
    return World(admin, people)


def candidates(world: World, *names: str, village: str | None = None) -> list[dict]:
    return [
        {"personId": world.people[name], "post": "村党组织书记", "villageCode": village}
        for name in names
    ]


async def submit(client, world: World, *names: str, unit="330329101", at=None) -> dict:
    result = await client.execute(SUBMIT, unit=unit, candidates=candidates(world, *names), at=at)
    assert result.errors is None, result.errors
    payload = result.data["submitJointReviewBatch"]
    assert payload["errors"] == [], payload["errors"]
    return payload["batch"]


async def answer(client, candidate: str, verdict="CLEAR", **values) -> dict:
    result = await client.execute(VERDICT, candidate=candidate, verdict=verdict, **values)
    assert result.errors is None, result.errors
    return result.data["recordJointReviewVerdict"]


async def batch_as(client, batch_id: str) -> dict | None:
    result = await client.execute(BATCH, id=batch_id)
    assert result.errors is None, result.errors
    return result.data["jointReviewBatch"]


async def snapshot(client) -> dict:
    result = await client.execute(SNAPSHOT)
    assert result.errors is None, result.errors
    return result.data


async def series(client, metric: str, under="330329", level=None) -> list[dict]:
    result = await client.execute(
        SERIES, metric=f"taishun.joint_review.{metric}", under=under, level=level
    )
    assert result.errors is None, result.errors
    return result.data["metricSeries"]


def codes(payload: dict) -> list[tuple[str, str | None]]:
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def refused(client, document: str, field_name: str, **variables) -> list:
    """The (code, field) pairs a mutation answered with."""
    result = await client.execute(document, **variables)
    assert result.errors is None, result.errors
    return codes(result.data[field_name])


# --- member departments ---------------------------------------------------------------------------


async def test_member_departments_are_flagged_by_the_county_and_listed(yixian_app):
    """The county's operator flags and unflags departments; towns and other units are refused."""
    # given
    w = await world(yixian_app, members=())
    county = await w.as_role("OPERATOR", "330329")
    town = await w.as_role("OPERATOR", "330329101")

    # when the county flags 县纪委 and 县委组织部, then unflags 县委组织部
    flagged = (await county.execute(SET_MEMBER, code="330329D01")).data["setJointReviewMember"]
    assert flagged["errors"] == []
    assert flagged["member"]["code"] == "330329D01"
    assert flagged["member"]["name"] == "县纪委"
    assert flagged["member"]["member"] is True
    await county.execute(SET_MEMBER, code="330329D02")
    await county.execute(SET_MEMBER, code="330329D02", member=False)

    # then both are listed, 县委组织部 no longer a member
    listed = (await county.execute(MEMBERS, county="330329")).data["jointReviewMembers"]
    assert [(m["code"], m["member"]) for m in listed] == [
        ("330329D01", True),
        ("330329D02", False),
    ]

    # and other units, other counties and town clerks are refused
    not_department = (await w.admin.execute(SET_MEMBER, code="330329101")).data
    assert codes(not_department["setJointReviewMember"]) == [
        ("JOINT_REVIEW_NOT_A_DEPARTMENT", "departmentCode")
    ]
    elsewhere = (await w.admin.execute(SET_MEMBER, code="330328D01")).data
    assert codes(elsewhere["setJointReviewMember"]) == [("PLUGIN_NOT_ACTIVE", "departmentCode")]
    by_town = (await town.execute(SET_MEMBER, code="330329D03")).data["setJointReviewMember"]
    assert codes(by_town) == [("NOT_FOUND", "departmentCode")]
    assert (await town.execute(MEMBERS, county="330329")).data["jointReviewMembers"] == []


async def test_a_department_cannot_flag_or_unflag_itself(yixian_app):
    """Membership is the county's decision: a department's own OPERATOR is refused."""
    # given
    w = await world(yixian_app, members=("330329D01",))
    department = await w.as_role("OPERATOR", "330329D01")
    before = (await w.admin.execute(MEMBERS, county="330329")).data["jointReviewMembers"]

    # when the department's operator unflags itself, flags itself again, flags another
    leave = await refused(
        department, SET_MEMBER, "setJointReviewMember", code="330329D01", member=False
    )
    join = await refused(department, SET_MEMBER, "setJointReviewMember", code="330329D01")
    other = await refused(department, SET_MEMBER, "setJointReviewMember", code="330329D02")

    # then it is refused, the department it cannot see does not exist for it, nothing changed
    assert leave == [("PERMISSION_DENIED", "departmentCode")]
    assert join == [("PERMISSION_DENIED", "departmentCode")]
    assert other == [("NOT_FOUND", "departmentCode")]
    assert (await w.admin.execute(MEMBERS, county="330329")).data["jointReviewMembers"] == before
    assert before == [{"code": "330329D01", "name": "县纪委", "member": True}]


# --- submitting -----------------------------------------------------------------------------------


async def test_a_town_submits_a_batch_and_every_department_gets_a_request(yixian_app):
    """Submitting fans out one request per candidate per member department at once."""
    # given
    w = await world(yixian_app)
    town = await w.as_role("OPERATOR", "330329101")

    # when
    result = await town.execute(
        SUBMIT,
        unit="330329101",
        candidates=[
            {"personId": w.people["周建平"], "post": "村党组织书记", "villageCode": "330329101001"},
            {"personId": w.people["林美珍"], "post": "村委会主任"},
        ],
    )
    batch = result.data["submitJointReviewBatch"]["batch"]

    # then
    assert batch["title"] == "罗阳镇第1批"
    assert batch["status"] == "OPEN"
    assert batch["townName"] == "罗阳镇"
    assert batch["initiativeCode"] == ELECTION
    assert [d["code"] for d in batch["departments"]] == ["330329D01", "330329D02", "330329D03"]
    assert [(c["name"], c["post"], c["villageName"], c["status"]) for c in batch["candidates"]] == [
        ("周建平", "村党组织书记", "仙居村", "OPEN"),
        ("林美珍", "村委会主任", None, "OPEN"),
    ]
    assert all(
        c["progress"] == {"requests": 3, "answered": 0, "pending": 3} for c in batch["candidates"]
    )
    second = await submit(town, w, "吴志强")
    assert second["title"] == "罗阳镇第2批"


async def test_the_deadline_is_two_and_a_half_working_days_by_default(yixian_app):
    """Monday 09:00 CST plus 2.5 working days of 08:30–17:30 is Wednesday 13:30 CST."""
    # given
    w = await world(yixian_app)

    # when
    batch = await submit(w.admin, w, "周建平", at="2020-05-25T09:00:00+08:00")

    # then
    assert batch["submittedAt"] == "2020-05-25T01:00:00+00:00"
    assert batch["deadline"] == "2020-05-27T05:30:00+00:00"


async def test_the_deadline_can_be_plain_hours(yixian_app):
    """A county set to HOURS counts nights and weekends."""
    # given
    w = await world(yixian_app)
    assert (await w.admin.execute(SET_SETTING, name="deadline_mode", value="HOURS")).data[
        "setPluginSetting"
    ]["errors"] == []
    await w.admin.execute(SET_SETTING, name="deadline_hours", value=48)

    # when
    batch = await submit(w.admin, w, "周建平", at="2020-05-29T16:00:00+08:00")

    # then
    assert batch["deadline"] == "2020-05-31T08:00:00+00:00"


def test_the_working_day_calendar_skips_holidays_and_counts_make_up_days():
    """National Day 2020: Oct 1–8 off, Sep 27 and Oct 10 worked; 2.5 days end Oct 12 11:30."""
    # given
    settings = JointReviewSettings(
        holidays=[date(2020, 10, day) for day in range(1, 9)],
        extra_working_days=[date(2020, 9, 27), date(2020, 10, 10)],
    )
    submitted = datetime(2020, 9, 30, 16, 0, tzinfo=CST)
    evening = datetime(2020, 10, 9, 20, 0, tzinfo=CST)  # after hours: counting starts next day

    # when
    deadlines = [deadline_after(submitted, settings), deadline_after(evening, settings)]

    # then
    assert deadlines == [
        datetime(2020, 10, 12, 3, 30, tzinfo=UTC),
        datetime(2020, 10, 13, 5, 0, tzinfo=UTC),
    ]


async def test_a_batch_keeps_the_departments_it_was_submitted_to(yixian_app):
    """Changing the members changes new batches only; a department added later is not asked."""
    # given
    w = await world(yixian_app)
    town = await w.as_role("OPERATOR", "330329101")
    d4 = await w.as_role(REVIEWER, "330329D04")
    before = await submit(town, w, "周建平")

    # when
    await w.admin.execute(SET_MEMBER, code="330329D03", member=False)
    await w.admin.execute(SET_MEMBER, code="330329D04")
    after = await submit(town, w, "林美珍")

    # then
    assert [d["code"] for d in before["departments"]] == ["330329D01", "330329D02", "330329D03"]
    assert [d["code"] for d in after["departments"]] == ["330329D01", "330329D02", "330329D04"]
    late = await answer(d4, before["candidates"][0]["id"])
    assert codes(late) == [("JOINT_REVIEW_NOT_A_MEMBER", "departmentCode")]
    assert (await answer(d4, after["candidates"][0]["id"]))["errors"] == []


# --- confidentiality ------------------------------------------------------------------------------


async def test_a_department_sees_only_its_own_requests_while_the_candidate_is_open(yixian_app):
    """While open a department sees its own requests, the town counts; after it, every reason."""
    # given
    w = await world(yixian_app)
    town = await w.as_role("OPERATOR", "330329101")
    county = await w.as_role("VIEWER", "330329")
    elsewhere = await w.as_role("VIEWER", "330328")
    d1 = await w.as_role(REVIEWER, "330329D01")
    d2 = await w.as_role(REVIEWER, "330329D02")
    d3 = await w.as_role(REVIEWER, "330329D03")
    batch = await submit(town, w, "林美珍")
    candidate = batch["candidates"][0]["id"]

    # when 县纪委 raises a concern
    recorded = await answer(d1, candidate, "CONCERN", reason="近三年多次越级信访")

    # then 县纪委 and admins read it, 县委组织部 sees its own request, the town and county counts
    assert recorded["errors"] == []
    assert recorded["request"]["verdict"] == "CONCERN"
    assert recorded["request"]["reason"] == "近三年多次越级信访"
    as_d2 = (await batch_as(d2, batch["id"]))["candidates"][0]
    assert [r["department"]["code"] for r in as_d2["requests"]] == ["330329D02"]
    assert as_d2["progress"] == {"requests": 1, "answered": 0, "pending": 1}
    assert as_d2["person"] is None  # the person's record lies outside a department's scope
    assert as_d2["name"] == "林美珍"
    for clerk in (town, county):
        seen = (await batch_as(clerk, batch["id"]))["candidates"][0]
        assert seen["progress"] == {"requests": 3, "answered": 1, "pending": 2}
        d1_request = seen["requests"][0]
        assert d1_request["department"]["code"] == "330329D01"
        assert d1_request["status"] == "ANSWERED"
        assert d1_request["confidential"] is True
        assert (d1_request["verdict"], d1_request["reason"], d1_request["versions"]) == (
            None,
            None,
            [],
        )
    admin_view = (await batch_as(w.admin, batch["id"]))["candidates"][0]["requests"][0]
    assert admin_view["reason"] == "近三年多次越级信访"
    assert await batch_as(elsewhere, batch["id"]) is None
    assert (await elsewhere.execute(BATCHES, under="330329")).data["jointReviewBatches"] == []
    assert (await elsewhere.execute(QUEUE, department="330329D02")).data["jointReviewQueue"] == []
    sent_to_d2 = (await d2.execute(BATCHES, under="330329D02")).data["jointReviewBatches"]
    assert sent_to_d2 == [{"title": "罗阳镇第1批", "status": "OPEN", "townName": "罗阳镇"}]

    # when the last two departments answer
    await answer(d2, candidate)
    await answer(d3, candidate)

    # then the town reads every verdict and reason; 县委组织部 still sees only its own
    concluded = (await batch_as(town, batch["id"]))["candidates"][0]
    assert concluded["status"] == "FLAGGED"
    assert [
        (r["department"]["code"], r["verdict"], r["reason"]) for r in concluded["requests"]
    ] == [
        ("330329D01", "CONCERN", "近三年多次越级信访"),
        ("330329D02", "CLEAR", None),
        ("330329D03", "CLEAR", None),
    ]
    assert [
        r["department"]["code"]
        for r in (await batch_as(d2, batch["id"]))["candidates"][0]["requests"]
    ] == ["330329D02"]


async def grant_behind_the_api(client, user: str, role: str, unit: str) -> None:
    from sqlalchemy import select

    from core.access.models import Grant, User
    from core.units.models import Unit

    async with client.app.state.sessionmaker() as session:
        user_id = (await session.execute(select(User.id).where(User.name == user))).scalar_one()
        unit_id = (await session.execute(select(Unit.id).where(Unit.code == unit))).scalar_one()
        session.add(Grant(user_id=user_id, role=role, unit_id=unit_id))
        await session.commit()


async def test_a_reviewer_granted_at_two_departments_is_refused(yixian_app):
    """A reviewer acts for exactly one department: a user holding the role at two is refused
    recording and queues, and reads no confidential verdict through the role."""
    # given a user granted the reviewer role at 县纪委 and at 县委组织部
    w = await world(yixian_app)
    d1 = await w.as_role(REVIEWER, "330329D01")
    two_hats = await w.admin.acting_as(REVIEWER, unit="330329D01", name="two-hats")
    # a second department is refused when granted (RoleSpec(single_unit=True))…
    with pytest.raises(DomainError, match="held at one unit only"):
        await w.admin.acting_as(REVIEWER, unit="330329D02", name="two-hats")
    # …and a second grant written behind the API is still refused when used
    await grant_behind_the_api(w.admin, "two-hats", REVIEWER, "330329D02")
    batch = await submit(w.admin, w, "周建平")
    candidate = batch["candidates"][0]["id"]
    await answer(d1, candidate, "CONCERN", reason="待核实")
    before = await snapshot(w.admin)

    # when
    refusals = [
        await refused(
            two_hats,
            VERDICT,
            "recordJointReviewVerdict",
            candidate=candidate,
            verdict="CLEAR",
            department=department,
        )
        for department in (None, "330329D01", "330329D02")
    ]
    queues = [await two_hats.execute(QUEUE, department=d) for d in (None, "330329D02")]
    seen = await batch_as(two_hats, batch["id"])

    # then
    assert refusals == [[("JOINT_REVIEW_ONE_DEPARTMENT", None)]] * 3
    for queue in queues:
        assert queue.data is None or queue.data["jointReviewQueue"] is None
        assert [e["extensions"]["code"] for e in queue.errors] == ["JOINT_REVIEW_ONE_DEPARTMENT"]
    d1_request = seen["candidates"][0]["requests"][0]
    assert d1_request["department"]["code"] == "330329D01"
    assert (d1_request["confidential"], d1_request["reason"]) == (True, None)
    assert await snapshot(w.admin) == before
    message = (await two_hats.execute(VERDICT, candidate=candidate, verdict="CLEAR")).data
    assert "exactly one department" in message["recordJointReviewVerdict"]["errors"][0]["message"]


# --- the workflow ---------------------------------------------------------------------------------


async def test_candidates_conclude_automatically_and_the_batch_completes(yixian_app):
    """Candidates conclude CLEARED, FLAGGED or DISQUALIFIED by themselves; then the batch."""
    # given
    w = await world(yixian_app)
    town = await w.as_role("OPERATOR", "330329101")
    reviewers = [await w.as_role(REVIEWER, f"330329D0{n}") for n in (1, 2, 3)]
    batch = await submit(town, w, "周建平", "林美珍", "吴志强")
    cleared, flagged, disqualified = (c["id"] for c in batch["candidates"])

    # when every department but 县法院 has answered 林美珍
    for reviewer in reviewers:
        await answer(reviewer, cleared)
    await answer(reviewers[0], flagged, "CONCERN", reason="有信访记录")
    await answer(reviewers[1], flagged)
    await answer(reviewers[0], disqualified, "CONCERN", reason="待核实")
    last_open = await answer(reviewers[1], disqualified)
    await answer(
        reviewers[2],
        disqualified,
        "DISQUALIFY",
        reason="受过刑事处罚",
        rule="村社组织换届“十不宜”",
    )
    assert last_open["request"]["candidate"]["status"] == "OPEN"
    seen = await batch_as(town, batch["id"])
    assert seen["status"] == "OPEN"
    assert seen["outcomes"] == {
        "candidates": 3,
        "open": 1,
        "cleared": 1,
        "flagged": 0,
        "disqualified": 1,
        "withdrawn": 0,
    }

    # and 县法院 answers last
    last = await answer(reviewers[2], flagged)

    # then 林美珍 is FLAGGED, the batch complete and its metrics recorded
    assert last["request"]["candidate"]["status"] == "FLAGGED"
    done = await batch_as(town, batch["id"])
    assert done["status"] == "COMPLETE"
    assert done["completedAt"] is not None
    assert [c["status"] for c in done["candidates"]] == ["CLEARED", "FLAGGED", "DISQUALIFIED"]
    assert done["candidates"][2]["requests"][2]["rule"] == "村社组织换届“十不宜”"
    assert (await town.execute(BATCHES, under="330329101", status="COMPLETE")).data[
        "jointReviewBatches"
    ] == [{"title": "罗阳镇第1批", "status": "COMPLETE", "townName": "罗阳镇"}]
    assert [p["value"] for p in await series(w.admin, "candidates_cleared")] == [1]
    assert [p["value"] for p in await series(w.admin, "candidates_flagged")] == [1]
    assert [p["value"] for p in await series(w.admin, "candidates_disqualified")] == [1]
    assert [p["count"] for p in await series(w.admin, "batch_turnaround_hours")] == [1]
    by_department = await series(w.admin, "department_turnaround_hours", level="DEPARTMENT")
    assert [(p["unit"]["code"], p["count"]) for p in by_department] == [
        ("330329D01", 3),
        ("330329D02", 3),
        ("330329D03", 3),
    ]


async def test_a_reviewer_amends_until_conclusion_and_every_version_is_kept(yixian_app):
    """Amending adds a version; once the candidate concluded, verdicts are closed."""
    # given
    w = await world(yixian_app)
    d1, d2, d3 = [await w.as_role(REVIEWER, f"330329D0{n}") for n in (1, 2, 3)]
    batch = await submit(w.admin, w, "周建平")
    candidate = batch["candidates"][0]["id"]

    # when
    await answer(d1, candidate, "CONCERN", reason="待核实")
    amended = await answer(d1, candidate, "CLEAR")

    # then
    assert amended["request"]["verdict"] == "CLEAR"
    assert [(v["version"], v["verdict"], v["reason"]) for v in amended["request"]["versions"]] == [
        (1, "CONCERN", "待核实"),
        (2, "CLEAR", None),
    ]
    await answer(d2, candidate)
    await answer(d3, candidate)
    closed = await answer(d1, candidate, "DISQUALIFY", reason="新线索", rule="十不宜")
    assert codes(closed) == [("JOINT_REVIEW_CONCLUDED", "candidateId")]
    requests = (await batch_as(w.admin, batch["id"]))["candidates"][0]["requests"]
    assert [len(r["versions"]) for r in requests] == [2, 1, 1]


async def test_a_town_withdraws_a_candidate_before_conclusion(yixian_app):
    """A withdrawal needs a reason, closes pending requests and frees the person."""
    # given
    w = await world(yixian_app)
    town = await w.as_role("OPERATOR", "330329101")
    d1, d2, d3 = [await w.as_role(REVIEWER, f"330329D0{n}") for n in (1, 2, 3)]
    batch = await submit(town, w, "周建平", "林美珍")
    kept, taken_back = (c["id"] for c in batch["candidates"])
    await answer(d1, taken_back, "CONCERN", reason="有信访记录")

    # when
    no_reason = (await town.execute(WITHDRAW, candidate=taken_back, reason=" ")).data
    assert codes(no_reason["withdrawJointReviewCandidate"]) == [
        ("JOINT_REVIEW_REASON_REQUIRED", "reason")
    ]
    withdrawn = (await town.execute(WITHDRAW, candidate=taken_back, reason="本人自愿放弃")).data
    assert withdrawn["withdrawJointReviewCandidate"] == {
        "candidate": {"name": "林美珍", "status": "WITHDRAWN", "withdrawReason": "本人自愿放弃"},
        "errors": [],
    }
    assert codes(await answer(d2, taken_back)) == [("JOINT_REVIEW_CONCLUDED", "candidateId")]
    while_open = (await batch_as(town, batch["id"]))["candidates"][1]["requests"]
    assert [(r["status"], r["confidential"], r["reason"]) for r in while_open] == [
        ("ANSWERED", True, None),  # the batch is still open: the reason stays confidential
        ("CLOSED", False, None),
        ("CLOSED", False, None),
    ]
    for reviewer in (d1, d2, d3):
        await answer(reviewer, kept)

    # then the batch is complete and the town reads every verdict, the withdrawn one's too
    done = await batch_as(town, batch["id"])
    assert done["status"] == "COMPLETE"
    assert done["outcomes"]["withdrawn"] == 1
    withdrawn_requests = done["candidates"][1]["requests"]
    assert [
        (r["status"], r["confidential"], r["verdict"], r["reason"], len(r["versions"]))
        for r in withdrawn_requests
    ] == [
        ("ANSWERED", False, "CONCERN", "有信访记录", 1),
        ("CLOSED", False, None, None, 0),
        ("CLOSED", False, None, None, 0),
    ]
    county = await w.as_role("VIEWER", "330329")
    as_county = (await batch_as(county, batch["id"]))["candidates"][1]["requests"][0]
    assert (as_county["confidential"], as_county["reason"]) == (False, "有信访记录")
    as_d2 = (await batch_as(d2, batch["id"]))["candidates"][1]["requests"]
    assert [r["department"]["code"] for r in as_d2] == ["330329D02"]  # still only its own
    again = (await town.execute(WITHDRAW, candidate=kept, reason="改任他职")).data
    assert codes(again["withdrawJointReviewCandidate"]) == [
        ("JOINT_REVIEW_CONCLUDED", "candidateId")
    ]
    resubmitted = await submit(town, w, "林美珍")
    assert resubmitted["status"] == "OPEN"


# --- queue and overdue ----------------------------------------------------------------------------


async def test_a_reviewer_queue_lists_its_department_oldest_first(yixian_app):
    """The queue holds the pending requests of open candidates, oldest submission first."""
    # given
    w = await world(yixian_app)
    d2 = await w.as_role(REVIEWER, "330329D02")
    d1 = await w.as_role(REVIEWER, "330329D01")
    newer = await submit(w.admin, w, "林美珍", at="2020-05-26T09:00:00+08:00")
    await submit(w.admin, w, "陈晓东", unit="330329102", at="2020-05-25T09:00:00+08:00")
    await answer(d2, newer["candidates"][0]["id"])

    # when
    pending = (await d2.execute(QUEUE)).data["jointReviewQueue"]
    everything = (await d2.execute(QUEUE, answered=True)).data["jointReviewQueue"]
    other = (await d1.execute(QUEUE)).data["jointReviewQueue"]

    # then
    assert [(r["candidate"]["name"], r["status"]) for r in pending] == [("陈晓东", "PENDING")]
    assert [(r["candidate"]["name"], r["status"], r["verdict"]) for r in everything] == [
        ("陈晓东", "PENDING", None),
        ("林美珍", "ANSWERED", "CLEAR"),
    ]
    assert everything[0]["candidate"]["batch"] == {"title": "雅阳镇第1批", "townName": "雅阳镇"}
    assert [r["candidate"]["name"] for r in other] == ["陈晓东", "林美珍"]
    assert {r["department"]["code"] for r in other} == {"330329D01"}
    assert (await w.admin.execute(QUEUE)).errors  # an admin names the department


async def test_overdue_requests_are_listed_per_department(yixian_app):
    """Unanswered requests past the deadline, grouped by department."""
    # given
    w = await world(yixian_app)
    d1 = await w.as_role(REVIEWER, "330329D01")
    d3 = await w.as_role(REVIEWER, "330329D03")
    batch = await submit(w.admin, w, "周建平", "林美珍", at="2020-05-25T09:00:00+08:00")
    first, second = (c["id"] for c in batch["candidates"])
    await answer(d1, first)
    await answer(d1, second)
    await answer(d3, second)

    # when
    overdue = (await w.admin.execute(OVERDUE, under="330329")).data["jointReviewOverdueRequests"]
    before_deadline = (
        await w.admin.execute(OVERDUE, under="330329", asOf="2020-05-27T13:00:00+08:00")
    ).data["jointReviewOverdueRequests"]
    mine = (await d3.execute(OVERDUE)).data["jointReviewOverdueRequests"]

    # then
    assert [(g["department"]["code"], g["count"]) for g in overdue] == [
        ("330329D02", 2),
        ("330329D03", 1),
    ]
    assert [r["candidate"]["name"] for r in overdue[0]["requests"]] == ["周建平", "林美珍"]
    assert all(r["overdue"] and r["status"] == "PENDING" for r in overdue[0]["requests"])
    assert before_deadline == []
    assert [(g["department"]["name"], g["count"]) for g in mine] == [("县法院", 1)]
    progress = (await batch_as(w.admin, batch["id"]))["progress"]
    assert progress == {"requests": 6, "answered": 3, "pending": 3}


OBSERVATIONS = """
query($metric: String!) {
  observations(filter: {metric: $metric}, first: 100) { edges { node { periodStart value } } }
}"""


async def overdue_by_department(client) -> list[tuple[str, float]]:
    return [
        (p["unit"]["code"], p["value"])
        for p in await series(client, "overdue_requests", level="DEPARTMENT")
    ]


async def test_overdue_requests_are_counted_once_each_however_they_end(yixian_app):
    """The overdue metric counts, once per request, at its department and in the month of the
    deadline, every request whose deadline passed before the department answered: answered
    late, still unanswered, or never answered because the candidate was withdrawn."""
    # given a batch dated May 2020: all six requests are overdue when it is entered
    w = await world(yixian_app)
    town = await w.as_role("OPERATOR", "330329101")
    d1, d2, d3 = [await w.as_role(REVIEWER, f"330329D0{n}") for n in (1, 2, 3)]
    old = await submit(w.admin, w, "周建平", "林美珍", at="2020-05-25T09:00:00+08:00")
    late, withdrawn = (c["id"] for c in old["candidates"])
    listed = (await w.admin.execute(OVERDUE, under="330329")).data["jointReviewOverdueRequests"]

    # then the metric counts what jointReviewOverdueRequests lists, in May 2020
    assert [(g["department"]["code"], g["count"]) for g in listed] == [
        ("330329D01", 2),
        ("330329D02", 2),
        ("330329D03", 2),
    ]
    assert await overdue_by_department(w.admin) == [
        ("330329D01", 2),
        ("330329D02", 2),
        ("330329D03", 2),
    ]

    # when 县纪委 answers late and amends, the town withdraws 林美珍, the others answer late
    await answer(d1, late, "CONCERN", reason="待核实")
    await answer(d1, late)
    assert (await town.execute(WITHDRAW, candidate=withdrawn, reason="本人自愿放弃")).data[
        "withdrawJointReviewCandidate"
    ]["errors"] == []
    await answer(d2, late)
    await answer(d3, late)

    # then every request still counts exactly once
    assert (await batch_as(w.admin, old["id"]))["status"] == "COMPLETE"
    assert await overdue_by_department(w.admin) == [
        ("330329D01", 2),
        ("330329D02", 2),
        ("330329D03", 2),
    ]
    observed = await w.admin.execute(OBSERVATIONS, metric="taishun.joint_review.overdue_requests")
    assert {
        (e["node"]["periodStart"], e["node"]["value"])
        for e in observed.data["observations"]["edges"]
    } == {("2020-05-01", 1.0)}
    assert len(observed.data["observations"]["edges"]) == 6

    # and a batch answered before its deadline is never counted
    on_time = await submit(town, w, "林美珍")
    await answer(d1, on_time["candidates"][0]["id"])
    assert await overdue_by_department(w.admin) == [
        ("330329D01", 2),
        ("330329D02", 2),
        ("330329D03", 2),
    ]

    # given a batch due under two seconds after submission (plain hours), left alone
    for name, value in (("deadline_mode", "HOURS"), ("deadline_hours", 0.0005)):
        changed = await w.admin.execute(SET_SETTING, name=name, value=value)
        assert changed.data["setPluginSetting"]["errors"] == []
    quick = await submit(town, w, "吴志强", "季丽华")
    taken_back, answered = (c["id"] for c in quick["candidates"])
    await asyncio.sleep(2.5)

    # when a candidate is withdrawn after the deadline, nobody having answered
    await town.execute(WITHDRAW, candidate=taken_back, reason="改任他职")

    # then its three requests count, and so do the other candidate's, still unanswered
    assert await overdue_by_department(w.admin) == [
        ("330329D01", 4),
        ("330329D02", 4),
        ("330329D03", 4),
    ]
    await answer(d1, answered)  # late, but already counted
    assert await overdue_by_department(w.admin) == [
        ("330329D01", 4),
        ("330329D02", 4),
        ("330329D03", 4),
    ]


# --- bad input ------------------------------------------------------------------------------------


async def test_bad_input_gets_a_typed_error_and_writes_nothing(yixian_app):
    """Every refusal names its code and field, and the data stays as it was."""
    # given
    w = await world(yixian_app)
    town = await w.as_role("OPERATOR", "330329101")
    d1, d2, d3 = [await w.as_role(REVIEWER, f"330329D0{n}") for n in (1, 2, 3)]
    d4 = await w.as_role(REVIEWER, "330329D04")
    open_batch = await submit(town, w, "周建平", "吴志强")
    concluded = open_batch["candidates"][1]["id"]
    for reviewer in (d1, d2, d3):
        await answer(reviewer, concluded)
    candidate = open_batch["candidates"][0]["id"]
    before = await snapshot(w.admin)
    verdict = "recordJointReviewVerdict"
    submit_ = "submitJointReviewBatch"

    # when each bad input is sent, then it is refused with its code and field
    assert await refused(d4, VERDICT, verdict, candidate=candidate, verdict="CLEAR") == [
        ("JOINT_REVIEW_NOT_A_MEMBER", "departmentCode")
    ]
    assert await refused(
        d1, VERDICT, verdict, candidate=candidate, verdict="CLEAR", department="330329D02"
    ) == [("JOINT_REVIEW_NOT_YOUR_DEPARTMENT", "departmentCode")]
    assert await refused(town, VERDICT, verdict, candidate=candidate, verdict="CLEAR") == [
        ("REQUIRED", "departmentCode")
    ]
    assert await refused(
        d1, VERDICT, verdict, candidate=concluded, verdict="CONCERN", reason="x"
    ) == [("JOINT_REVIEW_CONCLUDED", "candidateId")]
    assert await refused(d1, VERDICT, verdict, candidate=candidate, verdict="CONCERN") == [
        ("JOINT_REVIEW_REASON_REQUIRED", "reason")
    ]
    assert await refused(
        d1, VERDICT, verdict, candidate=candidate, verdict="DISQUALIFY", rule="十不宜"
    ) == [("JOINT_REVIEW_REASON_REQUIRED", "reason")]
    assert await refused(
        d1, VERDICT, verdict, candidate=candidate, verdict="DISQUALIFY", reason="受过刑事处罚"
    ) == [("JOINT_REVIEW_RULE_REQUIRED", "rule")]
    assert await refused(d1, VERDICT, verdict, candidate="bm90IGFuIGlk", verdict="CLEAR") == [
        ("NOT_FOUND", "candidateId")
    ]
    other_county = await w.as_role(REVIEWER, "330328D01")
    unknown_candidate = "Sm9pbnRSZXZpZXdDYW5kaWRhdGU6OTk5OQ=="  # JointReviewCandidate:9999
    missing = await answer(other_county, unknown_candidate)
    assert codes(missing) == [("NOT_FOUND", "candidateId")]
    for department in (None, "330329D01", "330328D01"):
        out_of_scope = await answer(other_county, candidate, department=department)
        assert out_of_scope == missing  # another county's candidate looks exactly like none
    assert await refused(
        town, VERDICT, verdict, candidate=candidate, verdict="CLEAR", department="330329D04"
    ) == [("NOT_FOUND", "departmentCode")]  # a department the town cannot see, not the batch's
    assert await refused(
        town, VERDICT, verdict, candidate=candidate, verdict="CLEAR", department="330329D09"
    ) == [("NOT_FOUND", "departmentCode")]
    assert await refused(
        town, SUBMIT, submit_, unit="330329101", candidates=candidates(w, "周建平")
    ) == [("JOINT_REVIEW_DUPLICATE_CANDIDATE", "candidates.0.personId")]
    assert await refused(
        town, SUBMIT, submit_, unit="330329101", candidates=candidates(w, "季丽华", "季丽华")
    ) == [("JOINT_REVIEW_DUPLICATE_CANDIDATE", "candidates.1.personId")]
    assert await refused(
        w.admin, SUBMIT, submit_, unit="330328101", candidates=candidates(w, "胡彩芬")
    ) == [("PLUGIN_NOT_ACTIVE", "unitCode")]
    unknown = [{"personId": "UGVyc29uOjk5OTk=", "post": "村委会主任"}]
    assert await refused(town, SUBMIT, submit_, unit="330329101", candidates=unknown) == [
        ("NOT_FOUND", "candidates.0.personId")
    ]
    assert await refused(
        town, SUBMIT, submit_, unit="330329101", candidates=candidates(w, "陈晓东")
    ) == [("NOT_FOUND", "candidates.0.personId")]  # a person outside the town's scope
    assert await refused(town, SUBMIT, submit_, unit="330329101", candidates=[]) == [
        ("JOINT_REVIEW_EMPTY_BATCH", "candidates")
    ]
    assert await refused(
        town, SUBMIT, submit_, unit="330329102", candidates=candidates(w, "季丽华")
    ) == [("NOT_FOUND", "unitCode")]
    assert await refused(
        w.admin, SUBMIT, submit_, unit="330329", candidates=candidates(w, "季丽华")
    ) == [("JOINT_REVIEW_NOT_A_TOWN", "unitCode")]
    assert await refused(
        town,
        SUBMIT,
        submit_,
        unit="330329101",
        candidates=candidates(w, "季丽华"),
        at="2020-05-25T09:00:00+08:00",
    ) == [("PERMISSION_DENIED", None)]
    assert await refused(
        town,
        SUBMIT,
        submit_,
        unit="330329101",
        candidates=candidates(w, "季丽华", village="330329102"),
    ) == [("INVALID", "candidates.0.villageCode")]
    assert await refused(
        w.admin,
        SUBMIT,
        submit_,
        unit="330329101",
        candidates=candidates(w, "季丽华"),
        election="no-such-election",
    ) == [("NOT_FOUND", "initiativeCode")]
    assert await refused(
        d1, WITHDRAW, "withdrawJointReviewCandidate", candidate=candidate, reason="x"
    ) == [("NOT_FOUND", "candidateId")]

    # and nothing was written
    assert await snapshot(w.admin) == before


async def test_a_county_without_members_cannot_take_batches(yixian_app):
    """No member department: the batch is refused."""
    # given
    w = await world(yixian_app, members=())

    # when
    result = await w.admin.execute(SUBMIT, unit="330329101", candidates=candidates(w, "周建平"))

    # then
    assert codes(result.data["submitJointReviewBatch"]) == [("JOINT_REVIEW_NO_MEMBERS", "unitCode")]


# --- concurrency ----------------------------------------------------------------------------------


async def test_two_departments_answering_last_at_the_same_moment_conclude_once(yixian_app):
    """Two departments answering last at once conclude each candidate exactly once."""
    # given
    w = await world(yixian_app)
    d1, d2, d3 = [await w.as_role(REVIEWER, f"330329D0{n}") for n in (1, 2, 3)]
    batch = await submit(w.admin, w, "周建平", "林美珍", "吴志强")
    ids = [c["id"] for c in batch["candidates"]]
    for candidate in ids:
        await answer(d1, candidate)

    # when
    results = await asyncio.gather(
        *(answer(reviewer, candidate) for candidate in ids for reviewer in (d2, d3))
    )

    # then
    assert all(r["errors"] == [] for r in results)
    done = await batch_as(w.admin, batch["id"])
    assert done["status"] == "COMPLETE"
    assert [c["status"] for c in done["candidates"]] == ["CLEARED"] * 3
    assert [(p["value"], p["count"]) for p in await series(w.admin, "candidates_cleared")] == [
        (3, 3)
    ]
    assert [p["count"] for p in await series(w.admin, "batch_turnaround_hours")] == [1]
    assert all([len(r["versions"]) for r in c["requests"]] == [1, 1, 1] for c in done["candidates"])


async def test_two_towns_submitting_the_same_person_at_once_make_one_batch(yixian_app):
    """A person is in one open batch per election, even when two submissions race."""
    # given
    w = await world(yixian_app)

    # when
    results = await asyncio.gather(
        w.admin.execute(SUBMIT, unit="330329101", candidates=candidates(w, "周建平")),
        w.admin.execute(SUBMIT, unit="330329102", candidates=candidates(w, "周建平")),
    )

    # then
    payloads = [r.data["submitJointReviewBatch"] for r in results]
    assert sorted(len(p["errors"]) for p in payloads) == [0, 1]
    refused = next(p for p in payloads if p["errors"])
    assert refused["batch"] is None
    assert refused["errors"][0]["code"] == "JOINT_REVIEW_DUPLICATE_CANDIDATE"
    assert len((await w.admin.execute(BATCHES, under="330329")).data["jointReviewBatches"]) == 1


async def test_other_plugins_hear_the_workflow_without_its_reasons(yixian_app):
    """Events for submission, verdicts, conclusion and completion carry ids, never reasons."""
    # given
    heard = []
    listener = make_plugin("test.listener", on_event=lambda event: heard.append(event))
    admin = await yixian_app(plugins=[plugin, listener])
    result = await admin.execute(SETUP)
    w = World(admin, {"周建平": result.data["p1"]["person"]["id"]})
    await admin.execute(SET_MEMBER, code="330329D01")
    batch = await submit(admin, w, "周建平")

    # when
    node = await admin.execute(
        "query($id: ID!) { node(id: $id) { ... on JointReviewBatch { title } } }", id=batch["id"]
    )
    await answer(
        admin, batch["candidates"][0]["id"], "CONCERN", reason="秘密理由", department="330329D01"
    )

    # then
    ours = [e for e in heard if e.source == "taishun.joint_review"]
    assert node.data["node"] == {"title": "罗阳镇第1批"}
    assert [e.name for e in ours] == [
        "taishun.joint_review.member_changed",
        "taishun.joint_review.batch_submitted",
        "taishun.joint_review.verdict_recorded",
        "taishun.joint_review.candidate_concluded",
        "taishun.joint_review.batch_completed",
    ]
    assert ours[3].payload["outcome"] == "FLAGGED"
    assert "秘密理由" not in repr([e.payload for e in ours])


# --- Person.jointReviews --------------------------------------------------------------------------


async def test_person_joint_reviews_load_in_batches(yixian_app):
    """A person's review history, and more people cost no more statements."""
    # given
    w = await world(yixian_app)
    town = await w.as_role("OPERATOR", "330329101")
    await submit(town, w, "周建平")
    with w.admin.count_statements() as counter:
        few = await w.admin.execute(PERSON_REVIEWS)
    statements = counter.count
    await submit(town, w, "林美珍", "吴志强", "季丽华")
    await submit(w.admin, w, "陈晓东", unit="330329102")

    # when
    with w.admin.count_statements() as counter:
        many = await w.admin.execute(PERSON_REVIEWS)

    # then
    assert few.errors is None and many.errors is None
    assert counter.count == statements
    reviewed = {
        edge["node"]["name"]: edge["node"]["jointReviews"] for edge in many.data["people"]["edges"]
    }
    assert set(reviewed) >= {"周建平", "林美珍", "吴志强", "季丽华", "陈晓东"}
    first = reviewed["周建平"][0]
    assert first["status"] == "OPEN"
    assert first["batch"]["title"] == "罗阳镇第1批"
    assert [r["department"]["code"] for r in first["requests"]] == [
        "330329D01",
        "330329D02",
        "330329D03",
    ]
    town_view = (await town.execute(PERSON_REVIEWS, under="330329101")).data["people"]["edges"]
    assert {e["node"]["name"] for e in town_view} == {"周建平", "林美珍", "吴志强", "季丽华"}


BATCH_TREE = """
query($id: ID!) {
  jointReviewBatch(id: $id) {
    title departments { code unit { code } }
    outcomes { candidates open }
    progress { requests answered pending overdue }
    candidates {
      name person { name } village { code }
      progress { requests answered }
      requests {
        department { code } status confidential verdict reason
        versions { version verdict reason recordedAt }
        candidate { name batch { title } }
      }
    }
  }
}"""

BATCH_LIST_TREE = """
query {
  jointReviewBatches(underUnit: "330329") {
    title
    candidates { name requests { department { code } verdict versions { version verdict } } }
  }
}"""


async def submit_in_village(w: World, *names: str) -> dict:
    result = await w.admin.execute(
        SUBMIT, unit="330329101", candidates=candidates(w, *names, village="330329101001")
    )
    assert result.data["submitJointReviewBatch"]["errors"] == []
    return result.data["submitJointReviewBatch"]["batch"]


async def test_batch_candidates_requests_and_versions_load_in_batches(yixian_app):
    """batch → candidates → requests → versions costs the same statements for 1 or many rows."""
    # given a batch of one candidate with one verdict
    w = await world(yixian_app)
    d1, d2 = [await w.as_role(REVIEWER, f"330329D0{n}") for n in (1, 2)]
    town = await w.as_role("OPERATOR", "330329101")
    small = await submit_in_village(w, "周建平")
    await answer(d1, small["candidates"][0]["id"])

    # when it is read, then a batch four times its size with amendments is read
    counts = {}
    for reader_name, reader in (("admin", w.admin), ("town", town), ("d1", d1)):
        with w.admin.count_statements() as counter:
            result = await reader.execute(BATCH_TREE, id=small["id"])
        assert result.errors is None, result.errors
        counts[reader_name] = [counter.count]
    with w.admin.count_statements() as counter:
        listed = await w.admin.execute(BATCH_LIST_TREE)
    assert listed.errors is None
    one_batch = counter.count

    large = await submit_in_village(w, "林美珍", "吴志强", "季丽华")
    await submit(w.admin, w, "陈晓东", unit="330329102")
    for candidate in (c["id"] for c in large["candidates"]):
        await answer(d1, candidate, "CONCERN", reason="待核实")
        await answer(d1, candidate)
        await answer(d2, candidate, "CONCERN", reason="有信访记录")
    for reader_name, reader in (("admin", w.admin), ("town", town), ("d1", d1)):
        with w.admin.count_statements() as counter:
            result = await reader.execute(BATCH_TREE, id=large["id"])
        assert result.errors is None, result.errors
        counts[reader_name].append(counter.count)
    with w.admin.count_statements() as counter:
        listed = await w.admin.execute(BATCH_LIST_TREE)

    # then the counts did not grow with the rows
    assert listed.errors is None
    assert counter.count == one_batch
    assert all(small_count == large_count for small_count, large_count in counts.values()), counts
    candidates = result.data["jointReviewBatch"]["candidates"]
    assert [len(c["requests"]) for c in candidates] == [1, 1, 1]  # d1 sees its own
    assert [len(c["requests"][0]["versions"]) for c in candidates] == [2, 2, 2]
    titles = [b["title"] for b in listed.data["jointReviewBatches"]]
    assert titles == ["雅阳镇第1批", "罗阳镇第2批", "罗阳镇第1批"]
    assert (
        sum(len(c["requests"]) for b in listed.data["jointReviewBatches"] for c in b["candidates"])
        == 15
    )


# --- saved queries, metrics, demo -----------------------------------------------------------------


def test_saved_queries_validate_against_the_schema():
    """Every shipped saved query is a valid document of the composed schema."""
    # given
    settings = Settings(database_url="sqlite+aiosqlite://")
    registry = create_registry(settings, extra=[plugin], discover=False)

    # when
    schema = build_schema(registry, settings).schema

    # then
    assert {q.name for q in SAVED_QUERIES} >= {
        "taishun.joint_review.flagged-candidates",
        "taishun.joint_review.turnaround-by-department",
    }
    for query in SAVED_QUERIES:
        assert validate(schema._schema, parse(query.document)) == [], query.name


async def test_auditors_run_the_saved_queries(yixian_app):
    """An auditor lists flagged candidates with reasons, and each department's turnaround."""
    # given
    w = await world(yixian_app)
    auditor = await w.as_role("AUDITOR", "330329")
    d1, d2, d3 = [await w.as_role(REVIEWER, f"330329D0{n}") for n in (1, 2, 3)]
    batch = await submit(w.admin, w, "周建平", "林美珍")
    cleared, flagged = (c["id"] for c in batch["candidates"])
    for reviewer in (d1, d2, d3):
        await answer(reviewer, cleared)
    await answer(d1, flagged)
    await answer(d2, flagged, "CONCERN", reason="有信访记录")
    await answer(d3, flagged)
    documents = {q.name.rsplit(".", 1)[1]: q.document for q in SAVED_QUERIES}
    today = datetime.now(CST).date()
    days = {
        "from": (today - timedelta(days=1)).isoformat(),
        "to": (today + timedelta(days=1)).isoformat(),
    }

    # when
    listed = await auditor.execute(documents["flagged-candidates"], underUnit="330329", **days)
    turnaround = await auditor.execute(
        documents["turnaround-by-department"],
        underUnit="330329",
        **{"from": "2020-01-01", "to": "2099-12-31"},
    )

    # then
    assert listed.errors is None, listed.errors
    rows = listed.data["jointReviewCandidates"]
    assert [(r["name"], r["status"]) for r in rows] == [("林美珍", "FLAGGED")]
    assert [(q["department"]["code"], q["verdict"], q["reason"]) for q in rows[0]["requests"]] == [
        ("330329D02", "CONCERN", "有信访记录")
    ]
    assert turnaround.errors is None, turnaround.errors
    assert [(p["unit"]["code"], p["count"]) for p in turnaround.data["turnaround"]] == [
        ("330329D01", 2),
        ("330329D02", 2),
        ("330329D03", 2),
    ]


async def test_demo_data_loads_once_with_a_concluded_an_open_and_an_overdue_batch(yixian_app):
    """`yixian seed demo` adds 泰顺's towns, batches and one overdue request, idempotently."""
    # given
    client = await yixian_app(plugins=[plugin])

    # when
    engine = create_engine(client.database_url)
    try:
        first = await seed_demo(create_sessionmaker(engine), client.registry)
        second = await seed_demo(create_sessionmaker(engine), client.registry)
    finally:
        await engine.dispose()

    # then
    ours = {k: v for k, v in first.items() if k.startswith("taishun.joint_review")}
    assert ours == {
        "taishun.joint_review: units": 7,
        "taishun.joint_review: people": 6,
        "taishun.joint_review: members": 15,
        "taishun.joint_review: batches": 3,
    }
    assert all(v == 0 for k, v in second.items() if k.startswith("taishun.joint_review"))
    batches = (await client.execute(BATCHES, under="330329")).data["jointReviewBatches"]
    assert sorted((b["townName"], b["status"]) for b in batches) == [
        ("司前畲族镇", "OPEN"),
        ("罗阳镇", "COMPLETE"),
        ("雅阳镇", "OPEN"),
    ]
    overdue = (await client.execute(OVERDUE, under="330329")).data["jointReviewOverdueRequests"]
    assert [(g["department"]["name"], g["count"]) for g in overdue] == [("县信访局", 1)]
    outcomes = await series(client, "candidates_disqualified")
    assert [p["value"] for p in outcomes] == [1]
