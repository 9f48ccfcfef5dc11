"""What the trail proves and what it does not give away: personal information under a keyed hash,
the units of an event hashed with it and append-only, old events still verifying (issue 11)."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text, update

from core.audit.chain import _timestamp, canonical, event_hash, stored_fields, units_of
from core.audit.models import AuditEvent, AuditEventUnit, AuditHead
from core.audit.pii import LABEL, PiiKey
from core.db import utcnow
from core.units.models import Unit
from tests.factories import create_person, create_tree
from tests.test_audit import CHAIN, edit_behind_the_back, events

YIXIAN = str(Path(sys.executable).parent / "yixian")
PHONE, ID_NUMBER = "13812345678", "33030219800101123X"
KEY = "a-key-of-the-audit-trail-only-0123456789"
UPDATE_PHONE = """mutation($id: ID!, $phone: String) {
  updatePerson(input: {id: $id, phone: $phone}) { errors { code } } }"""


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def tag(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


async def stored_text(sessionmaker) -> str:
    """Every stored event's fields, as someone reading the table would see them."""
    async with sessionmaker() as session:
        rows = (await session.execute(select(AuditEvent).order_by(AuditEvent.seq))).scalars()
        return canonical([stored_fields(e) for e in rows])


def verify_cli(url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [YIXIAN, "audit", "verify"],
        env={"YIXIAN_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )


async def chain(client) -> dict:
    return (await client.execute(CHAIN)).data["auditChain"]


# --- personal information -------------------------------------------------------------------


async def test_personal_information_is_kept_under_a_keyed_hash(client, sessionmaker, monkeypatch):
    """No SHA-256 of the value (enumerable), but the HMAC under the configured key, with its id."""
    monkeypatch.setenv("YIXIAN_AUDIT_PII_KEY", KEY)
    await create_tree(client)
    person = await create_person(
        client, name="甲", homeUnitCode="330302101", phone=PHONE, idNumber=ID_NUMBER
    )
    await client.execute(UPDATE_PHONE, id=person["id"], phone="13900001111")
    stored = await stored_text(sessionmaker)
    key = PiiKey.from_material(KEY.encode())
    for value in (PHONE, ID_NUMBER, "13900001111"):
        assert value not in stored
        assert sha256(value) not in stored
        assert tag(KEY.encode(), value) in stored
    assert f'"key_id":"{key.id}"' in stored
    assert "138******78" in stored and "330302**********3X" in stored
    # an auditor can tell that the update's "before" is the value the creation wrote
    auditor_view = json.dumps(await events(client, "MUTATION"), ensure_ascii=False)
    assert auditor_view.count(tag(KEY.encode(), PHONE)) >= 3  # created (input, after), before
    assert (await chain(client))["ok"] is True


async def test_without_a_key_of_its_own_it_is_derived_from_the_secret_under_a_label(
    client, sessionmaker, monkeypatch
):
    monkeypatch.delenv("YIXIAN_AUDIT_PII_KEY", raising=False)
    monkeypatch.setenv("YIXIAN_SECRET", "s" * 40)
    await create_tree(client)
    await create_person(client, name="乙", homeUnitCode="330302101", phone=PHONE)
    stored = await stored_text(sessionmaker)
    derived = hmac.new(b"s" * 40, LABEL, hashlib.sha256).digest()
    assert tag(derived, PHONE) in stored
    assert tag(b"s" * 40, PHONE) not in stored  # never the key that hashes API tokens


async def test_after_rotating_the_key_new_events_carry_the_new_key_and_all_verify(
    client, sessionmaker, monkeypatch
):
    monkeypatch.setenv("YIXIAN_AUDIT_PII_KEY", KEY)
    await create_tree(client)
    person = await create_person(client, name="丙", homeUnitCode="330302101", phone=PHONE)
    monkeypatch.setenv("YIXIAN_AUDIT_PII_KEY", KEY + "-2027")
    await client.execute(UPDATE_PHONE, id=person["id"], phone="13900001111")
    latest = (await events(client, "MUTATION"))[0]
    before = latest["changes"][0]["before"]["phone"]
    assert before["key_id"] == PiiKey.from_material((KEY + "-2027").encode()).id
    assert before["hmac"] == tag((KEY + "-2027").encode(), PHONE)
    assert (await chain(client))["ok"] is True


async def append_legacy(session, *, actor: str, variables, units=()) -> int:
    """An event as the code before core_0006 wrote it: chain format 1 (units not hashed) and
    personal information under a plain SHA-256."""
    seq, prev = (
        await session.execute(
            update(AuditHead)
            .where(AuditHead.id == 1)
            .values(seq=AuditHead.seq + 1)
            .returning(AuditHead.seq, AuditHead.hash)
        )
    ).one()
    now = utcnow()
    fields = {
        "seq": seq,
        "occurred_at": _timestamp(now),
        "actor": actor,
        "kind": "MUTATION",
        "name": "updatePerson",
        "channel": "graphql",
        "version": None,
        "document_hash": None,
        "variables": variables,
        "changes": None,
        "row_count": None,
        "result_digest": None,
        "prev_hash": prev,
    }
    fields["hash"] = event_hash(fields)
    await session.execute(insert(AuditEvent).values(**{**fields, "occurred_at": now}))
    for unit_id in units:
        await session.execute(insert(AuditEventUnit).values(seq=seq, unit_id=unit_id))
    await session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=fields["hash"]))
    return seq


async def test_old_events_keep_their_unkeyed_hash_and_the_chain_still_verifies(
    client, sessionmaker
):
    """Events written before the fix stay as they are (append-only); verification holds over a
    chain mixing them with new ones, on GraphQL and on the command line."""
    async with sessionmaker() as session:
        old = await append_legacy(
            session,
            actor="before-core_0006",
            variables={"input": {"phone": {"masked": "138******78", "sha256": sha256(PHONE)}}},
        )
        await session.commit()
    await create_tree(client)
    await create_person(client, name="丁", homeUnitCode="330302101", phone=PHONE)
    async with sessionmaker() as session:
        formats = dict(
            (await session.execute(select(AuditEvent.seq, AuditEvent.chain_format))).all()
        )
    assert formats[old] is None and set(formats.values()) - {None} == {2}
    stored = await stored_text(sessionmaker)
    assert stored.count(sha256(PHONE)) == 1  # the old event, unchanged; none since
    assert (await chain(client))["ok"] is True
    cli = verify_cli(str(client.app.state.settings.database_url))
    assert cli.returncode == 0 and cli.stdout.startswith("OK"), cli.stdout + cli.stderr


# --- the units of an event ------------------------------------------------------------------


async def lucheng_event(client, sessionmaker) -> tuple[int, int, int]:
    """The seq of the event creating a person in 鹿城区, its unit, and 瓯海区's unit id."""
    await create_tree(client)
    await create_person(client, name="鹿城人", homeUnitCode="330302101")
    async with sessionmaker() as session:
        seq = max(
            (await session.execute(select(AuditEvent.seq).where(AuditEvent.name == "createPerson")))
            .scalars()
            .all()
        )
        units = await units_of(session, seq, seq)
        ouhai = (await session.execute(select(Unit.id).where(Unit.code == "330304"))).scalar_one()
    assert len(units[seq]) == 1
    return seq, units[seq][0], ouhai


async def test_the_database_refuses_to_change_the_units_of_an_event(client, sessionmaker):
    seq, unit_id, ouhai = await lucheng_event(client, sessionmaker)
    async with sessionmaker() as session:
        statements = [
            ("UPDATE audit_event_unit SET unit_id = :ouhai", "append-only"),
            ("DELETE FROM audit_event_unit", "append-only"),
            # rows only for the newest event (the one being appended): not for an earlier one
            ("INSERT INTO audit_event_unit (seq, unit_id) VALUES (1, :ouhai)", "being appended"),
        ]
        if session.bind.dialect.name == "postgresql":
            statements.append(("TRUNCATE audit_event_unit", "append-only"))
        for statement, refusal in statements:
            with pytest.raises(Exception, match=refusal):
                await session.execute(text(statement), {"seq": seq, "ouhai": ouhai})
            await session.rollback()
        assert (await units_of(session, seq, seq)) == {seq: [unit_id]}
    assert (await chain(client))["ok"] is True


async def test_removing_the_units_of_an_event_is_named_by_verification(
    client, sessionmaker, yixian_client_as
):
    """Deleting an event's unit rows hides it from the district's auditor: verify says so."""
    seq, _unit, _ouhai = await lucheng_event(client, sessionmaker)
    auditor = await yixian_client_as("AUDITOR", unit="330302")
    assert seq in [e["seq"] for e in await events(auditor)]
    url = str(client.app.state.settings.database_url)
    await edit_behind_the_back(url, [("DELETE FROM audit_event_unit WHERE seq = :s", {"s": seq})])
    assert seq not in [e["seq"] for e in await events(auditor)]  # the attack worked…
    broken = await chain(client)  # …and is caught
    assert broken["ok"] is False and broken["firstBrokenSeq"] == seq
    assert "units it concerns" in broken["message"]
    cli = verify_cli(url)
    assert cli.returncode == 1 and f"BROKEN at event {seq}" in cli.stdout, cli.stdout


async def test_adding_a_unit_to_an_event_is_named_by_verification(client, sessionmaker):
    seq, _unit, ouhai = await lucheng_event(client, sessionmaker)
    url = str(client.app.state.settings.database_url)
    await edit_behind_the_back(
        url,
        [("INSERT INTO audit_event_unit (seq, unit_id) VALUES (:s, :u)", {"s": seq, "u": ouhai})],
    )
    broken = await chain(client)
    assert broken["ok"] is False and broken["firstBrokenSeq"] == seq
    cli = verify_cli(url)
    assert cli.returncode == 1 and f"BROKEN at event {seq}" in cli.stdout, cli.stdout


async def test_a_new_event_cannot_pass_as_one_of_the_old_format(client, sessionmaker):
    """Rewriting the newest event in format 1 (whose hash skips the units) is caught."""
    await lucheng_event(client, sessionmaker)
    async with sessionmaker() as session:
        last = (
            await session.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
        ).scalar_one()
        fields = stored_fields(last)
    fields["chain_format"] = None
    forged = event_hash(fields)
    url = str(client.app.state.settings.database_url)
    await edit_behind_the_back(
        url,
        [
            (
                "UPDATE audit_event SET chain_format = NULL, hash = :h WHERE seq = :s",
                {"h": forged, "s": last.seq},
            ),
            ("UPDATE audit_head SET hash = :h", {"h": forged}),
            ("DELETE FROM audit_event_unit WHERE seq = :s", {"s": last.seq}),
        ],
    )
    broken = await chain(client)
    assert broken["ok"] is False and broken["firstBrokenSeq"] == last.seq
    assert "older chain format" in broken["message"]


async def test_units_of_an_event_that_does_not_exist_are_caught(client, sessionmaker):
    seq, unit_id, _ouhai = await lucheng_event(client, sessionmaker)
    async with sessionmaker() as session:
        head = (await session.execute(select(AuditHead.seq))).scalar_one()
    url = str(client.app.state.settings.database_url)
    await edit_behind_the_back(
        url,
        [
            (
                "INSERT INTO audit_event_unit (seq, unit_id) VALUES (:s, :u)",
                {"s": head + 5, "u": unit_id},
            )
        ],
    )
    broken = await chain(client)
    assert broken["ok"] is False and broken["firstBrokenSeq"] == head + 5


# --- the migration ---------------------------------------------------------------------------


@pytest.fixture
async def empty_database(yixian_backend, tmp_path):
    """A database with no tables yet, of the test's backend."""
    from yixian.testkit import create_postgres_database, drop_database

    if yixian_backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}"
    else:
        url = await create_postgres_database()
    yield url
    await drop_database(url)


async def test_core_0006_keeps_old_events_verifiable_and_downgrades(
    empty_database, yixian_default_registry
):
    """A trail and saved queries written before core_0006: after upgrading, the old events verify,
    new ones are appended in format 2, a plugin's query is shared and a user's is not; the
    downgrade removes what it added, and the upgrade applies again."""
    from alembic import command

    from core.audit.chain import append, verify
    from core.db import create_engine, create_sessionmaker
    from core.migrate import _run, upgrade

    url, registry = empty_database, yixian_default_registry
    await upgrade(url, registry, "core_0005")
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    try:
        async with sessions() as session:
            await session.execute(
                text(
                    "INSERT INTO unit (id, code, name, kind, depth) "
                    "VALUES (1, '330300', '温州市', 'CITY', 0)"
                )
            )
            await append_legacy(session, actor="old", variables={"phone": {"sha256": "x"}})
            await append_legacy(session, actor="old", variables={}, units=[1])
            for name, plugin in (("legacy.pack.q", "legacy.pack"), ("mine", None)):
                await session.execute(
                    text(
                        "INSERT INTO saved_query (name, version, title, tags, document, "
                        "document_hash, roles, owner, plugin_key, variables, created_at) VALUES "
                        "(:n, 1, 't', '[]', '{ units { totalCount } }', 'h', '[\"AUDITOR\"]', "
                        ":o, :p, '[]', CURRENT_TIMESTAMP)"
                    ),
                    {"n": name, "o": plugin or "someone", "p": plugin},
                )
            await session.commit()
        await upgrade(url, registry)
        async with sessions() as session:
            assert (await verify(session)).ok
            await append(session, actor="new", kind="MUTATION", name="x", units=[1])
            await session.commit()
            result = await verify(session)
            assert result.ok and result.checked == 3, result
            formats = (await session.execute(text("SELECT chain_format FROM audit_event"))).all()
            assert sorted(f for (f,) in formats if f is not None) == [2]
            shared = dict(
                (await session.execute(text("SELECT name, shared FROM saved_query"))).all()
            )
            assert bool(shared["legacy.pack.q"]) is True and bool(shared["mine"]) is False
            with pytest.raises(Exception, match="append-only"):
                await session.execute(text("DELETE FROM audit_event_unit"))
            await session.rollback()
        await _run(url, registry, lambda config, _c: command.downgrade(config, "core_0005"))
        async with sessions() as session:
            await session.execute(text("DELETE FROM audit_event_unit WHERE seq = 3"))
            columns = await session.execute(text("SELECT * FROM saved_query"))
            assert "shared" not in columns.keys()
            await session.rollback()
        await upgrade(url, registry)
    finally:
        await engine.dispose()
