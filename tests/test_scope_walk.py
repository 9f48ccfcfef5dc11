"""The scope walk: every root field of the live schema, plugins' included (found by
introspection), asked as 鹿城区's operator, returns nothing of 瓯海区 by any path."""

from __future__ import annotations

import json

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    build_client_schema,
    get_introspection_query,
)

from tests.factories import create_person, create_tree, start_posting

DEPTH = 4
MISSING_CODE = "999999999"
MISSING_ID = "VW5pdDo5OTk5OTk5"  # Unit:9999999


def unwrap(t):
    while isinstance(t, (GraphQLNonNull, GraphQLList)):
        t = t.of_type
    return t


def selection(t, schema, depth: int) -> str:
    """Every scalar of ``t``, and its object fields down to ``depth`` (their required
    arguments filled in)."""
    t = unwrap(t)
    if isinstance(t, (GraphQLScalarType, GraphQLEnumType)):
        return ""
    if depth == 0:
        return "{ __typename }"
    parts = ["__typename"]
    if isinstance(t, GraphQLInterfaceType):
        for impl in schema.get_implementations(t).objects:
            parts.append(f"... on {impl.name} {selection(impl, schema, depth - 1)}")
        return "{ " + " ".join(parts) + " }"
    for name, field in t.fields.items():
        args = arguments(field.args, "330304")
        if args is None:
            continue
        parts.append(f"{name}{args} {selection(field.type, schema, depth - 1)}")
    return "{ " + " ".join(parts) + " }"


def literal(t, code: str, gid: str) -> str | None:
    """A value for a required argument of type ``t``, aimed at the sibling district."""
    if isinstance(t, GraphQLNonNull):
        return literal(t.of_type, code, gid)
    if isinstance(t, GraphQLList):
        inner = literal(t.of_type, code, gid)
        return None if inner is None else f"[{inner}]"
    if isinstance(t, GraphQLEnumType):
        return next(iter(t.values))
    if isinstance(t, GraphQLInputObjectType):
        fields = []
        for name, field in t.fields.items():
            if isinstance(field.type, GraphQLNonNull) and field.default_value is None:
                value = literal(field.type, code, gid)
                if value is None:
                    return None
                fields.append(f"{name}: {value}")
        return "{" + ", ".join(fields) + "}"
    return {
        "String": json.dumps(code),
        "ID": json.dumps(gid),
        "Int": "1",
        "Float": "1.0",
        "Boolean": "true",
        "Date": '"2020-04-01"',
        "DateTime": '"2020-04-01T00:00:00Z"',
        "JSON": "1",
    }.get(t.name)


def arguments(args, code: str, gid: str = MISSING_ID) -> str | None:
    given = []
    for name, arg in args.items():
        if isinstance(arg.type, GraphQLNonNull) and arg.default_value is None:
            value = literal(arg.type, code, gid)
            if value is None:
                return None
            given.append(f"{name}: {value}")
        elif name == "filter":
            given.append(f"filter: {{underUnit: {json.dumps(code)}}}")
    return f"({', '.join(given)})" if given else ""


async def arrange(client) -> dict[str, str]:
    """Data on both sides; returns the sibling's identifiers that must never come back."""
    await create_tree(client)
    ours = await create_person(client, name="鹿城甲", homeUnitCode="330302101")
    theirs = await create_person(client, name="瓯海丙", homeUnitCode="330304101")
    outside = await start_posting(
        client, personId=ours["id"], hostUnitCode="330304101", title="瓯海挂职"
    )
    inside = await start_posting(client, personId=ours["id"], hostUnitCode="330302101001")
    assert inside["errors"] == []
    await client.execute("""mutation {
      a: createInitiative(input: {code: "ouhai-only", name: "瓯海规范年", kind: CAMPAIGN,
                                  ownerUnitCode: "330304"}) { errors { code } }
      b: defineMetric(input: {code: "t.visits", name: "走访", unitOfMeasure: "户",
                              aggregation: SUM, valueType: INTEGER}) { errors { code } }
      c: recordObservations(observations: [
        {metric: "t.visits", unitCode: "330304101", periodStart: "2020-04-01", value: 77777},
        {metric: "t.visits", unitCode: "330302101001", periodStart: "2020-04-01", value: 5}]) {
        errors { code } }
    }""")
    return {
        "sibling unit": "330304",
        "city above the scope": "330300",
        "province above the scope": "330000",
        "sibling person": "瓯海丙",
        "sibling person id": theirs["id"],
        "posting outside": outside["posting"]["id"],
        "posting title outside": "瓯海挂职",
        "sibling initiative": "ouhai-only",
        "sibling observation": "77777",
    }


async def test_no_path_leads_from_an_operator_to_a_sibling_district(client, yixian_client_as):
    # given
    markers = await arrange(client)
    operator = await yixian_client_as("OPERATOR", unit="330302")
    introspection = await client.execute(get_introspection_query())
    schema = build_client_schema(introspection.data)
    walked = 0
    # when every root field is asked, aimed at the sibling and at nothing at all
    for name, field in schema.query_type.fields.items():
        sub = selection(field.type, schema, DEPTH)
        for target_code, target_id in (
            (markers["sibling unit"], markers["sibling person id"]),
            ("330304101", markers["posting outside"]),
        ):
            args = arguments(field.args, target_code, target_id)
            if args is None:
                continue
            aimed = await operator.execute(f"{{ {name}{args} {sub} }}")
            blank = await operator.execute(
                f"{{ {name}{arguments(field.args, MISSING_CODE, MISSING_ID)} {sub} }}"
            )
            walked += 1
            # then nothing of the sibling comes back in data…
            text = json.dumps(aimed.data, ensure_ascii=False)
            leaked = [what for what, marker in markers.items() if marker in text]
            assert leaked == [], f"{name}: {leaked} in {text[:400]}"
            # …and the sibling looks exactly like something that does not exist
            assert aimed.data == blank.data, name
            assert [e.get("extensions") for e in aimed.errors or []] == [
                e.get("extensions") for e in blank.errors or []
            ], name
    assert walked >= len(schema.query_type.fields)
