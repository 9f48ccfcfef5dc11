"""The endpoint under abuse: limits with clear codes, rate limits, trusted documents."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import strawberry

from schema.trusted import document_hash
from tests.fake_plugins import make_plugin
from tests.leaks import assert_no_database_text
from yixian.testkit import admin_client, make_app

UNITS = "{ units { totalCount } }"


async def require_redis() -> None:
    """Skip the test without a Redis on 127.0.0.1:6379."""
    redis = pytest.importorskip("redis.asyncio")
    connection = redis.from_url("redis://127.0.0.1:6379/0")
    try:
        await connection.ping()
    except Exception:  # noqa: BLE001 - no Redis here: nothing to test
        pytest.skip("no Redis on 127.0.0.1:6379")
    finally:
        await connection.aclose()


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
    await require_redis()
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


# --- failed authentication (issue 11, item 5) ----------------------------------------------------


class Clock:
    """A clock for rate limit windows: tests do not race the turn of a minute."""

    def __init__(self, now: float = 6_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


async def _post_as(app, headers, address="10.0.0.1"):
    import httpx

    transport = httpx.ASGITransport(app=app, client=(address, 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.post("/graphql", json={"query": UNITS}, headers=headers)


async def test_failed_authentication_is_limited_per_address(
    yixian_database_url, yixian_default_registry
):
    """Five bad tokens a minute from one address, then 429 with Retry-After for every token from
    it — even a good one, so that guessing learns nothing — until the minute ends. Successful
    authentications are not counted, and other addresses are not affected."""
    app = make_app(yixian_database_url, yixian_default_registry, auth_failures_per_minute=5)
    clock = Clock()
    app.state.graphql.auth_failures.clock = clock
    admin = await admin_client(app)
    try:
        for _ in range(8):  # successes do not count
            assert (await _post_as(app, admin.headers)).status_code == 200
        bad = [{"Authorization": f"Bearer yx_{uuid.uuid4().hex}"} for _ in range(7)]
        bad[2] = {"Authorization": "Basic dXNlcjpwYXNz"}  # a malformed header is a failure too
        answers = [await _post_as(app, headers) for headers in bad]
        assert [a.status_code for a in answers] == [401] * 5 + [429] * 2
        assert answers[0].json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        refused = answers[-1]
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert (await _post_as(app, admin.headers)).status_code == 429
        assert (await _post_as(app, bad[0], address="10.0.0.2")).status_code == 401
        assert (await _post_as(app, admin.headers, address="10.0.0.2")).status_code == 200
        clock.now += 60  # the next minute
        assert (await _post_as(app, admin.headers)).status_code == 200
    finally:
        await admin.aclose()


async def test_workers_share_the_failed_authentication_limit_through_redis(
    yixian_database_url, yixian_default_registry
):
    await require_redis()
    options = {
        "auth_failures_per_minute": 4,
        "redis_url": "redis://127.0.0.1:6379/0",
        "redis_prefix": f"test-{uuid.uuid4().hex}",
    }
    workers = [make_app(yixian_database_url, yixian_default_registry, **options) for _ in "ab"]
    clock = Clock()
    for worker in workers:
        worker.state.graphql.auth_failures.clock = clock
    try:
        codes = [
            (await _post_as(workers[i % 2], {"Authorization": "Bearer yx_nope"})).status_code
            for i in range(6)
        ]
    finally:
        for worker in workers:
            await worker.state.graphql.auth_failures.close()
            await worker.state.graphql.rate_limiter.close()
            await worker.state.engine.dispose()
    assert codes == [401] * 4 + [429] * 2


@pytest.mark.parametrize("days", ["0", "-3"])
async def test_a_token_is_never_made_without_expiry_by_accident(days, yixian_database_url):
    """``--days 0`` used to make a token that never expires: refused, and nothing written."""
    from datetime import timedelta

    from sqlalchemy import func, select
    from typer.testing import CliRunner

    from core.access.models import ApiToken
    from core.access.tokens import ensure_user, issue_token
    from core.db import create_engine, create_sessionmaker, utcnow
    from core.errors import DomainError
    from yixian.cli import app as cli

    def create(*extra: str):
        return CliRunner().invoke(
            cli,
            ["token", "create", "--user", "王五", "--role", "ADMIN", *extra],
            env={"YIXIAN_DATABASE_URL": yixian_database_url},
        )

    refused = await asyncio.to_thread(create, "--days", days)
    assert refused.exit_code == 2
    assert "--days must be 1 or more" in refused.output
    engine = create_engine(yixian_database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            assert await session.scalar(select(func.count()).select_from(ApiToken)) == 0
            user = await ensure_user(session, "赵六")
            with pytest.raises(DomainError, match="expire before it is issued"):
                await issue_token(session, user, "s" * 40, utcnow() - timedelta(seconds=1))
        made = await asyncio.to_thread(create, "--days", "1")
        assert made.exit_code == 0, made.output
        async with create_sessionmaker(engine)() as session:
            expiry = await session.scalar(select(ApiToken.expires_at))
        expiry = expiry.replace(tzinfo=expiry.tzinfo or utcnow().tzinfo)
        assert timedelta(hours=23) < expiry - utcnow() <= timedelta(days=1)
    finally:
        await engine.dispose()


# --- values that poison aggregates, over-long searches (item 11) ---------------------------------

RECORD = """mutation($v: Float!) { recordObservations(observations: [
  {metric: "core.households", unitCode: "330302", periodStart: "2024-01-01", value: $v},
  {metric: "core.households", unitCode: "330302", periodStart: "2024-02-01", value: $v}
]) { observations { value } errors { code field message } } }"""
SERIES = '{ metricSeries(metric: "core.households", underUnit: "330302") { value count } }'


async def _metric(client, aggregation: str = "SUM") -> None:
    await client.execute(
        'mutation { createUnit(input: {code: "330302", name: "鹿城区", kind: DISTRICT}) '
        "{ errors { code } } }"
    )
    defined = await client.execute(
        'mutation { defineMetric(input: {code: "core.households", name: "户数", '
        f'unitOfMeasure: "户", aggregation: {aggregation}}}) {{ errors {{ code }} }} }}'
    )
    assert defined.data["defineMetric"]["errors"] == []


async def test_values_that_would_poison_aggregates_are_refused(client, sessionmaker):
    """1.7e308 twice used to be recorded, and every metricSeries over the metric then failed
    ("Float cannot represent non numeric value: inf"); a literal 1e400 answered "Unexpected
    error.". Both are typed refusals now, nothing is written, and the refusal is in the trail."""
    from sqlalchemy import func, select

    from core.audit.models import AuditEvent
    from core.metrics.models import Observation

    await _metric(client)
    huge = await client.execute(RECORD, v=1.7e308)
    errors = huge.data["recordObservations"]["errors"]
    assert [e["code"] for e in errors] == ["INVALID_VALUE", "INVALID_VALUE"]
    assert errors[0]["field"] == "observations.0.value" and "1e+15" in errors[0]["message"]
    literal = await client.execute(RECORD.replace("($v: Float!)", "").replace("$v", "1.7e308"))
    assert literal.data["recordObservations"]["errors"][0]["code"] == "INVALID_VALUE"
    overflowing = await client.execute(RECORD.replace("($v: Float!)", "").replace("$v", "1e400"))
    assert overflowing.errors[0]["extensions"]["code"] == "INVALID_VALUE"
    assert "finite" in overflowing.errors[0]["message"]
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Observation)) == 0
        refusals = (
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.kind == "MUTATION_REFUSED", AuditEvent.name == "recordObservations"
                )
            )
        ).all()
    assert len(refusals) == 2
    assert {c["code"] for c in refusals[0].changes} == {"INVALID_VALUE"}
    largest = await client.execute(RECORD, v=1e15)
    assert largest.data["recordObservations"]["errors"] == []
    series = await client.execute(SERIES)
    assert series.errors is None and series.data["metricSeries"] == [{"value": 2e15, "count": 2}]


@pytest.mark.parametrize("aggregation", ["SUM", "AVG", "LAST"])
async def test_a_series_over_values_stored_before_the_bound_is_a_typed_error(
    aggregation, client, sessionmaker
):
    """Rows recorded before values were bounded must not make metricSeries answer infinity (or
    fail inside the database: PostgreSQL refuses a sum that overflows)."""
    from datetime import date

    from sqlalchemy import select

    from core.metrics.models import MetricDefinition, Observation, Period
    from core.units.models import Unit

    await _metric(client, aggregation)
    async with sessionmaker() as session:
        unit = await session.scalar(select(Unit.id).where(Unit.code == "330302"))
        metric = await session.scalar(
            select(MetricDefinition.id).where(MetricDefinition.code == "core.households")
        )
        session.add_all(
            Observation(
                metric_id=metric,
                unit_id=unit,
                period_start=date(2024, month, 1),
                period=Period.MONTH,
                value=1.7e308,
                recorded_by="legacy",
            )
            for month in (1, 2)
        )
        await session.commit()
    for query in (SERIES, SERIES.replace("underUnit", "groupBy: {period: MONTH}, underUnit")):
        result = await client.execute(query)
        assert result.errors[0]["extensions"]["code"] == "INVALID_VALUE", result.errors
        assert "beyond" in result.errors[0]["message"]


async def test_an_empty_last_metric_has_an_empty_series(client):
    """A LAST metric without observations and without groupBy used to be "Unexpected error."."""
    await _metric(client, "LAST")
    result = await client.execute(SERIES)
    assert result.errors is None and result.data["metricSeries"] == []
    grouped = await client.execute(
        SERIES.replace("underUnit", "groupBy: {period: MONTH}, underUnit")
    )
    assert grouped.errors is None and grouped.data["metricSeries"] == []


async def test_an_over_long_search_is_refused_with_a_typed_error(client):
    """30,000 characters of search text made SQLite refuse the LIKE pattern ("Unexpected
    error."): refused up front, for units and people, search and tag alike."""
    await client.execute(
        'mutation { createUnit(input: {code: "330302", name: "鹿城区", kind: DISTRICT}) '
        "{ errors { code } } }"
    )
    await client.execute(
        'mutation { createPerson(input: {name: "张三", homeUnitCode: "330302"}) '
        "{ errors { code } } }"
    )
    long = "%" * 30_000
    for query, field in (
        ("query($s: String) { units(filter: {search: $s}) { totalCount } }", "filter.search"),
        ("query($s: String) { people(filter: {search: $s}) { totalCount } }", "filter.search"),
        ("query($s: String) { people(filter: {tag: $s}) { totalCount } }", "filter.tag"),
    ):
        result = await client.execute(query, s=long)
        assert result.errors[0]["extensions"] == {"code": "INVALID", "field": field}, query
        assert "at most 200" in result.errors[0]["message"]
    fits = await client.execute(
        "query($s: String) { units(filter: {search: $s}) { totalCount } }", s="鹿" * 200
    )
    assert fits.errors is None


# --- no database text in responses (item 10) -----------------------------------------------------


async def test_a_read_session_whose_connection_died_does_not_leak_database_text(yixian_app):
    """The request's read session loses its connection behind its back (a cancelled statement,
    a restarted server): closing it used to fail with "cannot call Transaction.rollback(): the
    underlying connection is closed", and that text reached the client."""
    from sqlalchemy import text

    @strawberry.type
    class Lost:
        @strawberry.field
        async def lose_connection(self, info: strawberry.Info) -> int:
            async def kill(session):
                connection = await session.connection()
                if connection.dialect.name == "postgresql":
                    import asyncpg

                    pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar()
                    dsn = connection.engine.url.set(drivername="postgresql")
                    admin = await asyncpg.connect(dsn.render_as_string(hide_password=False))
                    try:
                        await admin.execute("SELECT pg_terminate_backend($1)", pid)
                    finally:
                        await admin.close()
                else:
                    await connection.execute(text("CREATE TEMP TABLE lost (x INTEGER)"))
                    await connection.execute(text("INSERT INTO lost VALUES (1)"))
                    raw = await connection.get_raw_connection()
                    await raw.driver_connection.close()

            await info.context.read(kill)
            return 1

    client = await yixian_app(plugins=[make_plugin("lost.pack", extend_query=Lost)])
    response = await client.http.post(
        "/graphql", json={"query": "{ loseConnection }"}, headers=client.headers
    )
    assert_no_database_text(response.text)
    assert response.status_code == 200 and response.json()["data"] == {"loseConnection": 1}
    after = await client.execute("{ units { totalCount } }")  # the pool recovered
    assert after.errors is None


async def test_reads_of_personal_information_that_cannot_be_recorded_are_withheld(
    client, sessionmaker, caplog
):
    """Recording the unmasked reads fails (here: its table is gone): the answer is withheld as
    UNAVAILABLE — it carried what the trail would not show — with no database text, and the
    failure is logged with its context."""
    from sqlalchemy import text

    await client.execute(
        'mutation { createUnit(input: {code: "330302", name: "鹿城区", kind: DISTRICT}) '
        "{ errors { code } } }"
    )
    created = await client.execute(
        'mutation { createPerson(input: {name: "张三", homeUnitCode: "330302", '
        'phone: "13812345678"}) { person { id } errors { code } } }'
    )
    person = created.data["createPerson"]["person"]["id"]
    query = f'query Phone {{ node(id: "{person}") {{ ... on Person {{ phone }} }} }}'
    assert (await client.execute(query)).data["node"]["phone"] == "13812345678"
    async with sessionmaker() as session:
        await session.execute(text("ALTER TABLE pii_read RENAME TO pii_read_away"))
        await session.commit()
    try:
        response = await client.http.post("/graphql", json={"query": query}, headers=client.headers)
    finally:
        async with sessionmaker() as session:
            await session.execute(text("ALTER TABLE pii_read_away RENAME TO pii_read"))
            await session.commit()
    assert_no_database_text(response.text)
    assert "13812345678" not in response.text
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert any(
        "unmasked reads of operation Phone" in r.getMessage() and r.exc_info for r in caplog.records
    )
