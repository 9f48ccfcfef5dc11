"""The audit trail: what is recorded, the chain, its tamper detection and signed checkpoints."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from core.audit import checkpoint as checkpoints
from core.audit.chain import GENESIS, event_hash, stored_fields, units_of
from core.audit.models import AuditEvent
from tests.factories import create_person, create_tree

EVENTS = """query($kind: String) { auditEvents(kind: $kind, first: 50) { totalCount edges { node {
  seq actor kind name channel variables changes prevHash hash } } } }"""
CHAIN = "{ auditChain { ok checked firstBrokenSeq message } }"
RENAME = """mutation($id: ID!, $name: String!) {
  updatePerson(input: {id: $id, name: $name}) { person { name } errors { code } } }"""
YIXIAN = str(Path(sys.executable).parent / "yixian")


async def events(client, kind=None):
    result = await client.execute(EVENTS, kind=kind)
    return [e["node"] for e in result.data["auditEvents"]["edges"]]


async def test_a_mutation_is_recorded_with_the_record_before_and_after(client):
    await create_tree(client)
    person = await create_person(client, name="郑国峰")
    await client.execute(RENAME, id=person["id"], name="郑国锋")
    renamed = (await events(client, "MUTATION"))[0]
    assert renamed["name"] == "updatePerson"
    assert renamed["variables"] == {"input": {"id": person["id"], "name": "郑国锋"}}
    assert renamed["changes"] == [
        {
            "table": "person",
            "id": renamed["changes"][0]["id"],
            "before": {"name": "郑国峰"},
            "after": {"name": "郑国锋"},
        }
    ]
    created = [e for e in await events(client, "MUTATION") if e["name"] == "createPerson"][0]
    assert created["changes"][0]["after"]["name"] == "郑国峰"
    assert created["changes"][0]["before"] is None


async def test_a_refused_mutation_is_recorded_with_why(client, yixian_client_as):
    await create_tree(client)
    viewer = await yixian_client_as("VIEWER", unit="330302", name="看客")
    await viewer.execute('mutation { createPerson(input: {name: "x"}) { errors { code } } }')
    refused = (await events(client, "MUTATION_REFUSED"))[0]
    assert (refused["actor"], refused["name"]) == ("看客", "createPerson")
    assert refused["changes"][0]["code"] == "PERMISSION_DENIED"


async def test_unmasked_personal_information_reads_are_events(client):
    await create_tree(client)
    person = await create_person(client, name="胡彩芬", phone="13800001111")
    await client.execute("query Look($id: ID!) { person(id: $id) { phone } }", id=person["id"])
    read = (await events(client, "PII_READ"))[0]
    assert read["name"] == "Look"
    assert read["changes"][0]["fields"] == ["phone"]


async def test_concurrent_writers_keep_one_unbroken_chain(client):
    await create_tree(client)
    await asyncio.gather(*[create_person(client, name=f"干部{i}") for i in range(12)])
    chain = (await client.execute(CHAIN)).data["auditChain"]
    assert chain["ok"] is True and chain["firstBrokenSeq"] is None
    listed = await events(client)
    seqs = sorted(e["seq"] for e in listed)
    assert seqs == list(range(1, len(seqs) + 1))
    assert len({e["prevHash"] for e in listed}) == len(listed)  # no two events share a parent


async def test_the_application_cannot_update_or_delete_events(client, sessionmaker):
    await create_tree(client)
    async with sessionmaker() as session:
        for statement in ("UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event"):
            with pytest.raises(Exception, match="append-only"):
                await session.execute(text(statement))
            await session.rollback()
    assert (await client.execute(CHAIN)).data["auditChain"]["ok"] is True


SQLITE_TRIGGERS = (
    "audit_event_no_update",
    "audit_event_no_delete",
    "audit_event_unit_no_update",
    "audit_event_unit_no_delete",
    "audit_event_unit_insert",
)


async def edit_behind_the_back(url: str, statements: list[tuple[str, dict]]) -> None:
    """Change stored events as someone with database access would, triggers out of the way."""
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as conn:
            postgres = conn.dialect.name == "postgresql"
            if postgres:
                await conn.execute(text("SET LOCAL session_replication_role = replica"))
            else:
                for trigger in SQLITE_TRIGGERS:
                    await conn.execute(text(f"DROP TRIGGER IF EXISTS {trigger}"))
            for statement, params in statements:
                await conn.execute(text(statement), params)
    finally:
        await engine.dispose()


async def test_editing_one_event_is_named_by_verification(client):
    """The chain alone catches a single edit: GraphQL and `yixian audit verify` name the event."""
    await create_tree(client)
    url = str(client.app.state.settings.database_url)
    await edit_behind_the_back(
        url, [("UPDATE audit_event SET actor = 'someone else' WHERE seq = 3", {})]
    )
    chain = (await client.execute(CHAIN)).data["auditChain"]
    assert chain["ok"] is False and chain["firstBrokenSeq"] == 3
    cli = subprocess.run(
        [YIXIAN, "audit", "verify"],
        env={"YIXIAN_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 1
    assert "BROKEN at event 3" in cli.stdout


async def test_a_full_rewrite_is_caught_only_by_the_signed_checkpoint(
    client, sessionmaker, tmp_path
):
    """Rewrite event 2 and recompute every later hash: the chain verifies, the checkpoint not."""
    await create_tree(client)
    url = str(client.app.state.settings.database_url)
    private, public = tmp_path / "key.pem", tmp_path / "key.pub"
    checkpoints.generate_keys(private, public)
    checkpoint = tmp_path / "checkpoint.json"
    signed = subprocess.run(
        [YIXIAN, "audit", "checkpoint", "--key", str(private), "--out", str(checkpoint)],
        env={"YIXIAN_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert signed.returncode == 0, signed.stdout + signed.stderr
    # when someone with database access rewrites history consistently
    async with sessionmaker() as session:
        stored = (
            (await session.execute(select(AuditEvent).order_by(AuditEvent.seq))).scalars().all()
        )
        units = await units_of(session, 1, stored[-1].seq)
        rows = [stored_fields(e, units.get(e.seq, ())) for e in stored]
    rows[1]["actor"] = "nobody"
    statements, prev = [], GENESIS
    for fields in rows:
        fields["prev_hash"] = prev
        new_hash = event_hash(fields)
        statements.append(
            (
                "UPDATE audit_event SET actor = :actor, prev_hash = :prev, "
                "hash = :hash WHERE seq = :seq",
                {"actor": fields["actor"], "prev": prev, "hash": new_hash, "seq": fields["seq"]},
            )
        )
        prev = new_hash
    statements = [
        ("UPDATE audit_event SET hash = 'tmp' || seq", {}),
        *statements,
        ("UPDATE audit_head SET hash = :h", {"h": prev}),
    ]
    await edit_behind_the_back(url, statements)
    # then the chain alone sees nothing…
    assert (await client.execute(CHAIN)).data["auditChain"]["ok"] is True
    # …and the checkpoint sees the rewrite
    env = {"YIXIAN_DATABASE_URL": url}
    held = subprocess.run(
        [YIXIAN, "audit", "verify", "--checkpoint", str(checkpoint), "--public-key", str(public)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert held.returncode == 1
    assert "differs from the signed checkpoint" in held.stdout
    forged = json.loads(checkpoint.read_text())
    forged["hash"] = prev
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    refused = subprocess.run(
        [
            YIXIAN,
            "audit",
            "verify",
            "--checkpoint",
            str(tmp_path / "forged.json"),
            "--public-key",
            str(public),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 1 and "signature does not verify" in refused.stdout


async def test_only_auditors_and_admins_read_the_trail(client, yixian_client_as):
    await create_tree(client)
    operator = await yixian_client_as("OPERATOR", unit="330302")
    assert (await operator.execute(CHAIN)).errors[0]["extensions"]["code"] == "FORBIDDEN"
    auditor = await yixian_client_as("AUDITOR", unit="330302")
    assert (await auditor.execute(CHAIN)).data["auditChain"]["ok"] is True


async def test_a_past_run_is_rechecked_against_todays_result(client):
    await create_tree(client)
    await create_person(client, name="甲", homeUnitCode="330302101")
    await client.execute("""mutation { saveQuery(input: {name: "people", title: "人员",
      document: "{ people(first: 50) { totalCount edges { node { name } } } }"}) {
      errors { code } } }""")
    run = await client.execute('mutation { runSavedQuery(name: "people") { run { auditSeq } } }')
    seq = run.data["runSavedQuery"]["run"]["auditSeq"]
    recheck = (
        "mutation($s: Int!) { recheckRun(auditSeq: $s) { recheck { same thenDigest "
        "nowDigest } errors { code } } }"
    )
    same = await client.execute(recheck, s=seq)
    assert same.data["recheckRun"]["recheck"]["same"] is True
    await create_person(client, name="乙", homeUnitCode="330302101")
    changed = await client.execute(recheck, s=seq)
    assert changed.data["recheckRun"]["recheck"]["same"] is False


async def test_an_auditor_reads_only_the_events_of_their_subtree(client, yixian_client_as):
    """A change in 瓯海区 is not shown to 鹿城区's auditor; one in 鹿城区 is."""
    await create_tree(client)
    await create_person(client, name="瓯海人", homeUnitCode="330304101")
    mine = await create_person(client, name="鹿城人", homeUnitCode="330302101")
    auditor = await yixian_client_as("AUDITOR", unit="330302")
    seen = await events(auditor, "MUTATION")
    texts = json.dumps(seen, ensure_ascii=False)
    assert "鹿城人" in texts and "瓯海人" not in texts and "娄桥街道" not in texts
    # a person moved out of the subtree: the event concerns both districts, so it is read by
    # an auditor holding both (the city), not by either district's
    await client.execute(
        """mutation($id: ID!) { updatePerson(input: {id: $id,
      homeUnitCode: "330304101"}) { errors { code } } }""",
        id=mine["id"],
    )
    ouhai_auditor = await yixian_client_as("AUDITOR", unit="330304")
    city_auditor = await yixian_client_as("AUDITOR", unit="330300")
    assert (await events(auditor, "MUTATION"))[0]["name"] != "updatePerson"
    assert (await events(ouhai_auditor, "MUTATION"))[0]["name"] != "updatePerson"
    assert (await events(city_auditor, "MUTATION"))[0]["name"] == "updatePerson"


async def test_the_trail_keeps_personal_information_masked_and_hashed(client, yixian_client_as):
    """A phone or ID number in a mutation is stored masked with a keyed hash, never in clear, and
    never as its plain SHA-256 (which enumeration reverses; tests/test_audit_integrity.py)."""
    import hashlib

    await create_tree(client)
    await create_person(
        client,
        name="甲",
        homeUnitCode="330302101",
        phone="13812345678",
        idNumber="33030219800101123X",
    )
    auditor = await yixian_client_as("AUDITOR", unit="330302")
    text_seen = json.dumps(await events(auditor, "MUTATION"), ensure_ascii=False)
    assert "13812345678" not in text_seen and "33030219800101123X" not in text_seen
    assert hashlib.sha256(b"13812345678").hexdigest() not in text_seen
    assert '"hmac":' in text_seen and '"key_id":' in text_seen
    assert "138******78" in text_seen


async def test_an_event_spanning_districts_is_read_only_by_who_holds_both(client, yixian_client_as):
    """An admin's batch touching 鹿城 and 瓯海 is hidden from each district's auditor."""
    await create_tree(client)
    await client.execute("""mutation { defineMetric(input: {code: "t.n", name: "n",
      unitOfMeasure: "户", aggregation: SUM}) { errors { code } } }""")
    await client.execute("""mutation { recordObservations(observations: [
      {metric: "t.n", unitCode: "330302101001", periodStart: "2020-04-01", value: 10},
      {metric: "t.n", unitCode: "330304101", periodStart: "2020-04-01", value: 4242}]) {
      errors { code } } }""")
    district = await yixian_client_as("AUDITOR", unit="330302")
    assert "4242" not in json.dumps(await events(district))
    city = await yixian_client_as("AUDITOR", unit="330300")
    assert "4242" in json.dumps(await events(city))


async def test_a_run_one_may_not_read_cannot_be_rechecked(client, yixian_client_as):
    await create_tree(client)
    await client.execute("""mutation { saveQuery(input: {name: "count", title: "数",
      document: "{ units { totalCount } }", shared: true}) { errors { code } } }""")
    sibling = await yixian_client_as("AUDITOR", unit="330304")
    run = await sibling.execute('mutation { runSavedQuery(name: "count") { run { auditSeq } } }')
    seq = run.data["runSavedQuery"]["run"]["auditSeq"]
    district = await yixian_client_as("AUDITOR", unit="330302")
    refused = await district.execute(
        "mutation($s: Int!) { recheckRun(auditSeq: $s) { recheck { same } errors { code } } }",
        s=seq,
    )
    assert refused.data["recheckRun"] == {"recheck": None, "errors": [{"code": "NOT_FOUND"}]}
