"""Fuzzing the live schema (plugins included): thousands of generated documents, valid and
invalid, and not one 500 or unhandled exception.

More examples: ``YIXIAN_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import asyncio
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from schema.build import sdl
from tests.factories import TREE
from tests.leaks import database_text
from yixian.testkit import admin_client, backends, create_database, drop_database, make_app

EXAMPLES = int(os.environ.get("YIXIAN_FUZZ_EXAMPLES", "500"))

SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z")),
    "JSON": st.one_of(st.integers(-5, 5).map(nodes.Int), st.text(max_size=5).map(nodes.String)),
    # a file travels as a multipart part, never in the document: what a document can say is wrong
    "Upload": st.text(max_size=5).map(nodes.String),
}


@pytest.fixture(scope="module", params=backends())
def fuzz_target(request, tmp_path_factory, yixian_default_registry):
    """An app with a small tree on each backend, driven from its own event loop."""
    loop = asyncio.new_event_loop()
    folder = tmp_path_factory.mktemp("fuzz")
    url = loop.run_until_complete(create_database(request.param, yixian_default_registry, folder))
    app = make_app(url, yixian_default_registry, rate_limit_per_minute=0)
    client = loop.run_until_complete(admin_client(app))
    for code, name, kind, parent in TREE:
        loop.run_until_complete(
            client.execute(
                "mutation($i: CreateUnitInput!) { createUnit(input: $i) { errors { code } } }",
                i={"code": code, "name": name, "kind": kind, "parentCode": parent},
            )
        )
    yield loop, client, sdl(app.state.schema)
    loop.run_until_complete(client.aclose())
    loop.run_until_complete(drop_database(url))
    loop.close()


def check(loop, client, document: str) -> None:
    response = loop.run_until_complete(
        client.http.post("/graphql", json={"query": document}, headers=client.headers)
    )
    assert response.status_code in (200, 400, 405, 413), (response.status_code, document)
    body = response.json()
    messages = [e.get("message", "") for e in body.get("errors") or []]
    assert "Unexpected error." not in messages, document
    # what the server wrote itself: data only echoes the schema's names and the fuzzer's values
    errors = json.dumps(body.get("errors") or [], ensure_ascii=False)
    leaked = database_text(errors)
    assert not leaked, (leaked, document, body.get("errors"))


def test_generated_queries_never_break_the_server(fuzz_target):
    loop, client, schema = fuzz_target
    strategy = st.one_of(
        queries(schema, custom_scalars=SCALARS),
        queries(schema, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
        mutations(schema, custom_scalars=SCALARS),
    )

    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(strategy)
    def run(document):
        check(loop, client, document)

    run()
