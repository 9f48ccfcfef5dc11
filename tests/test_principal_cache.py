"""Principals are cached per worker, and every worker sees a change on its next request: a
revoked token, a new grant, an ended posting (scope follows postings), whoever made it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text, update
from strawberry import relay

from core.access.models import ApiToken, Grant, User
from core.db import create_engine, create_sessionmaker, utcnow
from tests.factories import create_person, create_tree, start_posting
from yixian.testkit import GraphQLClient, grant_token, make_app

UNITS = "{ units(first: 50) { totalCount } }"
CHANGE = """
mutation($input: UpdateUnitInput!) { updateUnit(input: $input) { errors { code } } }"""


async def two_workers(url, registry):
    """Two apps on one database, as two worker processes would be."""
    return make_app(url, registry), make_app(url, registry)


async def system_session(url):
    engine = create_engine(url)
    return engine, create_sessionmaker(engine)


async def test_a_token_revoked_elsewhere_is_refused_by_every_worker(
    yixian_database_url, yixian_default_registry
):
    worker_a, worker_b = await two_workers(yixian_database_url, yixian_default_registry)
    token = await grant_token(worker_a, "ADMIN", None)
    a = GraphQLClient(worker_a, {"Authorization": f"Bearer {token}"})
    b = GraphQLClient(worker_b, {"Authorization": f"Bearer {token}"})
    try:
        # both workers have the principal cached
        for client in (a, b, a, b):
            assert (await client.execute(UNITS)).status_code == 200
        # the token is revoked outside either worker (the CLI does exactly this)
        engine, sessionmaker = await system_session(yixian_database_url)
        async with sessionmaker() as session:
            await session.execute(update(ApiToken).values(revoked_at=utcnow()))
            await session.commit()
        await engine.dispose()
        assert (await a.execute(UNITS)).status_code == 401
        assert (await b.execute(UNITS)).status_code == 401
    finally:
        await a.aclose()
        await b.aclose()


async def test_a_new_grant_and_an_ended_posting_change_scope_in_every_worker(
    yixian_database_url, yixian_default_registry
):
    worker_a, worker_b = await two_workers(yixian_database_url, yixian_default_registry)
    admin_token = await grant_token(worker_a, "ADMIN", None)
    admin = GraphQLClient(worker_a, {"Authorization": f"Bearer {admin_token}"})
    await create_tree(admin)
    person = await create_person(admin, homeUnitCode="330302101")
    posting = (await start_posting(admin, personId=person["id"], hostUnitCode="330302101001"))[
        "posting"
    ]
    person_id = int(relay.GlobalID.from_id(person["id"]).node_id)
    token = await grant_token(worker_a, "VIEWER", "330304", person_id=person_id)
    a = GraphQLClient(worker_a, {"Authorization": f"Bearer {token}"})
    b = GraphQLClient(worker_b, {"Authorization": f"Bearer {token}"})
    rename = {"input": {"code": "330302101001", "name": "岙底村委"}}
    try:
        # posted in 岙底村: operator there, through either worker
        for client in (a, b):
            result = await client.execute(CHANGE, **rename)
            assert result.data["updateUnit"]["errors"] == []
        # a grant given elsewhere widens the viewer's reads at once, in both workers
        assert (await b.execute(UNITS)).data["units"]["totalCount"] == 3
        engine, sessionmaker = await system_session(yixian_database_url)
        async with sessionmaker() as session:
            user = (
                await session.execute(select(User).where(User.person_id == person_id))
            ).scalar_one()
            unit = await admin.execute('{ unit(code: "330300") { id } }')
            unit_id = int(relay.GlobalID.from_id(unit.data["unit"]["id"]).node_id)
            session.add(Grant(user_id=user.id, role="VIEWER", unit_id=unit_id))
            await session.commit()
        await engine.dispose()
        assert (await a.execute(UNITS)).data["units"]["totalCount"] == 7
        assert (await b.execute(UNITS)).data["units"]["totalCount"] == 7
        # the posting ends through worker A: worker B no longer lets them write there
        ended = await admin.execute(
            "mutation($i: EndPostingInput!) { endPosting(input: $i) { errors { code } } }",
            i={"id": posting["id"], "outcome": "COMPLETED", "endDate": "2026-06-30"},
        )
        assert ended.data["endPosting"]["errors"] == []
        refused = await b.execute(CHANGE, **rename)
        assert [e["code"] for e in refused.data["updateUnit"]["errors"]] == ["PERMISSION_DENIED"]
    finally:
        await a.aclose()
        await b.aclose()
        await admin.aclose()


async def test_a_cached_principal_ends_when_its_token_expires(
    yixian_database_url, yixian_default_registry
):
    worker = make_app(yixian_database_url, yixian_default_registry)
    token = await grant_token(worker, "ADMIN", None)
    client = GraphQLClient(worker, {"Authorization": f"Bearer {token}"})
    try:
        assert (await client.execute(UNITS)).status_code == 200
        # Expire it in the past without the generation moving (as time alone would do it):
        # the cache entry holds the expiry it read and must not outlive it.
        cache = worker.state.graphql.principals
        ((key, (generation, principal, _until)),) = cache._entries.items()
        cache._entries[key] = (generation, principal, utcnow() - timedelta(seconds=1))
        engine, sessionmaker = await system_session(yixian_database_url)
        async with sessionmaker() as session:
            await session.execute(
                update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1))
            )
            # put the generation back, so only the expiry can refuse the token
            await session.execute(
                text("UPDATE access_state SET generation = :g"),
                {"g": generation},
            )
            await session.commit()
        await engine.dispose()
        assert (await client.execute(UNITS)).status_code == 401
    finally:
        await client.aclose()
