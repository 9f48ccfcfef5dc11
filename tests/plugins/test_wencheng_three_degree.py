"""文成 三度测评一试岗 (plugin ``wencheng.three_degree``), specified through the GraphQL endpoint.

A reserve cadre (后备干部) of a village is NOMINATED, rated by four rater groups on three degrees,
ASSESSED, APPROVED at an evaluation meeting, put on public NOTICE, sent on a TRIAL post and POOLED
for an election — or REJECTED with reasons. Every test runs on SQLite, and on PostgreSQL too when
``YIXIAN_TEST_DATABASE_URL`` is set.
"""

from __future__ import annotations

import asyncio

from graphql import parse, validate
from sqlalchemy import func, select

import plugins.wencheng_three_degree.plugin as plugin
from core.seeding import seed_demo
from plugins.wencheng_three_degree.models import Objection, Rating, ReserveCadre, Transition
from plugins.wencheng_three_degree.saved_queries import SAVED_QUERIES
from schema.ids import encode_id
from yixian.app import build_schema

# --- Documents -----------------------------------------------------------------------------------

SETUP = """
mutation {
  d: createUnit(input: {code: "330328", name: "文成县", kind: DISTRICT}) { errors { code } }
  t: createUnit(input: {code: "330328101", name: "峃口镇", kind: TOWN, parentCode: "330328"}) {
    errors { code }
  }
  v1: createUnit(input: {code: "330328101001", name: "渡渎村", kind: VILLAGE,
                         parentCode: "330328101"}) { errors { code } }
  v2: createUnit(input: {code: "330328101002", name: "新联村", kind: VILLAGE,
                         parentCode: "330328101"}) { errors { code } }
  o: createUnit(input: {code: "330302", name: "鹿城区", kind: DISTRICT}) { errors { code } }
  ot: createUnit(input: {code: "330302101", name: "藤桥镇", kind: TOWN, parentCode: "330302"}) {
    errors { code }
  }
  ov: createUnit(input: {code: "330302101001", name: "某村", kind: VILLAGE,
                         parentCode: "330302101"}) { errors { code } }
  zheng: createPerson(input: {name: "郑国峰", homeUnitCode: "330328101001"}) { person { id } }
  hu: createPerson(input: {name: "胡彩芬", homeUnitCode: "330328101002"}) { person { id } }
  lu: createPerson(input: {name: "鹿城某", homeUnitCode: "330302101001"}) { person { id } }
  e: createInitiative(input: {code: "wencheng-election-2021", name: "文成县村社组织换届",
                              kind: PROGRAM, ownerUnitCode: "330328"}) { errors { code } }
}"""

PERSON = """
mutation($name: String!, $home: String!) {
  createPerson(input: {name: $name, homeUnitCode: $home}) { person { id } }
}"""

PAYLOAD = """
  reserveCadre { id state stateSince allowedNext }
  stateRefusal { currentState attempted allowedNext }
  errors { code field message }
"""

NOMINATE = f"""
mutation($person: ID!, $village: String!, $on: Date!) {{
  threeDegreeNominate(input: {{personId: $person, villageCode: $village, nominatedOn: $on,
                              reason: "疫情防控中表现突出"}}) {{ {PAYLOAD} }}
}}"""

RATE = """
mutation($id: ID!, $group: ThreeDegreeRaterGroup!, $loyalty: Float, $satisfaction: Float,
         $competence: Float, $on: Date!, $rater: String, $anonymous: Boolean) {
  threeDegreeRate(input: {reserveCadreId: $id, group: $group, loyalty: $loyalty,
                          satisfaction: $satisfaction, competence: $competence, ratedOn: $on,
                          comment: "工作勤恳", raterName: $rater, anonymous: $anonymous}) {
    rating { group loyalty raterName anonymous enteredBy }
    stateRefusal { currentState allowedNext }
    errors { code field message }
  }
}"""

CLOSE = f"""
mutation($id: ID!, $on: Date!) {{
  threeDegreeCloseAssessment(input: {{reserveCadreId: $id, closedOn: $on}}) {{ {PAYLOAD} }}
}}"""

APPROVE = f"""
mutation($id: ID!, $on: Date!) {{
  threeDegreeApprove(input: {{reserveCadreId: $id, meetingOn: $on, note: "测评会议研判通过"}}) {{
    {PAYLOAD}
  }}
}}"""

REJECT = f"""
mutation($id: ID!, $on: Date!, $reason: String!) {{
  threeDegreeReject(input: {{reserveCadreId: $id, rejectedOn: $on, reason: $reason}}) {{
    {PAYLOAD}
  }}
}}"""

START_NOTICE = f"""
mutation($id: ID!, $start: Date!, $end: Date) {{
  threeDegreeStartNotice(input: {{reserveCadreId: $id, startOn: $start, endOn: $end}}) {{
    {PAYLOAD}
  }}
}}"""

LODGE = """
mutation($id: ID!, $on: Date!) {
  threeDegreeLodgeObjection(input: {reserveCadreId: $id, lodgedOn: $on,
                                    content: "反映其曾拖欠承包款", objector: "村民"}) {
    objection { id status }
    stateRefusal { currentState allowedNext }
    errors { code field message }
  }
}"""

RESOLVE = """
mutation($id: ID!, $resolution: ThreeDegreeObjectionResolution!, $on: Date!) {
  threeDegreeResolveObjection(input: {objectionId: $id, resolution: $resolution,
                                      resolvedOn: $on, note: "经核实"}) {
    objection { id status resolution resolvedOn }
    errors { code field message }
  }
}"""

START_TRIAL = f"""
mutation($id: ID!, $on: Date!) {{
  threeDegreeStartTrial(input: {{reserveCadreId: $id, startOn: $on,
                                title: "后备干部到渡渎村试岗"}}) {{ {PAYLOAD} }}
}}"""

POOL = f"""
mutation($id: ID!, $on: Date!, $election: String!) {{
  threeDegreePool(input: {{reserveCadreId: $id, pooledOn: $on,
                          electionInitiativeCode: $election, note: "适任"}}) {{ {PAYLOAD} }}
}}"""

RECORD = """
query($id: ID!) {
  threeDegreeReserveCadre(id: $id) {
    state nominatedOn nominationReason allowedNext
    person { name }
    village { code name }
    assessment {
      open closedOn loyalty satisfaction competence overall passed ratingCount
      config {
        passMark minRatings { group minRatings }
        groupWeights { name weight } degreeWeights { name weight }
      }
      groups {
        group weight count minRatings shown loyalty satisfaction competence
        ratings { loyalty satisfaction competence comment raterName anonymous enteredBy }
      }
    }
    meeting { heldOn decision note }
    notice { startOn endOn openObjections objections { status content resolution } }
    trialPosting { role status startDate endDate title hostUnit { code } }
    outcome { state decidedOn reason stage electionInitiative { code } }
    history { fromState toState effectiveOn reason actor recordedAt }
  }
}"""

UNDER = """
query($under: String!, $states: [ThreeDegreeState!]) {
  threeDegreeReserveCadres(underUnit: $under, states: $states) {
    state person { name } village { name } assessment { overall }
  }
}"""

UNDER_IDS = """
query($under: String!) { threeDegreeReserveCadres(underUnit: $under) { id state } }
"""

POOL_QUERY = """
query($village: String!, $election: String!) {
  threeDegreeCandidatePool(villageCode: $village, initiativeCode: $election) {
    person { name } outcome { decidedOn }
  }
}"""

PERSON_AND_UNIT = """
query($person: ID!) {
  person(id: $person) { name threeDegree { state } }
  unit(code: "330328101") { reserveCadres { person { name } state } }
  village: unit(code: "330328101001") { reserveCadres(states: [POOLED]) { state } }
}"""

SET_SETTING = """
mutation($name: String!, $value: JSON!, $unit: String!) {
  setPluginSetting(input: {plugin: "wencheng.three_degree", unitCode: $unit, name: $name,
                           value: $value}) { errors { code message } }
}"""

SERIES = """
query($metric: String!, $level: UnitKind) {
  metricSeries(metric: $metric, underUnit: "330328", groupBy: {level: $level, period: MONTH}) {
    unit { code } periodStart value count
  }
}"""

SWITCH = """
mutation($unit: String!, $active: Boolean!) {
  activatePlugin(input: {plugin: "wencheng.three_degree", unitCode: $unit, active: $active}) {
    errors { code message }
  }
}"""

END_POSTING = """
mutation($id: ID!) {
  endPosting(input: {id: $id, outcome: COMPLETED, endDate: "2020-07-05"}) {
    errors { code message }
  }
}"""

NODE = """
query($id: ID!) { node(id: $id) { ... on ThreeDegreeReserveCadre { state person { name } } } }
"""

ELECTION = "wencheng-election-2021"
DUDU, XINLIAN, OTHER_VILLAGE = "330328101001", "330328101002", "330302101001"
GROUPS = ("SELF", "MASSES", "NOTABLES", "TEAM")

# --- Helpers -------------------------------------------------------------------------------------


async def wencheng(yixian_app):
    """An admin client on 文成县 (峃口镇, 渡渎村, 新联村) and 鹿城区, with three people."""
    client = await yixian_app(plugins=[plugin])
    result = await client.execute(SETUP)
    assert result.errors is None, result.errors
    people = {k: result.data[k]["person"]["id"] for k in ("zheng", "hu", "lu")}
    return client, people


async def nominate(client, person, village=DUDU, on="2020-04-01"):
    result = await client.execute(NOMINATE, person=person, village=village, on=on)
    assert result.errors is None, result.errors
    return result.data["threeDegreeNominate"]


async def rate_many(client, cadre, scores, count=5, on="2020-04-05"):
    """``count`` ratings for every group of ``scores`` ({group: (loyalty, satisfaction,
    competence)}), in one document of aliased mutations."""
    lines = []
    for group, (loyalty, satisfaction, competence) in scores.items():
        for i in range(count):
            lines.append(
                f'{group.lower()}{i}: threeDegreeRate(input: {{reserveCadreId: "{cadre}", '
                f"group: {group}, loyalty: {loyalty}, satisfaction: {satisfaction}, "
                f'competence: {competence}, ratedOn: "{on}"}}) {{ errors {{ code }} }}'
            )
    result = await client.execute("mutation {\n" + "\n".join(lines) + "\n}")
    assert result.errors is None, result.errors
    assert all(v["errors"] == [] for v in result.data.values()), result.data


def uniform(score):
    return {group: (score, score, score) for group in GROUPS}


async def ok(client, document, field, **variables):
    result = await client.execute(document, **variables)
    assert result.errors is None, result.errors
    body = result.data[field]
    assert body["errors"] == [], body["errors"]
    return body


PATH = ("NOMINATED", "ASSESSED", "APPROVED", "NOTICE", "TRIAL", "POOLED")


async def walk(client, cadre, to, score=90):
    """Move a record along the happy path from its current state up to state ``to``."""
    steps = {
        "ASSESSED": lambda: rate_then_close(client, cadre, score),
        "APPROVED": lambda: ok(client, APPROVE, "threeDegreeApprove", id=cadre, on="2020-04-24"),
        "NOTICE": lambda: ok(
            client, START_NOTICE, "threeDegreeStartNotice", id=cadre, start="2020-04-26"
        ),
        "TRIAL": lambda: ok(
            client, START_TRIAL, "threeDegreeStartTrial", id=cadre, on="2020-05-06"
        ),
        "POOLED": lambda: ok(
            client, POOL, "threeDegreePool", id=cadre, on="2020-07-06", election=ELECTION
        ),
    }
    current = (await record(client, cadre))["state"]
    for state in PATH[PATH.index(current) + 1 : PATH.index(to) + 1]:
        await steps[state]()


async def rate_then_close(client, cadre, score):
    await rate_many(client, cadre, uniform(score))
    return await ok(client, CLOSE, "threeDegreeCloseAssessment", id=cadre, on="2020-04-20")


async def record(client, cadre):
    result = await client.execute(RECORD, id=cadre)
    assert result.errors is None, result.errors
    return result.data["threeDegreeReserveCadre"]


async def count_rows(client, model):
    async with client.app.state.sessionmaker() as session:
        return (await session.execute(select(func.count(model.id)))).scalar_one()


# --- The workflow --------------------------------------------------------------------------------


async def test_a_reserve_cadre_goes_from_nomination_to_the_candidate_pool(yixian_app):
    """Nominated, rated, assessed, approved, noticed, on trial, pooled: the record keeps it all."""
    # given 郑国峰 nominated for 渡渎村 and rated 90 by five raters of every group
    client, people = await wencheng(yixian_app)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]
    assert cadre["state"] == "NOMINATED" and cadre["allowedNext"] == ["ASSESSED"]
    await rate_many(client, cadre["id"], uniform(90))
    # when the assessment closes, the meeting approves and the notice runs with an objection
    closed = await ok(client, CLOSE, "threeDegreeCloseAssessment", id=cadre["id"], on="2020-04-20")
    assert closed["reserveCadre"]["allowedNext"] == ["APPROVED", "REJECTED"]
    await ok(client, APPROVE, "threeDegreeApprove", id=cadre["id"], on="2020-04-24")
    notice = await ok(
        client, START_NOTICE, "threeDegreeStartNotice", id=cadre["id"], start="2020-04-26"
    )
    assert notice["reserveCadre"]["state"] == "NOTICE"
    objection = await ok(
        client, LODGE, "threeDegreeLodgeObjection", id=cadre["id"], on="2020-04-27"
    )
    await ok(
        client,
        RESOLVE,
        "threeDegreeResolveObjection",
        id=objection["objection"]["id"],
        resolution="DISMISSED",
        on="2020-04-29",
    )
    trial = await ok(client, START_TRIAL, "threeDegreeStartTrial", id=cadre["id"], on="2020-05-06")
    pooled = await ok(
        client, POOL, "threeDegreePool", id=cadre["id"], on="2020-07-06", election=ELECTION
    )
    # then the record is POOLED and holds every step of the way
    assert trial["reserveCadre"]["state"] == "TRIAL"
    assert pooled["reserveCadre"] == {
        "id": cadre["id"],
        "state": "POOLED",
        "stateSince": "2020-07-06",
        "allowedNext": [],
    }
    full = await record(client, cadre["id"])
    assert full["assessment"]["closedOn"] == "2020-04-20"
    assert (full["assessment"]["overall"], full["assessment"]["passed"]) == (90.0, True)
    assert full["meeting"] == {
        "heldOn": "2020-04-24",
        "decision": "APPROVED",
        "note": "测评会议研判通过",
    }
    assert full["notice"]["startOn"] == "2020-04-26" and full["notice"]["endOn"] == "2020-04-30"
    assert full["notice"]["objections"][0]["status"] == "DISMISSED"
    assert full["trialPosting"] == {
        "role": "TRIAL_POST",
        "status": "COMPLETED",
        "startDate": "2020-05-06",
        "endDate": "2020-07-05",
        "title": "后备干部到渡渎村试岗",
        "hostUnit": {"code": DUDU},
    }
    assert full["outcome"] == {
        "state": "POOLED",
        "decidedOn": "2020-07-06",
        "reason": "适任",
        "stage": None,
        "electionInitiative": {"code": ELECTION},
    }
    assert [(h["fromState"], h["toState"]) for h in full["history"]] == [
        (None, "NOMINATED"),
        ("NOMINATED", "ASSESSED"),
        ("ASSESSED", "APPROVED"),
        ("APPROVED", "NOTICE"),
        ("NOTICE", "TRIAL"),
        ("TRIAL", "POOLED"),
    ]
    assert all(h["actor"] and h["recordedAt"] for h in full["history"])
    assert full["history"][0]["reason"] == "疫情防控中表现突出"
    pool = await client.execute(POOL_QUERY, village=DUDU, election=ELECTION)
    assert pool.data["threeDegreeCandidatePool"] == [
        {"person": {"name": "郑国峰"}, "outcome": {"decidedOn": "2020-07-06"}}
    ]


async def test_every_out_of_order_transition_is_refused_naming_the_state_and_the_next_ones(
    yixian_app,
):
    """Each disallowed transition names the state and the next ones, and writes nothing."""
    # given a record that will visit every state of the happy path
    client, people = await wencheng(yixian_app)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    attempts = {
        "ASSESSED": (CLOSE, "threeDegreeCloseAssessment", {"on": "2020-08-01"}),
        "APPROVED": (APPROVE, "threeDegreeApprove", {"on": "2020-08-01"}),
        "REJECTED": (REJECT, "threeDegreeReject", {"on": "2020-08-01", "reason": "不适任"}),
        "NOTICE": (START_NOTICE, "threeDegreeStartNotice", {"start": "2020-08-01"}),
        "TRIAL": (START_TRIAL, "threeDegreeStartTrial", {"on": "2020-08-01"}),
        "POOLED": (POOL, "threeDegreePool", {"on": "2020-08-01", "election": ELECTION}),
    }
    allowed = {
        "NOMINATED": ["ASSESSED"],
        "ASSESSED": ["APPROVED", "REJECTED"],
        "APPROVED": ["NOTICE"],
        "NOTICE": ["TRIAL", "REJECTED"],
        "TRIAL": ["POOLED", "REJECTED"],
        "POOLED": [],
    }
    for state, next_states in allowed.items():
        if state != "NOMINATED":
            await walk(client, cadre, state)
        history = await count_rows(client, Transition)
        for target, (document, field, variables) in attempts.items():
            if target in next_states:
                continue
            # when the transition to ``target`` is asked for
            result = await client.execute(document, id=cadre, **variables)
            # then it is refused with the current state and the allowed next ones
            body = result.data[field]
            assert body["reserveCadre"] is None
            assert body["errors"][0]["code"] == "THREE_DEGREE_INVALID_TRANSITION", (state, target)
            assert f"state {state}" in body["errors"][0]["message"]
            assert body["stateRefusal"] == {
                "currentState": state,
                "attempted": target,
                "allowedNext": next_states,
            }
        assert await count_rows(client, Transition) == history
        assert (await record(client, cadre))["state"] == state


async def test_an_open_objection_blocks_the_notice_from_closing(yixian_app):
    """The trial cannot start while an objection is open; an upheld one leaves only rejection."""
    # given a record on notice with an objection lodged
    client, people = await wencheng(yixian_app)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await walk(client, cadre, "NOTICE")
    objection = (await ok(client, LODGE, "threeDegreeLodgeObjection", id=cadre, on="2020-04-28"))[
        "objection"
    ]
    assert objection["status"] == "OPEN"
    # when the trial is started
    blocked = (await client.execute(START_TRIAL, id=cadre, on="2020-05-06")).data
    # then it is refused and the record stays on notice
    assert blocked["threeDegreeStartTrial"]["errors"][0]["code"] == "THREE_DEGREE_OBJECTION_OPEN"
    assert (await record(client, cadre))["state"] == "NOTICE"
    assert (await record(client, cadre))["notice"]["openObjections"] == 1
    # when the objection is upheld, the trial is still refused, and a second ruling too
    await ok(
        client,
        RESOLVE,
        "threeDegreeResolveObjection",
        id=objection["id"],
        resolution="UPHELD",
        on="2020-04-30",
    )
    again = await client.execute(
        RESOLVE, id=objection["id"], resolution="DISMISSED", on="2020-04-30"
    )
    assert again.data["threeDegreeResolveObjection"]["errors"][0]["code"] == (
        "THREE_DEGREE_OBJECTION_RESOLVED"
    )
    upheld = (await client.execute(START_TRIAL, id=cadre, on="2020-05-06")).data
    assert upheld["threeDegreeStartTrial"]["errors"][0]["code"] == "THREE_DEGREE_OBJECTION_UPHELD"
    # then rejecting at the notice records the stage and the reasons
    await ok(
        client, REJECT, "threeDegreeReject", id=cadre, on="2020-05-01", reason="异议经核实成立"
    )
    full = await record(client, cadre)
    assert full["outcome"]["stage"] == "NOTICE"
    assert full["outcome"]["reason"] == "异议经核实成立"
    assert full["trialPosting"] is None


async def test_objections_are_taken_only_during_the_notice(yixian_app):
    """Before the notice and after its last day an objection is refused."""
    # given an approved record, then the same on notice until 2020-04-30
    client, people = await wencheng(yixian_app)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await walk(client, cadre, "APPROVED")
    # when objections are lodged too early and too late, then they are refused
    early = (await client.execute(LODGE, id=cadre, on="2020-04-25")).data
    body = early["threeDegreeLodgeObjection"]
    assert body["errors"][0]["code"] == "THREE_DEGREE_NOT_IN_NOTICE"
    assert body["stateRefusal"] == {"currentState": "APPROVED", "allowedNext": ["NOTICE"]}
    await ok(client, START_NOTICE, "threeDegreeStartNotice", id=cadre, start="2020-04-26")
    late = (await client.execute(LODGE, id=cadre, on="2020-05-01")).data
    assert late["threeDegreeLodgeObjection"]["errors"][0]["code"] == "THREE_DEGREE_NOT_IN_NOTICE"
    assert await count_rows(client, Objection) == 0


async def test_during_the_notice_only_an_upheld_objection_allows_a_rejection(yixian_app):
    """NOTICE → REJECTED is refused without an upheld objection, even after a dismissed one."""
    # given a record on notice
    client, people = await wencheng(yixian_app)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await walk(client, cadre, "NOTICE")
    history = await count_rows(client, Transition)
    # when it is rejected with no objection, then after a dismissed one
    bare = (await client.execute(REJECT, id=cadre, on="2020-04-28", reason="不适任")).data
    dismissed = await ok(client, LODGE, "threeDegreeLodgeObjection", id=cadre, on="2020-04-27")
    await ok(
        client,
        RESOLVE,
        "threeDegreeResolveObjection",
        id=dismissed["objection"]["id"],
        resolution="DISMISSED",
        on="2020-04-28",
    )
    after = (await client.execute(REJECT, id=cadre, on="2020-04-29", reason="不适任")).data
    # then both are refused and nothing is written
    for body in (bare["threeDegreeReject"], after["threeDegreeReject"]):
        assert body["reserveCadre"] is None
        assert body["errors"][0]["code"] == "THREE_DEGREE_NO_UPHELD_OBJECTION"
        assert body["errors"][0]["field"] == "reserveCadreId"
    assert await count_rows(client, Transition) == history
    assert (await record(client, cadre))["state"] == "NOTICE"
    # when a second objection is upheld, the rejection applies at the NOTICE stage
    upheld = await ok(client, LODGE, "threeDegreeLodgeObjection", id=cadre, on="2020-04-29")
    await ok(
        client,
        RESOLVE,
        "threeDegreeResolveObjection",
        id=upheld["objection"]["id"],
        resolution="UPHELD",
        on="2020-04-30",
    )
    await ok(client, REJECT, "threeDegreeReject", id=cadre, on="2020-05-01", reason="异议成立")
    assert (await record(client, cadre))["outcome"]["stage"] == "NOTICE"


ELECTIONS = """
mutation {
  ts: createUnit(input: {code: "330329", name: "泰顺县", kind: DISTRICT}) { errors { code } }
  review: createInitiative(input: {code: "taishun-joint-review-2020",
      name: "村社组织换届初步人选“云联审”", kind: REVIEW, ownerUnitCode: "330329"}) {
    errors { code }
  }
  taishun: createInitiative(input: {code: "taishun-village-election-2021",
      name: "泰顺县村社组织换届", kind: PROGRAM, ownerUnitCode: "330329"}) { errors { code } }
  assessment: createInitiative(input: {code: "wencheng-three-degree-2020",
      name: "后备干部“三度测评一试岗”", kind: ASSESSMENT, ownerUnitCode: "330328"}) {
    errors { code }
  }
  past: createInitiative(input: {code: "wencheng-election-2017", name: "文成县村级组织换届",
      kind: PROGRAM, ownerUnitCode: "330328", status: COMPLETED}) { errors { code } }
  sibling: createInitiative(input: {code: "xinlian-election-2021", name: "新联村换届",
      kind: PROGRAM, ownerUnitCode: "330328101002"}) { errors { code } }
  town: createInitiative(input: {code: "xukou-election-2021", name: "峃口镇村社组织换届",
      kind: CAMPAIGN, ownerUnitCode: "330328101", status: PLANNED}) { errors { code } }
}"""


async def test_a_reserve_cadre_is_pooled_only_for_an_election_of_their_village(yixian_app):
    """Taishun's election codes, an assessment, a past election and another village's election
    are refused; an election planned by the village's town is taken."""
    # given 郑国峰 on trial at 渡渎村 and initiatives of every sort
    client, people = await wencheng(yixian_app)
    created = await client.execute(ELECTIONS)
    assert created.errors is None, created.errors
    assert all(v["errors"] == [] for v in created.data.values()), created.data
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await walk(client, cadre, "TRIAL")
    refused = {
        "taishun-joint-review-2020": ("REVIEW", "neither 渡渎村"),
        "taishun-village-election-2021": ("neither 渡渎村",),
        "wencheng-three-degree-2020": ("ASSESSMENT",),
        "wencheng-election-2017": ("COMPLETED",),
        "xinlian-election-2021": ("neither 渡渎村",),
    }
    for code, reasons in refused.items():
        # when the cadre is pooled for it
        body = (await client.execute(POOL, id=cadre, on="2020-07-06", election=code)).data[
            "threeDegreePool"
        ]
        # then it is refused with a typed error naming why
        assert body["reserveCadre"] is None
        error = body["errors"][0]
        assert (error["code"], error["field"]) == (
            "THREE_DEGREE_NOT_AN_ELECTION",
            "electionInitiativeCode",
        ), code
        assert all(reason in error["message"] for reason in reasons), error["message"]
    assert (await record(client, cadre))["state"] == "TRIAL"
    # when the town's planned election is named, the cadre enters its pool
    await ok(
        client, POOL, "threeDegreePool", id=cadre, on="2020-07-06", election="xukou-election-2021"
    )
    pool = await client.execute(POOL_QUERY, village=DUDU, election="xukou-election-2021")
    assert [c["person"]["name"] for c in pool.data["threeDegreeCandidatePool"]] == ["郑国峰"]


async def test_the_notice_lasts_at_least_notice_days_and_must_end_before_the_trial(yixian_app):
    """A notice shorter than the settings allow is refused; so is a trial during the notice."""
    # given an approved record, and 渡渎村's town asking for 7-day notices
    client, people = await wencheng(yixian_app)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await walk(client, cadre, "APPROVED")
    short = await client.execute(START_NOTICE, id=cadre, start="2020-04-26", end="2020-04-29")
    assert short.data["threeDegreeStartNotice"]["errors"][0]["code"] == (
        "THREE_DEGREE_NOTICE_TOO_SHORT"
    )
    await client.execute(SET_SETTING, name="notice_days", value=7, unit="330328101")
    # when the notice starts without an end, it runs 7 days
    notice = await ok(client, START_NOTICE, "threeDegreeStartNotice", id=cadre, start="2020-04-26")
    assert notice["reserveCadre"]["state"] == "NOTICE"
    assert (await record(client, cadre))["notice"]["endOn"] == "2020-05-02"
    # then a trial starting on its last day is refused
    early = await client.execute(START_TRIAL, id=cadre, on="2020-05-02")
    assert early.data["threeDegreeStartTrial"]["errors"][0]["code"] == (
        "THREE_DEGREE_NOTICE_RUNNING"
    )


async def test_the_trial_is_a_core_posting_of_trial_months_and_ends_with_the_record(yixian_app):
    """The trial posting lasts trial_months and ends with its record, recalled on a rejection."""
    # given 3-month trials in 文成, and 郑国峰 on trial from 2020-05-06
    client, people = await wencheng(yixian_app)
    await client.execute(SET_SETTING, name="trial_months", value=3, unit="330328")
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await walk(client, cadre, "TRIAL")
    posting = await client.execute(
        "query($id: ID!) { threeDegreeReserveCadre(id: $id) { trialPosting { id endDate } } }",
        id=cadre,
    )
    trial_posting = posting.data["threeDegreeReserveCadre"]["trialPosting"]
    assert trial_posting["endDate"] == "2020-08-05"
    # when the cadre is pooled early, or the posting ended through the core
    early = await client.execute(POOL, id=cadre, on="2020-07-06", election=ELECTION)
    ended = await client.execute(END_POSTING, id=trial_posting["id"])
    # then both are refused
    assert early.data["threeDegreePool"]["errors"][0]["code"] == "THREE_DEGREE_TRIAL_RUNNING"
    assert ended.data["endPosting"]["errors"][0]["code"] == "THREE_DEGREE_TRIAL_POSTING"
    # when the cadre is found unfit during the trial
    await ok(client, REJECT, "threeDegreeReject", id=cadre, on="2020-06-20", reason="试岗不适任")
    # then the posting is recalled with the reason, and the stage is TRIAL
    full = await record(client, cadre)
    assert full["trialPosting"]["status"] == "RECALLED"
    assert full["outcome"]["stage"] == "TRIAL"


async def test_a_person_has_one_open_record_and_a_village_is_required(yixian_app):
    """One open record per person, even under concurrency; a town is no village; then again."""
    # given 胡彩芬 nominated for 新联村
    client, people = await wencheng(yixian_app)
    await nominate(client, people["hu"], XINLIAN)
    # when she is nominated again, and two others race for 郑国峰
    again = await nominate(client, people["hu"], XINLIAN)
    town = await nominate(client, people["zheng"], "330328101")
    raced = await asyncio.gather(*(nominate(client, people["zheng"]) for _ in range(3)))
    # then
    assert again["errors"][0]["code"] == "THREE_DEGREE_ALREADY_NOMINATED"
    assert town["errors"][0]["code"] == "INVALID"
    assert sorted(bool(r["errors"]) for r in raced) == [False, True, True]
    assert all(
        r["errors"][0]["code"] == "THREE_DEGREE_ALREADY_NOMINATED" for r in raced if r["errors"]
    )
    assert await count_rows(client, ReserveCadre) == 2
    # when 胡彩芬 is rejected at the meeting, she may be nominated again
    town = (await client.execute(PERSON_AND_UNIT, person=people["hu"])).data["unit"]
    assert [c["state"] for c in town["reserveCadres"]] == ["NOMINATED", "NOMINATED"]
    cadre = (await client.execute(UNDER_IDS, under=XINLIAN)).data["threeDegreeReserveCadres"][0]
    await rate_then_close(client, cadre["id"], 70)
    await ok(client, REJECT, "threeDegreeReject", id=cadre["id"], on="2020-04-24", reason="未达标")
    renewed = await nominate(client, people["hu"], XINLIAN, on="2021-03-01")
    assert renewed["errors"] == []
    latest = await client.execute(PERSON_AND_UNIT, person=people["hu"])
    assert latest.data["person"]["threeDegree"] == {"state": "NOMINATED"}
    assert await count_rows(client, ReserveCadre) == 3


# --- The assessment ------------------------------------------------------------------------------


async def test_scores_are_weighted_means_kept_under_the_weights_they_were_scored_under(
    yixian_app,
):
    """Weighted means; an assessment keeps its weights, a later one takes the changed ones."""
    # given ratings whose equal-weight scores are exactly the pass mark
    client, people = await wencheng(yixian_app)
    scores = {
        "SELF": (90, 80, 70),
        "MASSES": (60, 70, 80),
        "NOTABLES": (80, 80, 80),
        "TEAM": (90, 90, 90),
    }
    first = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await rate_many(client, first, scores)
    await ok(client, CLOSE, "threeDegreeCloseAssessment", id=first, on="2020-04-20")
    # when 文成 weighs the masses 3 and 新联村's 胡彩芬 is nominated and rated alike
    changed = await client.execute(SET_SETTING, name="weight_masses", value=3, unit="330328")
    assert changed.data["setPluginSetting"]["errors"] == []
    second = (await nominate(client, people["hu"], XINLIAN))["reserveCadre"]["id"]
    await rate_many(client, second, scores)
    # then the first keeps equal weights, the second is scored with the masses weighing 3
    old = (await record(client, first))["assessment"]
    assert (old["loyalty"], old["satisfaction"], old["competence"]) == (80.0, 80.0, 80.0)
    assert (old["overall"], old["passed"]) == (80.0, True)
    assert {w["name"]: w["weight"] for w in old["config"]["groupWeights"]}["MASSES"] == 1.0
    new = (await record(client, second))["assessment"]
    assert new["open"] is True
    assert (new["loyalty"], new["satisfaction"], new["competence"]) == (73.33, 76.67, 80.0)
    assert (new["overall"], new["passed"]) == (76.67, False)
    assert {w["name"]: w["weight"] for w in new["config"]["groupWeights"]}["MASSES"] == 3.0
    # and the meeting can approve the first but only reject the second
    await ok(client, CLOSE, "threeDegreeCloseAssessment", id=second, on="2020-04-20")
    below = await client.execute(APPROVE, id=second, on="2020-04-24")
    assert below.data["threeDegreeApprove"]["errors"][0]["code"] == "THREE_DEGREE_BELOW_PASS_MARK"
    await ok(client, APPROVE, "threeDegreeApprove", id=first, on="2020-04-24")
    await ok(client, REJECT, "threeDegreeReject", id=second, on="2020-04-24", reason="未达合格线")
    rejected = await record(client, second)
    assert rejected["meeting"]["decision"] == "REJECTED"
    assert rejected["outcome"]["stage"] == "ASSESSED"


async def test_degree_weights_and_the_pass_mark_are_settings_per_locality(yixian_app):
    """Competence weighing 2 and a pass mark of 75 set for 峃口镇 apply to its villages."""
    # given the town's settings
    client, people = await wencheng(yixian_app)
    for name, value in (("weight_competence", 2), ("pass_mark", 75)):
        result = await client.execute(SET_SETTING, name=name, value=value, unit="330328101")
        assert result.data["setPluginSetting"]["errors"] == []
    # when a record is rated (loyalty 70, satisfaction 70, competence 85 everywhere)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await rate_many(client, cadre, {g: (70, 70, 85) for g in GROUPS})
    # then the overall is (70 + 70 + 2 × 85) / 4 and passes 75
    assessment = (await record(client, cadre))["assessment"]
    assert assessment["config"]["passMark"] == 75.0
    assert (assessment["overall"], assessment["passed"]) == (77.5, True)


async def test_a_group_shows_only_its_count_until_it_has_the_minimum_and_masses_stay_anonymous(
    yixian_app,
):
    """Four masses' ratings show as a count only; the rater stays hidden, the enterer is kept."""
    # given every group but the masses with five ratings, and four masses' ratings
    client, people = await wencheng(yixian_app)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await rate_many(client, cadre, {g: (80, 80, 80) for g in ("SELF", "NOTABLES", "TEAM")})
    for loyalty in (50, 60, 70, 80):
        rated = await ok(
            client,
            RATE,
            "threeDegreeRate",
            id=cadre,
            group="MASSES",
            loyalty=loyalty,
            satisfaction=70,
            competence=70,
            on="2020-04-05",
            rater="张大伯",
        )
        assert rated["rating"]["raterName"] is None and rated["rating"]["anonymous"] is True
        assert rated["rating"]["enteredBy"]
    # when the record is read
    hidden = (await record(client, cadre))["assessment"]
    masses = next(g for g in hidden["groups"] if g["group"] == "MASSES")
    # then the masses show a count only, and no degree can be derived
    assert masses == {
        "group": "MASSES",
        "weight": 1.0,
        "count": 4,
        "minRatings": 5,
        "shown": False,
        "loyalty": None,
        "satisfaction": None,
        "competence": None,
        "ratings": [],
    }
    assert (hidden["loyalty"], hidden["overall"], hidden["passed"]) == (None, None, None)
    closing = await client.execute(CLOSE, id=cadre, on="2020-04-20")
    assert closing.data["threeDegreeCloseAssessment"]["errors"][0]["code"] == (
        "THREE_DEGREE_NOT_ENOUGH_RATINGS"
    )
    # when the fifth arrives, the masses show, anonymously
    await ok(
        client,
        RATE,
        "threeDegreeRate",
        id=cadre,
        group="MASSES",
        loyalty=90,
        satisfaction=70,
        competence=70,
        on="2020-04-06",
        rater="李阿姨",
    )
    shown = (await record(client, cadre))["assessment"]
    masses = next(g for g in shown["groups"] if g["group"] == "MASSES")
    assert (masses["shown"], masses["count"], masses["loyalty"]) == (True, 5, 70.0)
    assert {r["raterName"] for r in masses["ratings"]} == {None}
    assert all(r["enteredBy"] for r in masses["ratings"])
    assert shown["loyalty"] == 77.5
    # and an operator of the town sees the scores but not who entered them
    operator = await client.acting_as("OPERATOR", unit="330328101")
    seen = (await operator.execute(RECORD, id=cadre)).data["threeDegreeReserveCadre"]
    masses = next(g for g in seen["assessment"]["groups"] if g["group"] == "MASSES")
    assert {(r["raterName"], r["enteredBy"]) for r in masses["ratings"]} == {(None, None)}
    auditor = await client.acting_as("AUDITOR", unit="330328")
    audited = (await auditor.execute(RECORD, id=cadre)).data["threeDegreeReserveCadre"]
    masses = next(g for g in audited["assessment"]["groups"] if g["group"] == "MASSES")
    assert all(r["enteredBy"] for r in masses["ratings"])
    async with client.app.state.sessionmaker() as session:
        names = set((await session.execute(select(Rating.rater_name))).scalars())
    assert {"张大伯", "李阿姨"} <= names


async def rate_counts(client, cadre, counts, score=80, on="2020-04-05"):
    """``counts`` ({group: how many}) ratings of ``score`` on every degree."""
    for group, count in counts.items():
        await rate_many(client, cadre, {group: (score, score, score)}, count=count, on=on)


def group(assessment, name):
    return next(g for g in assessment["groups"] if g["group"] == name)


async def test_self_and_team_close_with_one_rating_while_masses_and_notables_need_five(
    yixian_app,
):
    """The minimum protects the many raters: one talk with the person and one team rating
    suffice and show at once; masses and notables need five; each minimum is a setting."""
    # given 郑国峰 with one talk (本人谈), one team rating, five masses and four notables
    client, people = await wencheng(yixian_app)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await rate_counts(client, cadre, {"SELF": 1, "TEAM": 1, "MASSES": 5}, score=90)
    await rate_counts(client, cadre, {"NOTABLES": 4}, score=70)
    # when the record is read
    partial = (await record(client, cadre))["assessment"]
    # then the talk and the team show at once, the notables only as a count
    assert partial["config"]["minRatings"] == [
        {"group": "SELF", "minRatings": 1},
        {"group": "MASSES", "minRatings": 5},
        {"group": "NOTABLES", "minRatings": 5},
        {"group": "TEAM", "minRatings": 1},
    ]
    talk = group(partial, "SELF")
    assert (talk["count"], talk["minRatings"], talk["shown"], talk["loyalty"]) == (1, 1, True, 90.0)
    assert len(talk["ratings"]) == 1
    assert group(partial, "TEAM")["shown"] is True
    notables = group(partial, "NOTABLES")
    assert (notables["count"], notables["shown"], notables["loyalty"]) == (4, False, None)
    assert (partial["overall"], partial["passed"]) == (None, None)
    # and closing is refused, naming the group short of its minimum
    short = (await client.execute(CLOSE, id=cadre, on="2020-04-20")).data
    error = short["threeDegreeCloseAssessment"]["errors"][0]
    assert error["code"] == "THREE_DEGREE_NOT_ENOUGH_RATINGS"
    assert "NOTABLES has 4 of 5" in error["message"] and "SELF" not in error["message"]
    # when the fifth notable rates, the assessment closes with one talk and one team rating
    await rate_counts(client, cadre, {"NOTABLES": 1}, score=70)
    await ok(client, CLOSE, "threeDegreeCloseAssessment", id=cadre, on="2020-04-20")
    closed = (await record(client, cadre))["assessment"]
    assert (closed["overall"], closed["passed"], closed["ratingCount"]) == (85.0, True, 12)
    # when 文成 asks for two talks with the person, a later nomination keeps that minimum
    changed = await client.execute(SET_SETTING, name="min_ratings_self", value=2, unit="330328")
    assert changed.data["setPluginSetting"]["errors"] == []
    zero = await client.execute(SET_SETTING, name="min_ratings_masses", value=0, unit="330328")
    assert zero.data["setPluginSetting"]["errors"][0]["code"] == "INVALID"
    later = (await nominate(client, people["hu"], XINLIAN))["reserveCadre"]["id"]
    await rate_counts(client, later, {"SELF": 1, "TEAM": 1, "MASSES": 5, "NOTABLES": 5})
    kept = (await record(client, later))["assessment"]
    assert group(kept, "SELF")["minRatings"] == 2 and group(kept, "SELF")["shown"] is False
    assert kept["overall"] is None
    refused = (await client.execute(CLOSE, id=later, on="2020-04-20")).data
    assert refused["threeDegreeCloseAssessment"]["errors"][0]["code"] == (
        "THREE_DEGREE_NOT_ENOUGH_RATINGS"
    )
    # then the first record keeps the minimum it was nominated under
    assert group((await record(client, cadre))["assessment"], "SELF")["minRatings"] == 1


async def test_a_record_nominated_under_one_minimum_for_every_group_keeps_it(yixian_app):
    """A configuration kept before the minimum was set per group still applies to every group."""
    # given a record whose kept configuration has one minimum of 5 (the former form)
    client, people = await wencheng(yixian_app)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    async with client.app.state.sessionmaker() as session:
        row = (await session.execute(select(ReserveCadre))).scalar_one()
        row.config = {**row.config, "min_ratings": 5}
        await session.commit()
    await rate_counts(client, cadre, {"SELF": 1, "TEAM": 1, "MASSES": 5, "NOTABLES": 5})
    # when it is read and closed
    kept = (await record(client, cadre))["assessment"]
    short = (await client.execute(CLOSE, id=cadre, on="2020-04-20")).data
    # then every group needs 5, as when it was nominated
    assert {m["minRatings"] for m in kept["config"]["minRatings"]} == {5}
    assert group(kept, "SELF")["shown"] is False
    assert short["threeDegreeCloseAssessment"]["errors"][0]["code"] == (
        "THREE_DEGREE_NOT_ENOUGH_RATINGS"
    )


async def test_the_pass_mark_is_compared_with_the_unrounded_overall_score(yixian_app):
    """79.996 shows as 80.0 but fails a pass mark of 80, before and after the close."""
    # given every rating 79.996 on every degree
    client, people = await wencheng(yixian_app)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await rate_many(client, cadre, uniform(79.996))
    # when the open assessment is read, then closed
    provisional = (await record(client, cadre))["assessment"]
    await ok(client, CLOSE, "threeDegreeCloseAssessment", id=cadre, on="2020-04-20")
    closed = (await record(client, cadre))["assessment"]
    # then it shows 80.0 and fails, and the meeting can only reject
    assert (provisional["overall"], provisional["passed"]) == (80.0, False)
    assert (closed["overall"], closed["passed"]) == (80.0, False)
    approved = (await client.execute(APPROVE, id=cadre, on="2020-04-24")).data
    assert approved["threeDegreeApprove"]["errors"][0]["code"] == "THREE_DEGREE_BELOW_PASS_MARK"
    assert (await record(client, cadre))["state"] == "ASSESSED"
    # and exactly 80, computed through weighted means, passes
    other = (await nominate(client, people["hu"], XINLIAN))["reserveCadre"]["id"]
    await rate_many(client, other, {"SELF": (90, 80, 70), "MASSES": (60, 70, 80)})
    await rate_many(client, other, {"NOTABLES": (80, 80, 80), "TEAM": (90, 90, 90)})
    await ok(client, CLOSE, "threeDegreeCloseAssessment", id=other, on="2020-04-20")
    await ok(client, APPROVE, "threeDegreeApprove", id=other, on="2020-04-24")


async def test_bad_ratings_and_ratings_after_the_close_are_refused(yixian_app):
    """Scores outside 0–100, a missing degree, a rating after the close: refused, none written."""
    # given an open assessment
    client, people = await wencheng(yixian_app)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    base = {"id": cadre, "group": "TEAM", "on": "2020-04-05"}
    # when ratings are out of range or miss a degree
    high = await client.execute(RATE, **base, loyalty=101, satisfaction=80, competence=80)
    low = await client.execute(RATE, **base, loyalty=80, satisfaction=-1, competence=80)
    missing = await client.execute(RATE, **base, loyalty=80, satisfaction=80)
    # then each is refused, naming the field
    assert high.data["threeDegreeRate"]["errors"][0]["code"] == "THREE_DEGREE_SCORE_OUT_OF_RANGE"
    assert high.data["threeDegreeRate"]["errors"][0]["field"] == "loyalty"
    assert low.data["threeDegreeRate"]["errors"][0]["field"] == "satisfaction"
    assert missing.data["threeDegreeRate"]["errors"] == [
        {
            "code": "THREE_DEGREE_MISSING_DEGREE",
            "field": "competence",
            "message": "competence is missing: a rating scores loyalty, satisfaction and "
            "competence",
        }
    ]
    assert await count_rows(client, Rating) == 0
    # when the assessment is closed and one more rating comes
    await rate_then_close(client, cadre, 85)
    late = await client.execute(RATE, **base, loyalty=80, satisfaction=80, competence=80)
    # then it is refused with the state
    body = late.data["threeDegreeRate"]
    assert body["errors"][0]["code"] == "THREE_DEGREE_ASSESSMENT_CLOSED"
    assert body["stateRefusal"] == {
        "currentState": "ASSESSED",
        "allowedNext": ["APPROVED", "REJECTED"],
    }
    assert await count_rows(client, Rating) == 20


# --- Who sees and does what ----------------------------------------------------------------------


async def test_outside_wencheng_the_plugin_refuses_with_plugin_not_active(yixian_app):
    """Nominations in 鹿城区, and changes where an admin switched the plugin off, are refused."""
    # given 鹿城区, which the plugin does not serve, and a record at 渡渎村
    client, people = await wencheng(yixian_app)
    operator = await client.acting_as("OPERATOR", unit="330328101")
    cadre = (await nominate(operator, people["zheng"]))["reserveCadre"]["id"]
    # when a nomination is made in 鹿城区
    result = await nominate(client, people["lu"], OTHER_VILLAGE)
    # then it is refused, and nothing is written
    assert result["errors"][0]["code"] == "PLUGIN_NOT_ACTIVE"
    assert result["errors"][0]["field"] == "villageCode"
    assert await count_rows(client, ReserveCadre) == 1
    # when an admin switches the plugin off for 峃口镇, the town's record cannot move
    switched = await client.execute(SWITCH, unit="330328101", active=False)
    assert switched.data["activatePlugin"]["errors"] == []
    for actor in (client, operator):
        rated = await actor.execute(
            RATE,
            id=cadre,
            group="TEAM",
            loyalty=80,
            satisfaction=80,
            competence=80,
            on="2020-04-05",
        )
        assert rated.data["threeDegreeRate"]["errors"][0]["code"] == "PLUGIN_NOT_ACTIVE"
    assert await count_rows(client, Rating) == 0
    await operator.aclose()


async def test_settings_weighing_every_group_zero_refuse_a_nomination(yixian_app):
    """With every rater group weighted 0 at 新联村 no assessment can be scored there."""
    # given 新联村 with every group weighing 0
    client, people = await wencheng(yixian_app)
    for group in ("self", "masses", "notables", "team"):
        await client.execute(SET_SETTING, name=f"weight_{group}", value=0, unit=XINLIAN)
    # when 胡彩芬 is nominated there
    result = await nominate(client, people["hu"], XINLIAN)
    # then
    assert result["errors"][0]["code"] == "THREE_DEGREE_INVALID_CONFIGURATION"
    assert await count_rows(client, ReserveCadre) == 0


async def test_a_town_operator_works_in_their_town_and_another_county_sees_nothing(yixian_app):
    """A town operator acts in the town; 鹿城区 sees and changes nothing; a viewer only reads."""
    # given an operator of 峃口镇 who nominates and rates
    client, people = await wencheng(yixian_app)
    operator = await client.acting_as("OPERATOR", unit="330328101")
    cadre = (await nominate(operator, people["zheng"]))["reserveCadre"]["id"]
    await rate_then_close(operator, cadre, 88)
    # when others of another county, and a viewer of 文成, look and act
    outsider = await client.acting_as("OPERATOR", unit="330302")
    viewer = await client.acting_as("VIEWER", unit="330302")
    local_viewer = await client.acting_as("VIEWER", unit="330328")
    # then the town operator sees the record and the outsiders nothing
    listed = await operator.execute(UNDER, under="330328101")
    assert listed.data["threeDegreeReserveCadres"] == [
        {
            "state": "ASSESSED",
            "person": {"name": "郑国峰"},
            "village": {"name": "渡渎村"},
            "assessment": {"overall": 88.0},
        }
    ]
    for other in (outsider, viewer):
        assert (await other.execute(UNDER, under="330328")).data["threeDegreeReserveCadres"] == []
        assert (await other.execute(RECORD, id=cadre)).data["threeDegreeReserveCadre"] is None
        assert (await other.execute(NODE, id=cadre)).data["node"] is None
    moved = await outsider.execute(APPROVE, id=cadre, on="2020-04-24")
    assert moved.data["threeDegreeApprove"]["errors"][0]["code"] == "NOT_FOUND"
    watched = await viewer.execute(APPROVE, id=cadre, on="2020-04-24")
    assert watched.data["threeDegreeApprove"]["errors"][0]["code"] == "PERMISSION_DENIED"
    local = await local_viewer.execute(NODE, id=cadre)
    assert local.data["node"] == {"state": "ASSESSED", "person": {"name": "郑国峰"}}
    refused = await local_viewer.execute(APPROVE, id=cadre, on="2020-04-24")
    assert refused.data["threeDegreeApprove"]["errors"][0]["code"] == "PERMISSION_DENIED"
    assert (await record(client, cadre))["state"] == "ASSESSED"
    # and the operator approves
    await ok(operator, APPROVE, "threeDegreeApprove", id=cadre, on="2020-04-24")
    await operator.aclose()
    for other in (outsider, viewer, local_viewer):
        await other.aclose()


async def test_an_id_beyond_the_row_id_range_names_nothing(yixian_app):
    """node(id:) and threeDegreeReserveCadre(id:) with an id beyond int32 give null, no error."""
    # given a record
    client, people = await wencheng(yixian_app)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    for row_id in (2**31, 10**20, 0, -1):
        huge = encode_id("ThreeDegreeReserveCadre", row_id)
        # when a node and a record are asked for by that id
        node = await client.execute(NODE, id=huge)
        one = await client.execute(RECORD, id=huge)
        # then both are null
        assert node.errors is None and node.data["node"] is None, row_id
        assert one.errors is None and one.data["threeDegreeReserveCadre"] is None, row_id
    assert (await client.execute(NODE, id=cadre)).data["node"]["state"] == "NOMINATED"


async def test_two_concurrent_transitions_of_one_record_give_one_winner(yixian_app):
    """Approval and rejection racing: exactly one applies, the other meets the winner's state."""
    # given an assessed record
    client, people = await wencheng(yixian_app)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await rate_then_close(client, cadre, 90)
    # when the meeting approves and rejects at the same time
    approved, rejected = await asyncio.gather(
        client.execute(APPROVE, id=cadre, on="2020-04-24"),
        client.execute(REJECT, id=cadre, on="2020-04-24", reason="不适任"),
    )
    # then exactly one wins
    bodies = [approved.data["threeDegreeApprove"], rejected.data["threeDegreeReject"]]
    winners = [b for b in bodies if b["errors"] == []]
    losers = [b for b in bodies if b["errors"]]
    assert len(winners) == 1 and len(losers) == 1
    state = winners[0]["reserveCadre"]["state"]
    assert losers[0]["errors"][0]["code"] == "THREE_DEGREE_INVALID_TRANSITION"
    assert losers[0]["stateRefusal"]["currentState"] == state
    full = await record(client, cadre)
    assert full["state"] == state
    assert [h["toState"] for h in full["history"]] == ["NOMINATED", "ASSESSED", state]


async def test_concurrent_closes_of_one_assessment_apply_once(yixian_app):
    """Five closes racing: one closes the assessment, four are refused; one observation each."""
    # given a fully rated record
    client, people = await wencheng(yixian_app)
    cadre = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await rate_many(client, cadre, uniform(90))
    # when five closes race
    results = await asyncio.gather(
        *(client.execute(CLOSE, id=cadre, on="2020-04-20") for _ in range(5))
    )
    # then one wins
    bodies = [r.data["threeDegreeCloseAssessment"] for r in results]
    assert sum(1 for b in bodies if b["errors"] == []) == 1
    assert {b["stateRefusal"]["currentState"] for b in bodies if b["errors"]} == {"ASSESSED"}
    series = await client.execute(
        SERIES, metric="wencheng.three_degree.reserve_cadres_assessed", level=None
    )
    assert [p["value"] for p in series.data["metricSeries"]] == [1.0]


# --- Reading -------------------------------------------------------------------------------------


async def test_person_and_unit_carry_the_latest_record_and_the_reserve_cadres(yixian_app):
    """Person.threeDegree is the latest record; Unit.reserveCadres lists the subtree's."""
    # given 郑国峰 pooled and 胡彩芬 nominated
    client, people = await wencheng(yixian_app)
    zheng = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await walk(client, zheng, "POOLED")
    await nominate(client, people["hu"], XINLIAN, on="2020-05-01")
    # when the person and the town are read
    result = await client.execute(PERSON_AND_UNIT, person=people["zheng"])
    # then
    assert result.errors is None, result.errors
    assert result.data["person"] == {"name": "郑国峰", "threeDegree": {"state": "POOLED"}}
    assert result.data["unit"]["reserveCadres"] == [
        {"person": {"name": "郑国峰"}, "state": "POOLED"},
        {"person": {"name": "胡彩芬"}, "state": "NOMINATED"},
    ]
    assert result.data["village"]["reserveCadres"] == [{"state": "POOLED"}]
    trial_or_pooled = await client.execute(UNDER, under="330328", states=["TRIAL", "POOLED"])
    assert [c["person"]["name"] for c in trial_or_pooled.data["threeDegreeReserveCadres"]] == [
        "郑国峰"
    ]


EVERYTHING = """
query {
  threeDegreeReserveCadres(underUnit: "330328") {
    state person { name threeDegree { state } } village { name }
    assessment { overall loyalty groups { count ratings { loyalty } } }
    notice { openObjections objections { status } }
    trialPosting { status hostUnit { name } }
    outcome { reason electionInitiative { code } }
    history { toState }
  }
  people(filter: {underUnit: "330328"}, first: 50) {
    edges { node { threeDegree { state assessment { overall } } } }
  }
  units(filter: {underUnit: "330328"}, first: 50) {
    edges { node { reserveCadres { state assessment { competence } } } }
  }
}"""


async def test_lists_load_through_dataloaders_without_n_plus_one(yixian_app):
    """The statements of a query over every record do not grow with the number of records."""
    # given one record on trial (after a dismissed objection) and one nominated
    client, people = await wencheng(yixian_app)
    first = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await walk(client, first, "NOTICE")
    lodged = await ok(client, LODGE, "threeDegreeLodgeObjection", id=first, on="2020-04-27")
    await ok(
        client,
        RESOLVE,
        "threeDegreeResolveObjection",
        id=lodged["objection"]["id"],
        resolution="DISMISSED",
        on="2020-04-28",
    )
    await walk(client, first, "TRIAL")
    await nominate(client, people["hu"], XINLIAN)
    with client.count_statements() as counter:
        few = await client.execute(EVERYTHING)
    assert few.errors is None, few.errors
    # when six more people are nominated and rated
    for n in range(6):
        created = await client.execute(PERSON, name=f"后备{n}", home=DUDU)
        person = created.data["createPerson"]["person"]["id"]
        cadre = (await nominate(client, person))["reserveCadre"]["id"]
        await rate_many(client, cadre, uniform(85), count=2)
    with client.count_statements() as counter_many:
        many = await client.execute(EVERYTHING)
    # then the count of statements is the same
    assert many.errors is None, many.errors
    assert len(many.data["threeDegreeReserveCadres"]) == 8
    assert counter_many.count == counter.count


# --- Metrics, saved queries, demo ----------------------------------------------------------------


async def test_metrics_are_recorded_per_village_and_month_and_add_up_per_town(yixian_app):
    """Counts and mean degrees are observed per village and month, and add up per town."""
    # given one record pooled at 渡渎村 and one rejected at 新联村's meeting
    client, people = await wencheng(yixian_app)
    zheng = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await walk(client, zheng, "POOLED", score=90)
    hu = (await nominate(client, people["hu"], XINLIAN))["reserveCadre"]["id"]
    await rate_many(client, hu, uniform(70))
    await ok(client, CLOSE, "threeDegreeCloseAssessment", id=hu, on="2020-04-20")
    await ok(client, REJECT, "threeDegreeReject", id=hu, on="2020-05-10", reason="未达合格线")

    async def series(slug, level="TOWN"):
        result = await client.execute(SERIES, metric=f"wencheng.three_degree.{slug}", level=level)
        assert result.errors is None, result.errors
        return [
            (p["unit"]["code"], p["periodStart"], p["value"]) for p in result.data["metricSeries"]
        ]

    # then per town and month
    assert await series("reserve_cadres_nominated") == [("330328101", "2020-04-01", 2.0)]
    assert await series("reserve_cadres_assessed") == [("330328101", "2020-04-01", 2.0)]
    assert await series("reserve_cadres_on_trial") == [("330328101", "2020-05-01", 1.0)]
    assert await series("reserve_cadres_pooled") == [("330328101", "2020-07-01", 1.0)]
    assert await series("reserve_cadres_rejected") == [("330328101", "2020-05-01", 1.0)]
    assert await series("loyalty_mean") == [("330328101", "2020-04-01", 80.0)]
    # and per village
    assert await series("competence_mean", "VILLAGE") == [
        (DUDU, "2020-04-01", 90.0),
        (XINLIAN, "2020-04-01", 70.0),
    ]


async def test_saved_queries_are_installed_and_valid_against_the_schema(yixian_app):
    """Both saved queries are installed for auditors, validate, and run."""
    # given the app
    client, people = await wencheng(yixian_app)
    zheng = (await nominate(client, people["zheng"]))["reserveCadre"]["id"]
    await walk(client, zheng, "TRIAL")
    schema = build_schema(client.registry, client.app.state.settings).schema
    # when each document is validated and run
    for spec in SAVED_QUERIES:
        assert validate(schema._schema, parse(spec.document)) == [], spec.name
        result = await client.execute(spec.document, underUnit="330328")
        assert result.errors is None, result.errors
    # then they are stored, owned by the plugin
    from core.saved_queries.models import SavedQuery

    async with client.app.state.sessionmaker() as session:
        stored = (
            await session.execute(
                select(SavedQuery.name).where(SavedQuery.plugin_key == "wencheng.three_degree")
            )
        ).scalars()
        assert sorted(stored) == sorted(s.name for s in SAVED_QUERIES)
    ran = await client.execute(SAVED_QUERIES[0].document, underUnit="330328")
    assert ran.data["threeDegreeReserveCadres"][0]["assessment"]["overall"] == 90.0


async def test_the_demo_brings_wenchengs_27_on_trial_once(yixian_app):
    """The demo: 郑国峰, 胡彩芬 and 25 others on trial, more at every stage; loaded once."""
    # given the demo loaded twice
    client = await yixian_app(plugins=[plugin])
    first = await seed_demo(client.app.state.sessionmaker, client.registry)
    second = await seed_demo(client.app.state.sessionmaker, client.registry)
    # then
    assert first["wencheng.three_degree: reserve cadres"] == 35
    assert all(v == 0 for k, v in second.items() if k.startswith("wencheng.three_degree"))
    trial = await client.execute(UNDER, under="330328", states=["TRIAL"])
    names = [c["person"]["name"] for c in trial.data["threeDegreeReserveCadres"]]
    assert len(names) == 27 and {"郑国峰", "胡彩芬"} <= set(names)
    every = await client.execute(UNDER, under="330328", states=None)
    assert {c["state"] for c in every.data["threeDegreeReserveCadres"]} == {
        "NOMINATED",
        "ASSESSED",
        "APPROVED",
        "NOTICE",
        "TRIAL",
        "REJECTED",
    }
    zheng = await client.execute(
        """{ people(filter: {search: "郑国峰"}, first: 1) { edges { node {
              threeDegree { state village { name } trialPosting { title status }
                            assessment { passed groups { group count } }
                            history { toState } } } } } }"""
    )
    record_ = zheng.data["people"]["edges"][0]["node"]["threeDegree"]
    assert record_["state"] == "TRIAL" and record_["village"]["name"] == "渡渎村"
    assert record_["trialPosting"] == {"title": "后备干部到渡渎村试岗", "status": "ACTIVE"}
    assert record_["assessment"]["passed"] is True
    # one talk with the person (本人谈), not five
    assert {g["group"]: g["count"] for g in record_["assessment"]["groups"]} == {
        "SELF": 1,
        "MASSES": 6,
        "NOTABLES": 5,
        "TEAM": 3,
    }
    assert len(record_["history"]) == 5
    on_trial = await client.execute(
        SERIES, metric="wencheng.three_degree.reserve_cadres_on_trial", level=None
    )
    assert sum(p["value"] for p in on_trial.data["metricSeries"]) == 27
