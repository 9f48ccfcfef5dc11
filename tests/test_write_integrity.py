"""Writes stay inside the writer's scope, transitions and edits race safely, resends write once,
and a request stopped by its time limit says truthfully whether it wrote."""

from __future__ import annotations

import asyncio
import datetime
import uuid

import strawberry
from sqlalchemy import func, select

from core.audit.models import AuditEvent
from core.metrics.models import Observation, Period
from core.metrics.services import metric_by_code
from core.people import services as people_services
from core.people.models import Person
from core.postings.models import Posting
from schema.errors import UserError, mutation_payload
from tests.factories import CREATE_PERSON, create_person, create_tree, start_posting
from tests.fake_plugins import make_plugin
from tests.test_metrics import define, obs

UPDATE_PERSON = """
mutation($input: UpdatePersonInput!) {
  updatePerson(input: $input) { person { id name phone version } errors { code field message } }
}"""

END_POSTING = """
mutation($input: EndPostingInput!) {
  endPosting(input: $input) {
    posting { id status recallReason version } errors { code field message }
  }
}"""

UPDATE_UNIT = """
mutation($input: UpdateUnitInput!) {
  updateUnit(input: $input) { unit { code name version } errors { code field message } }
}"""

CREATE_INITIATIVE = """
mutation($input: CreateInitiativeInput!) {
  createInitiative(input: $input) { initiative { code version } errors { code field message } }
}"""

UPDATE_INITIATIVE = """
mutation($input: UpdateInitiativeInput!) {
  updateInitiative(input: $input) {
    initiative { code name version } errors { code field message }
  }
}"""

RECORD = """
mutation($items: [ObservationInput!]!) {
  recordObservations(observations: $items) {
    observations { id value } errors { code field message }
  }
}"""


async def person_row(sessionmaker, person_id: int) -> Person:
    async with sessionmaker() as session:
        return await session.get(Person, person_id)


def db_id(global_id: str) -> int:
    from strawberry import relay

    return int(relay.GlobalID.from_id(global_id).node_id)


async def ouhai_person_posted_in_lucheng(client) -> dict:
    await create_tree(client)
    person = await create_person(
        client, name="瓯海干部", homeUnitCode="330304101", phone="13800001234"
    )
    posted = await start_posting(client, personId=person["id"], hostUnitCode="330302101001")
    assert posted["errors"] == []
    return person


# --- 1. writes stay inside the write scope ----------------------------------------------------


async def test_an_operator_cannot_change_a_person_owned_elsewhere_though_posted_here(
    client, yixian_client_as, sessionmaker
):
    # given a 瓯海 person posted in 鹿城, and 鹿城's operator (who sees them through the posting)
    person = await ouhai_person_posted_in_lucheng(client)
    lucheng = await yixian_client_as("OPERATOR", unit="330302", pii=True)
    seen = await lucheng.execute("query($id: ID!) { node(id: $id) { id } }", id=person["id"])
    assert seen.data["node"] == {"id": person["id"]}
    # when the operator changes their phone, or moves them home into 鹿城
    for change in ({"phone": "13900009999"}, {"homeUnitCode": "330302101"}):
        result = await lucheng.execute(UPDATE_PERSON, input={"id": person["id"], **change})
        # then it is refused as if the person did not exist, and nothing changed
        payload = result.data["updatePerson"]
        assert payload["person"] is None
        assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]
    row = await person_row(sessionmaker, db_id(person["id"]))
    assert (row.phone, row.version) == ("13800001234", 1)
    # and 瓯海's operator still sees and may change their own person
    ouhai = await yixian_client_as("OPERATOR", unit="330304")
    result = await ouhai.execute(UPDATE_PERSON, input={"id": person["id"], "name": "瓯海干部甲"})
    assert result.data["updatePerson"]["errors"] == []


async def test_an_operator_cannot_move_their_person_out_or_create_one_outside(
    client, yixian_client_as, sessionmaker
):
    await create_tree(client)
    lucheng = await yixian_client_as("OPERATOR", unit="330302")
    own = await create_person(lucheng, name="鹿城干部", homeUnitCode="330302101")
    moved = await lucheng.execute(
        UPDATE_PERSON, input={"id": own["id"], "homeUnitCode": "330304101"}
    )
    assert [e["code"] for e in moved.data["updatePerson"]["errors"]] == ["NOT_FOUND"]
    outside = await lucheng.execute(
        CREATE_PERSON, input={"name": "外区干部", "homeUnitCode": "330304"}
    )
    assert [e["code"] for e in outside.data["createPerson"]["errors"]] == ["NOT_FOUND"]
    # A person without a home unit would be seen by admins only: an operator may not make one.
    homeless = await lucheng.execute(CREATE_PERSON, input={"name": "无单位"})
    assert homeless.data["createPerson"]["errors"] == [
        {
            "code": "REQUIRED",
            "field": "homeUnitCode",
            "message": "give the person a home unit in your scope",
        }
    ]
    async with sessionmaker() as session:
        names = set((await session.execute(select(Person.name))).scalars())
    assert names == {"鹿城干部"}
    assert (await person_row(sessionmaker, db_id(own["id"]))).home_unit_id is not None


async def test_an_operator_may_still_post_a_person_seen_through_a_posting(client, yixian_client_as):
    # Referring to a person is not changing them: a second posting in 鹿城 is 鹿城's to make.
    person = await ouhai_person_posted_in_lucheng(client)
    lucheng = await yixian_client_as("OPERATOR", unit="330302")
    again = await start_posting(
        lucheng, personId=person["id"], hostUnitCode="330302101002", role="FIRST_SECRETARY"
    )
    assert again["errors"] == []


async def test_an_initiative_seen_below_its_owner_is_not_theirs_to_change(client, yixian_client_as):
    await create_tree(client)
    created = await client.execute(
        CREATE_INITIATIVE,
        input={
            "code": "wz-2026",
            "name": "温州市行动",
            "kind": "CAMPAIGN",
            "ownerUnitCode": "330300",
        },
    )
    assert created.data["createInitiative"]["errors"] == []
    lucheng = await yixian_client_as("OPERATOR", unit="330302")
    seen = await lucheng.execute('{ initiative(code: "wz-2026") { code } }')
    assert seen.data["initiative"] == {"code": "wz-2026"}
    result = await lucheng.execute(UPDATE_INITIATIVE, input={"code": "wz-2026", "name": "改名"})
    assert [e["code"] for e in result.data["updateInitiative"]["errors"]] == ["NOT_FOUND"]


@strawberry.type
class PlainPayload:
    errors: list[UserError]


@strawberry.type
class StrayMutation:
    """A plugin mutation that writes an observation straight into a unit, bypassing lookups."""

    @strawberry.mutation
    async def test_stray_write(self, info: strawberry.Info, unit_id: int) -> PlainPayload:
        async def work(ctx):
            metric = await metric_by_code(ctx.session, "test.households_visited")
            ctx.session.add(
                Observation(
                    metric_id=metric.id,
                    unit_id=unit_id,
                    period_start=datetime.date(2026, 1, 1),
                    period=Period.DAY,
                    value=1.0,
                )
            )
            await ctx.session.flush()

        return await mutation_payload(PlainPayload, info.context.run(work), None)


def _stray_plugin():
    return make_plugin("test.stray", extend_mutation=StrayMutation)


async def test_a_plugin_write_outside_the_scope_is_refused_by_the_command_frame(yixian_app):
    # The guard is the command frame's: a plugin that sets a unit id directly is held too.
    client = await yixian_app(plugins=[_stray_plugin()])
    units = await create_tree(client)
    await define(client)
    lucheng = await client.acting_as("OPERATOR", "330302")
    ouhai_id, lucheng_id = db_id(units["330304101"]["id"]), db_id(units["330302101"]["id"])
    query = "mutation($u: Int!) { testStrayWrite(unitId: $u) { errors { code } } }"
    refused = await lucheng.execute(query, u=ouhai_id)
    assert refused.data["testStrayWrite"]["errors"] == [{"code": "NOT_FOUND"}]
    allowed = await lucheng.execute(query, u=lucheng_id)
    assert allowed.data["testStrayWrite"]["errors"] == []
    engine_rows = await client.execute(
        '{ metricSeries(metric: "test.households_visited", underUnit: "330300") { value } }'
    )
    assert [r["value"] for r in engine_rows.data["metricSeries"]] == [1.0]


# --- 6. transitions and edits under concurrency -----------------------------------------------


async def test_concurrent_ends_of_one_posting_leave_one_winner(client, sessionmaker):
    await create_tree(client)
    person = await create_person(client, homeUnitCode="330302101")
    started = await start_posting(client, personId=person["id"], hostUnitCode="330302101001")
    posting = started["posting"]

    def ending(i: int) -> dict:
        if i % 2:
            return {"id": posting["id"], "outcome": "COMPLETED", "endDate": "2026-06-30"}
        return {
            "id": posting["id"],
            "outcome": "RECALLED",
            "endDate": "2026-05-31",
            "recallReason": f"虚挂 {i}",
        }

    results = await asyncio.gather(
        *[client.execute(END_POSTING, input=ending(i)) for i in range(10)]
    )
    payloads = [r.data["endPosting"] for r in results]
    winners = [p for p in payloads if p["errors"] == []]
    assert len(winners) == 1, payloads
    assert (
        sorted(e["code"] for p in payloads if p["errors"] for e in p["errors"])
        == ["INVALID_STATE"] * 9
    )
    async with sessionmaker() as session:
        row = await session.get(Posting, db_id(posting["id"]))
        events = (
            await session.execute(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.kind == "MUTATION", AuditEvent.name == "endPosting")
            )
        ).scalar_one()
    winner = winners[0]["posting"]
    assert (row.status.value, row.recall_reason) == (winner["status"], winner["recallReason"])
    assert (row.status.value == "RECALLED") == (row.recall_reason is not None)
    assert events == 1


async def test_a_stale_expected_version_is_refused(client, sessionmaker):
    await create_tree(client)
    person = await create_person(client, homeUnitCode="330302101")
    first = await client.execute(
        UPDATE_PERSON, input={"id": person["id"], "name": "李四", "expectedVersion": 1}
    )
    assert first.data["updatePerson"]["person"]["version"] == 2
    stale = await client.execute(
        UPDATE_PERSON, input={"id": person["id"], "name": "王五", "expectedVersion": 1}
    )
    (error,) = stale.data["updatePerson"]["errors"]
    assert (error["code"], error["field"]) == ("VERSION_CONFLICT", "expectedVersion")
    assert (await person_row(sessionmaker, db_id(person["id"]))).name == "李四"


async def test_concurrent_edits_of_one_version_leave_one_winner(client):
    await create_tree(client)
    person = await create_person(client, homeUnitCode="330302101")
    created = await client.execute(
        CREATE_INITIATIVE,
        input={"code": "lc-1", "name": "行动", "kind": "CAMPAIGN", "ownerUnitCode": "330302"},
    )
    assert created.data["createInitiative"]["errors"] == []
    edits = {
        "updatePerson": (UPDATE_PERSON, lambda i: {"id": person["id"], "name": f"名{i}"}),
        "updateUnit": (UPDATE_UNIT, lambda i: {"code": "330302101", "name": f"镇{i}"}),
        "updateInitiative": (UPDATE_INITIATIVE, lambda i: {"code": "lc-1", "name": f"行动{i}"}),
    }
    for field, (document, values) in edits.items():
        results = await asyncio.gather(
            *[client.execute(document, input={**values(i), "expectedVersion": 1}) for i in range(8)]
        )
        codes = sorted(tuple(e["code"] for e in r.data[field]["errors"]) for r in results)
        assert codes == [()] + [("VERSION_CONFLICT",)] * 7, (field, codes)


# --- 7. a resent mutation writes once ---------------------------------------------------------


async def post(client, document: str, key: str | None, **variables):
    headers = dict(client.headers)
    if key is not None:
        headers["Idempotency-Key"] = key
    response = await client.http.post(
        "/graphql", json={"query": document, "variables": variables}, headers=headers
    )
    return response.json()


async def count_observations(sessionmaker) -> int:
    async with sessionmaker() as session:
        return (await session.execute(select(func.count()).select_from(Observation))).scalar_one()


async def test_a_hundred_resends_under_one_key_record_once(client, sessionmaker):
    await create_tree(client)
    await define(client)
    item = obs("330302101001", "2026-03-02", 7)
    key = str(uuid.uuid4())
    bodies = [await post(client, RECORD, key, items=[item]) for _ in range(100)]
    assert {str(b["data"]["recordObservations"]) for b in bodies} == {
        str(bodies[0]["data"]["recordObservations"])
    }
    assert bodies[0]["data"]["recordObservations"]["errors"] == []
    assert await count_observations(sessionmaker) == 1
    # Without a key, each call is a new write (as before).
    await post(client, RECORD, None, items=[item])
    assert await count_observations(sessionmaker) == 2


async def test_concurrent_resends_under_one_key_record_once(client, sessionmaker):
    await create_tree(client)
    await define(client)
    key = str(uuid.uuid4())
    item = obs("330302101001", "2026-03-02", 7)
    bodies = await asyncio.gather(*[post(client, RECORD, key, items=[item]) for _ in range(10)])
    answers = {str(b["data"]["recordObservations"]) for b in bodies}
    assert len(answers) == 1, answers
    assert await count_observations(sessionmaker) == 1


async def test_a_key_reused_for_another_change_is_refused(client, sessionmaker):
    await create_tree(client)
    await define(client)
    key = str(uuid.uuid4())
    await post(client, RECORD, key, items=[obs("330302101001", "2026-03-02", 7)])
    other = await post(client, RECORD, key, items=[obs("330302101001", "2026-03-02", 8)])
    (error,) = other["data"]["recordObservations"]["errors"]
    assert error["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert await count_observations(sessionmaker) == 1
    # Each user's keys are their own.
    operator = await client.acting_as("OPERATOR", "330302")
    mine = await post(operator, RECORD, key, items=[obs("330302101001", "2026-03-02", 8)])
    assert mine["data"]["recordObservations"]["errors"] == []
    assert await count_observations(sessionmaker) == 2


async def test_a_resend_of_a_created_person_answers_the_same_person(client, sessionmaker):
    await create_tree(client)
    key = str(uuid.uuid4())
    values = {"name": "赵六", "homeUnitCode": "330302101"}
    first, second = [await post(client, CREATE_PERSON, key, input=values) for _ in range(2)]
    assert first["data"] == second["data"]
    async with sessionmaker() as session:
        assert (await session.execute(select(func.count()).select_from(Person))).scalar_one() == 1


async def test_an_expired_key_writes_again(yixian_app):
    client = await yixian_app(idempotency_ttl_hours=0.5 / 3600)
    await create_tree(client)
    await define(client)
    key = str(uuid.uuid4())
    item = obs("330302101001", "2026-03-02", 7)
    await post(client, RECORD, key, items=[item])
    await post(client, RECORD, key, items=[item])
    await asyncio.sleep(0.7)
    await post(client, RECORD, key, items=[item])
    series = await client.execute(
        '{ metricSeries(metric: "test.households_visited", underUnit: "330300") { value } }'
    )
    assert [r["value"] for r in series.data["metricSeries"]] == [14.0]


async def test_a_malformed_key_is_a_typed_error(client, sessionmaker):
    await create_tree(client)
    await define(client)
    body = await post(client, RECORD, "x" * 300, items=[obs("330302101001", "2026-03-02", 7)])
    (error,) = body["data"]["recordObservations"]["errors"]
    assert error["code"] == "INVALID"
    assert await count_observations(sessionmaker) == 0


# --- 8. a timeout never says "stopped" of a committed write -----------------------------------


#: How long the slow mutation of the timeout tests waits before and after its commit.
DELAYS = {"before_commit": 0.0, "after_commit": 0.0}


@strawberry.type
class SlowMutation:
    @strawberry.mutation
    async def test_slow_create_person(self, info: strawberry.Info, name: str) -> PlainPayload:
        async def work(ctx):
            await people_services.create_person(ctx, name=name)
            await asyncio.sleep(DELAYS["before_commit"])

        return await mutation_payload(PlainPayload, info.context.run(work), None)


async def _slow_on_event(event):
    if event.name == "person.created":
        await asyncio.sleep(DELAYS["after_commit"])


def _slow_plugin(before_commit: float = 0.0, after_commit: float = 0.0):
    DELAYS.update(before_commit=before_commit, after_commit=after_commit)
    return make_plugin("test.slow", extend_mutation=SlowMutation, on_event=_slow_on_event)


SLOW = 'mutation { testSlowCreatePerson(name: "慢") { errors { code } } }'


async def people(client, search: str = "慢") -> int:
    result = await client.execute(
        "query($s: String) { people(filter: {search: $s}) { totalCount } }", s=search
    )
    return result.data["people"]["totalCount"]


async def test_a_mutation_past_its_deadline_before_commit_is_rolled_back(yixian_app):
    client = await yixian_app(plugins=[_slow_plugin(before_commit=3)], request_timeout_seconds=0.5)
    result = await client.execute(SLOW)
    (error,) = result.errors
    assert error["extensions"] == {"code": "TIMEOUT", "outcome": "NOT_WRITTEN"}
    assert "nothing was written" in error["message"]
    assert await people(client) == 0


async def test_a_mutation_past_its_deadline_after_commit_says_it_was_written(yixian_app):
    client = await yixian_app(plugins=[_slow_plugin(after_commit=3)], request_timeout_seconds=0.5)
    result = await client.execute(SLOW)
    (error,) = result.errors
    assert error["extensions"] == {"code": "TIMEOUT", "outcome": "WRITTEN"}
    assert "Idempotency-Key" in error["message"] and "stopped" not in error["message"]
    assert await people(client) == 1


@strawberry.type
class BusyAfterCommitPayload:
    errors: list[UserError]

    @strawberry.field
    async def people_named(self, info: strawberry.Info) -> int:
        return await info.context.scalar(select(func.count()).select_from(Person))


@strawberry.type
class BusyAfterCommitMutation:
    """Creates a person, then (as other requests would) takes the only pooled connection for a
    second, so that the payload's fields cannot be read."""

    @strawberry.mutation
    async def test_busy_after_commit(self, info: strawberry.Info) -> BusyAfterCommitPayload:
        payload = await mutation_payload(
            BusyAfterCommitPayload,
            info.context.run(lambda ctx: people_services.create_person(ctx, name="忙")),
            None,
        )
        engine = info.context.sessionmaker.kw["bind"]
        held = await engine.connect()
        asyncio.get_running_loop().call_later(1.0, lambda: asyncio.ensure_future(held.close()))
        return payload


async def test_a_committed_write_whose_answer_cannot_be_read_is_not_told_to_try_again(yixian_app):
    plugin = make_plugin("test.busy", extend_mutation=BusyAfterCommitMutation)
    client = await yixian_app(
        plugins=[plugin], db_pool_size=1, db_max_overflow=0, db_pool_timeout_seconds=0.3
    )
    response = await client.http.post(
        "/graphql",
        json={"query": "mutation { testBusyAfterCommit { peopleNamed errors { code } } }"},
        headers=client.headers,
    )
    body = response.json()
    # The write committed: no 503, no "try again"; the error says it was saved.
    assert response.status_code == 200 and "retry-after" not in response.headers
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "UNAVAILABLE", "outcome": "WRITTEN"}
    assert "saved" in error["message"] and "try again" not in error["message"]
    await asyncio.sleep(1.2)
    assert await people(client, "忙") == 1
