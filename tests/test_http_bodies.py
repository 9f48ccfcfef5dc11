"""No request body makes the server fail (issue 11, item 9): whatever arrives is answered 400 with
a GraphQL error naming the problem, and the keep-alive connection goes on serving."""

from __future__ import annotations

import json

import pytest

from tests.live_server import Connection, serving

UNITS = {"query": "{ units { totalCount } }"}


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def with_variable(raw_value: bytes) -> bytes:
    return b'{"query": "query($v: JSON) { __typename }", "variables": {"v": ' + raw_value + b"}}"


BAD_BODIES = {
    "a JSON string": (b'"abc"', "not a string"),
    "a JSON number": (b"42", "not a number"),
    "a JSON array": (b"[1, 2]", "not an array"),
    "an empty array": (b"[]", "not an array"),
    "null": (b"null", "not null"),
    "invalid UTF-8": (b'{"query": "{ units { totalCount } }\xff\xfe"}', "not valid UTF-8"),
    "a UTF-16 byte order mark": (b"\xff\xfe{\x00}\x00", "not valid UTF-8"),
    "variables nested 40,000 deep": (with_variable(nested(40_000)), "deeper than 32"),
    "variables nested 900 deep": (with_variable(nested(900)), "deeper than 32"),
    "variables nested 33 deep": (with_variable(nested(33)), "deeper than 32"),
    "NaN": (with_variable(b"NaN"), "NaN is not a JSON number"),
    "Infinity": (with_variable(b"-Infinity"), "-Infinity is not a JSON number"),
    "a lone surrogate in a variable": (with_variable(b'"a\\ud800"'), "lone surrogate"),
    "a lone surrogate in the document": (
        b'{"query": "{ unit(code: \\"\\udc00\\") { code } }"}',
        "lone surrogate",
    ),
    "a lone surrogate in the operation name": (
        b'{"query": "{ __typename }", "operationName": "\\ud800"}',
        "lone surrogate",
    ),
    "not JSON": (b'{"query": ', "not JSON"),
    "a query that is not a string": (b'{"query": 1}', "must be a string"),
}


@pytest.mark.parametrize("name", BAD_BODIES)
async def test_a_bad_body_is_a_400_naming_the_problem(client, name):
    body, problem = BAD_BODIES[name]
    response = await client.http.post(
        "/graphql", content=body, headers={**client.headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert problem in error["message"], error["message"]


async def test_variables_up_to_the_nesting_limit_are_accepted(client):
    response = await client.http.post(
        "/graphql",
        content=b'{"query": "query($v: [[Int]]) { __typename }", "variables": {"v": '
        + nested(32)
        + b"}}",
        headers={**client.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 200  # a GraphQL answer (the variable's type is another matter)
    assert "BAD_REQUEST" not in response.text


async def test_the_variable_nesting_limit_is_a_setting(yixian_app):
    client = await yixian_app(max_variable_depth=3)
    answer = await client.http.post(
        "/graphql",
        content=with_variable(nested(4)),
        headers={**client.headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 400 and "deeper than 3" in answer.text
    get = await client.http.get(
        "/graphql",
        params={"query": "{ __typename }", "variables": json.dumps({"v": [[[[1]]]]})},
        headers=client.headers,
    )
    # a GET's variables are the whole JSON text: past the limit they are refused before running
    assert get.json()["errors"][0]["extensions"]["code"] == "INVALID", get.text
    assert "$v nests lists and objects deeper than 3" in get.text


async def test_lone_surrogates_in_document_literals_get_a_typed_error(client):
    """A GraphQL escape for a lone surrogate inside the document: a syntax error, not "Unexpected
    error."; one reaching the variables another way than an HTTP body (a saved query's run, the
    command line) is refused before anything runs."""
    from schema.context import Context

    escaped = await client.execute('{ unit(code: "\\ud800") { code } }')
    assert "Invalid Unicode escape sequence" in escaped.errors[0]["message"]
    app = client.app
    graphql = app.state.graphql
    headers = {k.lower(): v for k, v in client.headers.items()}
    principal = await graphql.authenticate(
        type("Request", (), {"headers": headers, "client": None})
    )
    context = Context(
        sessionmaker=app.state.sessionmaker,
        registry=app.state.registry,
        settings=app.state.settings,
        principal=principal,
    )
    result = await app.state.schema.execute(
        "query($c: String!) { unit(code: $c) { code } }",
        variable_values={"c": "a\ud800"},
        context_value=context,
    )
    assert result.errors[0].extensions["code"] == "INVALID"
    assert "surrogate" in result.errors[0].message


async def test_the_keep_alive_connection_survives_every_bad_body(yixian_client):
    """Through a real server: each bad body is answered 400 on the same connection, and the next
    request on it is served (a 500 used to reset it)."""
    app, headers = yixian_client.app, yixian_client.headers
    async with serving(app) as port:
        connection = await Connection.open(port)
        try:
            for name, (body, _problem) in BAD_BODIES.items():
                refused = await connection.post(body, headers)
                assert refused.status == 400, name
                assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
                served = await connection.post(json.dumps(UNITS).encode(), headers)
                assert served.status == 200, name
                assert served.json() == {"data": {"units": {"totalCount": 0}}}
        finally:
            await connection.close()
