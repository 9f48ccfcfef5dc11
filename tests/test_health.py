"""Liveness and readiness endpoints."""

from yixian.testkit import GraphQLClient, make_app


async def test_healthz_answers(client):
    """/healthz answers without touching the database."""
    response = await client.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_a_reachable_database(client):
    """/readyz says ready when the database answers."""
    response = await client.http.get("/readyz")
    assert response.status_code == 200
    assert response.json()["database"] == "reachable"


async def test_readyz_reports_an_unreachable_database(yixian_default_registry, tmp_path):
    """/readyz answers 503 when the database cannot be reached, without leaking details."""
    # given a database URL in a folder that does not exist
    url = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'x.db'}"
    client = GraphQLClient(make_app(url, yixian_default_registry))
    try:
        # when
        response = await client.http.get("/readyz")
    finally:
        await client.aclose()
    # then
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
