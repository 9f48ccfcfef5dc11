"""The endpoint under abuse: limits with clear codes, rate limits, trusted documents."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import strawberry

from schema.trusted import document_hash
from tests.fake_plugins import make_plugin
from yixian.testkit import admin_client, make_app

UNITS = "{ units { totalCount } }"


async def test_a_query_deeper_than_the_limit_is_refused(client):
    parents = "parent { " * 9 + "code" + " }" * 9
    deep = f"{{ units {{ edges {{ node {{ {parents} }} }} }} }}"
    result = await client.execute(deep)
    assert result.data is None
    assert "exceeds maximum operation depth" in result.errors[0]["message"]


async def test_too_many_aliases_are_refused(client):
    aliases = " ".join(f"a{i}: units {{ totalCount }}" for i in range(31))
    result = await client.execute(f"{{ {aliases} }}")
    assert "aliases" in result.errors[0]["message"].lower()


async def test_aliases_hidden_in_fragments_count_too(client):
    fragment = " ".join(f"a{i}: units {{ totalCount }}" for i in range(31))
    result = await client.execute(f"query {{ ...F }} fragment F on Query {{ {fragment} }}")
    assert "aliases" in result.errors[0]["message"].lower()


async def test_a_query_too_costly_is_refused_before_it_runs(client):
    costly = """{ units(first: 100) { edges { node { children { children { postings {
      person { postings { hostUnit { code } } } } } } } } } }"""
    result = await client.execute(costly)
    assert result.errors[0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert "first" in result.errors[0]["message"]
    assert result.data is None


async def test_the_cost_follows_page_sizes_given_in_variables(client):
    """The same document is cheap with first: 5 and refused with first: 100."""
    query = """query($n: Int) { units(first: $n) { edges { node {
      children { children { postings { title } } } } } } }"""
    assert (await client.execute(query, n=5)).errors is None
    refused = await client.execute(query, n=100)
    assert refused.errors[0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_too_many_tokens_are_refused(client):
    fields = " ".join(["__typename"] * 2100)
    result = await client.execute(f"{{ {fields} }}")
    assert "token" in result.errors[0]["message"].lower()


async def test_a_body_larger_than_the_limit_is_refused_with_413(client):
    response = await client.http.post(
        "/graphql",
        content=json.dumps({"query": "{ units { totalCount } }", "x": "a" * 200_000}),
        headers={**client.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"


async def test_a_request_over_the_time_limit_is_stopped(yixian_app):
    @strawberry.type
    class Slow:
        @strawberry.field
        async def slow(self) -> int:
            await asyncio.sleep(5)
            return 1

    client = await yixian_app(
        plugins=[make_plugin("slow.pack", extend_query=Slow)], request_timeout_seconds=0.3
    )
    result = await client.execute("{ slow }")
    assert result.errors[0]["extensions"]["code"] == "TIMEOUT"


async def test_rate_limits_apply_per_token(yixian_database_url, yixian_default_registry):
    app = make_app(yixian_database_url, yixian_default_registry, rate_limit_per_minute=3)
    first = await admin_client(app)
    second = await first.acting_as("ADMIN")
    try:
        codes = [
            (
                await first.http.post("/graphql", json={"query": UNITS}, headers=first.headers)
            ).status_code
            for _ in range(4)
        ]
        other = await second.http.post("/graphql", json={"query": UNITS}, headers=second.headers)
    finally:
        await second.aclose()
        await first.aclose()
    assert codes == [200, 200, 200, 429]
    assert other.status_code == 200


async def test_workers_share_rate_limits_through_redis(
    yixian_database_url, yixian_default_registry
):
    """Two apps (two workers) on one Redis: the limit counts requests to both, concurrently."""
    redis = pytest.importorskip("redis.asyncio")
    connection = redis.from_url("redis://127.0.0.1:6379/0")
    try:
        await connection.ping()
    except Exception:  # noqa: BLE001 - no Redis here: nothing to test
        pytest.skip("no Redis on 127.0.0.1:6379")
    finally:
        await connection.aclose()
    options = {
        "rate_limit_per_minute": 10,
        "redis_url": "redis://127.0.0.1:6379/0",
        "redis_prefix": f"test-{uuid.uuid4().hex}",
    }
    worker_a = make_app(yixian_database_url, yixian_default_registry, **options)
    worker_b = make_app(yixian_database_url, yixian_default_registry, **options)
    client_a = await admin_client(worker_a)
    client_b = type(client_a)(worker_b, client_a.headers)
    try:
        responses = await asyncio.gather(
            *[
                (client_a if i % 2 else client_b).http.post(
                    "/graphql", json={"query": UNITS}, headers=client_a.headers
                )
                for i in range(16)
            ]
        )
    finally:
        await client_b.http.aclose()
        await worker_b.state.engine.dispose()
        await client_a.aclose()
        await worker_a.state.graphql.rate_limiter.close()
        await worker_b.state.graphql.rate_limiter.close()
    codes = sorted(r.status_code for r in responses)
    assert codes.count(200) == 10 and codes.count(429) == 6


TRUSTED = "query Trusted { units { totalCount } }"


async def test_trusted_documents_only_run_registered_operations(yixian_app, tmp_path):
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({document_hash(TRUSTED): TRUSTED}))
    client = await yixian_app(trusted_documents=True, trusted_documents_file=str(manifest))
    await client.execute(
        'mutation { createUnit(input: {code: "330302", name: "鹿城区", '
        "kind: DISTRICT}) { errors { code } } }"
    )
    viewer = await client.acting_as("VIEWER", unit="330302")
    free_form = await viewer.execute("{ units { totalCount } }")
    assert free_form.errors[0]["extensions"]["code"] == "TRUSTED_DOCUMENTS_ONLY"
    registered = await viewer.execute(TRUSTED)
    assert registered.data == {"units": {"totalCount": 1}}
    by_hash = await viewer.http.post(
        "/graphql",
        headers=viewer.headers,
        json={
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": document_hash(TRUSTED)}}
        },
    )
    assert by_hash.json()["data"] == {"units": {"totalCount": 1}}
    admin_free_form = await client.execute("{ units { totalCount } }")
    assert admin_free_form.errors is None


async def test_cors_answers_only_configured_origins(yixian_app):
    client = await yixian_app(cors_origins="https://dash.example.cn")
    allowed = await client.http.options(
        "/graphql",
        headers={"Origin": "https://dash.example.cn", "Access-Control-Request-Method": "POST"},
    )
    assert allowed.headers.get("access-control-allow-origin") == "https://dash.example.cn"
    other = await client.http.options(
        "/graphql",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in other.headers


async def test_form_posts_a_browser_could_forge_are_refused(client):
    """A cross-site form can send text/plain or urlencoded bodies, never JSON: refused."""
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        response = await client.http.post(
            "/graphql",
            content='{"query": "{ units { totalCount } }"}',
            headers={**client.headers, "Content-Type": content_type},
        )
        assert response.status_code in (400, 415), content_type


async def test_suggestions_are_hidden_in_production(yixian_app):
    client = await yixian_app(env="production", secret="s" * 40)
    result = await client.execute('{ unitz(code: "1") { code } }')
    assert "Did you mean" not in result.errors[0]["message"]
    dev = await yixian_app()
    hint = await dev.execute('{ unitz(code: "1") { code } }')
    assert "Did you mean" in hint.errors[0]["message"]


async def test_text_with_nul_characters_is_refused_up_front(client):
    """No backend stores NUL: refused with a code, in literals and in variables alike."""
    literal = await client.execute('{ unit(code: "a\\u0000b") { code } }')
    assert literal.errors[0]["extensions"]["code"] == "INVALID"
    variable = await client.execute("query($c: String!) { unit(code: $c) { code } }", c="a\x00")
    assert variable.errors[0]["extensions"]["code"] == "INVALID"


async def test_the_console_keeps_working_when_only_trusted_documents_run(yixian_app):
    """The console's own operations are registered documents: an auditor's console still works."""
    from yixian.console import console_documents

    client = await yixian_app(trusted_documents=True)
    await client.execute(
        'mutation { createUnit(input: {code: "330302", name: "鹿城区", '
        "kind: DISTRICT}) { errors { code } } }"
    )
    auditor = await client.acting_as("AUDITOR", unit="330302")
    chain = next(d for d in console_documents().values() if "ConsoleChain" in d)
    assert (await auditor.execute(chain)).data["auditChain"]["ok"] is True
    assert (await auditor.execute("{ auditChain { ok } }")).errors[0]["extensions"][
        "code"
    ] == "TRUSTED_DOCUMENTS_ONLY"


async def test_the_graphql_response_media_type_is_honoured(client):
    """Accepting application/graphql-response+json: that media type back, and a document that
    never executed is a 400 without data (GraphQL over HTTP)."""
    accept = {**client.headers, "Accept": "application/graphql-response+json"}
    ok = await client.http.post(
        "/graphql", json={"query": "{ units { totalCount } }"}, headers=accept
    )
    assert ok.status_code == 200
    assert ok.headers["content-type"].startswith("application/graphql-response+json")
    assert ok.json()["data"] == {"units": {"totalCount": 0}}
    broken = await client.http.post("/graphql", json={"query": "{ units { "}, headers=accept)
    assert broken.status_code == 400 and "data" not in broken.json()
    invalid = await client.http.post("/graphql", json={"query": "{ nope }"}, headers=accept)
    assert invalid.status_code == 400 and "data" not in invalid.json()
    plain = await client.http.post("/graphql", json={"query": "{ nope }"}, headers=client.headers)
    assert plain.status_code == 200 and plain.headers["content-type"].startswith("application/json")
