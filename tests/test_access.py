"""Access control: each role sees and changes exactly its subtree, tokens and personal info."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import strawberry
from sqlalchemy import select, update

from core import RoleSpec
from core.access.models import ApiToken, Grant, PiiRead
from tests.factories import create_person, create_tree, start_posting
from tests.fake_plugins import make_plugin

UNITS = "{ units(first: 100) { totalCount edges { node { code } } } }"
UNIT = "query($code: String!) { unit(code: $code) { code parent { code } ancestors { code } } }"
PERSON = "query($id: ID!) { person(id: $id) { name phone idNumber homeUnit { code } } }"
CREATE_UNIT = """mutation($input: CreateUnitInput!) {
  createUnit(input: $input) { unit { code } errors { code field } } }"""
START = """mutation($input: StartPostingInput!) {
  startPosting(input: $input) { posting { id } errors { code field } } }"""
END = """mutation($input: EndPostingInput!) {
  endPosting(input: $input) { posting { status } errors { code } } }"""


async def arrange(client):
    """鹿城区 (ours) and 瓯海区 (the sibling), a person in each."""
    await create_tree(client)
    ours = await create_person(
        client,
        name="甲",
        homeUnitCode="330302101",
        phone="13812345678",
        idNumber="33030219800101123X",
    )
    theirs = await create_person(client, name="丙", homeUnitCode="330304101", phone="13987654321")
    return ours, theirs


async def test_an_operator_lists_only_their_subtree(client, yixian_client_as):
    await arrange(client)
    operator = await yixian_client_as("OPERATOR", unit="330302")
    result = await operator.execute(UNITS)
    codes = [e["node"]["code"] for e in result.data["units"]["edges"]]
    assert codes == ["330302", "330302101", "330302101001", "330302101002"]
    assert result.data["units"]["totalCount"] == 4


async def test_above_the_scope_root_looks_missing(client, yixian_client_as):
    """The district's parent and ancestors are not shown; the city looks like no unit."""
    await arrange(client)
    operator = await yixian_client_as("OPERATOR", unit="330302")
    own = await operator.execute(UNIT, code="330302")
    assert own.data["unit"] == {"code": "330302", "parent": None, "ancestors": []}
    city = await operator.execute(UNIT, code="330300")
    missing = await operator.execute(UNIT, code="999999")
    assert city.data == missing.data == {"unit": None}


async def test_node_of_a_sibling_object_is_null_like_a_missing_one(client, yixian_client_as):
    _, theirs = await arrange(client)
    operator = await yixian_client_as("OPERATOR", unit="330302")
    node = "query($id: ID!) { node(id: $id) { id } }"
    assert (await operator.execute(node, id=theirs["id"])).data == {"node": None}
    assert (await operator.execute(PERSON, id=theirs["id"])).data == {"person": None}


async def test_a_person_posted_outside_shows_without_that_posting(client, yixian_client_as):
    """甲 of 鹿城区 is posted to 瓯海区: 鹿城's operator sees 甲, not the posting."""
    ours, _ = await arrange(client)
    await start_posting(client, personId=ours["id"], hostUnitCode="330304101")
    operator = await yixian_client_as("OPERATOR", unit="330302")
    result = await operator.execute(
        "query($id: ID!) { person(id: $id) { name postings { id } } }", id=ours["id"]
    )
    assert result.data["person"] == {"name": "甲", "postings": []}
    listed = await operator.execute("{ postings { totalCount } }")
    assert listed.data["postings"]["totalCount"] == 0


async def test_writes_outside_the_subtree_are_refused_as_missing(client, yixian_client_as):
    """Creating under, moving into or posting into 瓯海区: NOT_FOUND, as for no unit at all."""
    ours, theirs = await arrange(client)
    operator = await yixian_client_as("OPERATOR", unit="330302")
    under_sibling = await operator.execute(
        CREATE_UNIT, input={"code": "X1", "name": "x", "kind": "VILLAGE", "parentCode": "330304101"}
    )
    assert under_sibling.data["createUnit"]["errors"] == [
        {"code": "NOT_FOUND", "field": "parentCode"}
    ]
    moved = await operator.execute(
        """mutation { updateUnit(input: {code: "330302101", parentCode: "330304"}) {
          errors { code field } } }"""
    )
    assert moved.data["updateUnit"]["errors"] == [{"code": "NOT_FOUND", "field": "parentCode"}]
    posted = await operator.execute(
        START,
        input={
            "personId": ours["id"],
            "hostUnitCode": "330304101",
            "role": "GUIDE",
            "startDate": "2020-01-01",
        },
    )
    assert posted.data["startPosting"]["errors"] == [{"code": "NOT_FOUND", "field": "hostUnitCode"}]
    touched = await operator.execute(
        """mutation($id: ID!) { updatePerson(input: {id: $id, name: "改"}) {
          errors { code field } } }""",
        id=theirs["id"],
    )
    assert touched.data["updatePerson"]["errors"] == [{"code": "NOT_FOUND", "field": "id"}]
    root = await operator.execute(CREATE_UNIT, input={"code": "R", "name": "r", "kind": "OTHER"})
    assert root.data["createUnit"]["errors"][0]["code"] == "PERMISSION_DENIED"
    inside = await operator.execute(
        CREATE_UNIT,
        input={
            "code": "330302101003",
            "name": "新村",
            "kind": "VILLAGE",
            "parentCode": "330302101",
        },
    )
    assert inside.data["createUnit"]["errors"] == []


async def test_viewers_and_auditors_never_change_domain_data(client, yixian_client_as):
    await arrange(client)
    for role in ("VIEWER", "AUDITOR"):
        reader = await yixian_client_as(role, unit="330302")
        assert (await reader.execute(UNITS)).data["units"]["totalCount"] == 4
        refused = await reader.execute(
            CREATE_UNIT,
            input={"code": "V9", "name": "x", "kind": "VILLAGE", "parentCode": "330302101"},
        )
        assert refused.data["createUnit"] == {
            "unit": None,
            "errors": [{"code": "PERMISSION_DENIED", "field": None}],
        }


async def test_metric_series_counts_only_rows_in_scope(client, yixian_client_as):
    """A city-wide series as 鹿城's operator sums 鹿城 alone; 温州市 itself looks missing."""
    await arrange(client)
    await client.execute("""mutation { defineMetric(input: {code: "t.visits", name: "走访",
      unitOfMeasure: "户", aggregation: SUM, valueType: INTEGER}) { errors { code } } }""")
    await client.execute("""mutation { recordObservations(observations: [
      {metric: "t.visits", unitCode: "330302101001", periodStart: "2020-04-01", value: 10},
      {metric: "t.visits", unitCode: "330304101", periodStart: "2020-04-01", value: 99}]) {
      errors { code } } }""")
    operator = await yixian_client_as("OPERATOR", unit="330302")
    series = 'query($u: String!) { metricSeries(metric: "t.visits", underUnit: $u) { value } }'
    assert (await operator.execute(series, u="330302")).data["metricSeries"] == [{"value": 10.0}]
    city = await operator.execute(series, u="330300")
    assert city.errors[0]["extensions"] == {"code": "NOT_FOUND", "field": "underUnit"}


async def test_personal_information_is_masked_without_the_pii_grant(
    client, yixian_client_as, sessionmaker
):
    ours, _ = await arrange(client)
    plain = await yixian_client_as("OPERATOR", unit="330302", name="plain-operator")
    masked = await plain.execute(PERSON, id=ours["id"])
    assert masked.data["person"]["phone"] == "138****5678"
    assert masked.data["person"]["idNumber"] == "330302**********3X"
    trusted = await yixian_client_as("VIEWER", unit="330302", pii=True, name="pii-viewer")
    shown = await trusted.execute(
        "query Dossier($id: ID!) { person(id: $id) { phone idNumber } }", id=ours["id"]
    )
    assert shown.data["person"] == {"phone": "13812345678", "idNumber": "33030219800101123X"}
    async with sessionmaker() as session:
        reads = (await session.execute(select(PiiRead))).scalars().all()
    assert [(r.user_name, r.fields, r.operation) for r in reads] == [
        ("pii-viewer", "phone,idNumber", "Dossier")
    ]


async def test_scope_follows_an_active_posting_and_ends_with_it(client, yixian_client_as):
    """A resident cadre operates in their village while posted, and nowhere once recalled."""
    ours, _ = await arrange(client)
    posting = await start_posting(client, personId=ours["id"], hostUnitCode="330302101001")
    person_id = int(__import__("base64").b64decode(ours["id"]).decode().split(":")[1])
    cadre = await yixian_client_as("VIEWER", unit="330304101", person_id=person_id)
    village = await cadre.execute(UNIT, code="330302101001")
    assert village.data["unit"]["code"] == "330302101001"
    created = await cadre.execute(
        CREATE_UNIT,
        input={"code": "G1", "name": "网格一", "kind": "GRID", "parentCode": "330302101001"},
    )
    assert created.data["createUnit"]["errors"] == []
    # when the posting is recalled
    await client.execute(
        END,
        input={
            "id": posting["posting"]["id"],
            "outcome": "RECALLED",
            "endDate": "2020-12-01",
            "recallReason": "调整",
        },
    )
    # then the village is out of reach again; the viewer grant elsewhere remains
    assert (await cadre.execute(UNIT, code="330302101001")).data == {"unit": None}
    assert (await cadre.execute(UNIT, code="330304101")).data["unit"]["code"] == "330304101"


async def test_bad_tokens_get_401(client, yixian_client_as, sessionmaker):
    await arrange(client)
    viewer = await yixian_client_as("VIEWER", unit="330302")
    assert (await viewer.execute(UNITS)).status_code == 200
    async with sessionmaker() as session:
        await session.execute(
            update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
        await session.commit()
    expired = await viewer.http.post("/graphql", json={"query": UNITS}, headers=viewer.headers)
    assert expired.status_code == 401
    for header in ("Bearer nonsense", "Basic abc", "Bearer "):
        response = await client.http.post(
            "/graphql", json={"query": UNITS}, headers={"Authorization": header}
        )
        assert response.status_code == 401, header
        assert "Traceback" not in response.text


async def test_a_revoked_token_stops_at_once(client, yixian_client_as, sessionmaker):
    await arrange(client)
    viewer = await yixian_client_as("VIEWER", unit="330302")
    async with sessionmaker() as session:
        await session.execute(update(ApiToken).values(revoked_at=datetime.now(UTC)))
        await session.commit()
    response = await viewer.http.post("/graphql", json={"query": UNITS}, headers=viewer.headers)
    assert response.status_code == 401


async def test_a_grant_outside_its_validity_gives_nothing(client, yixian_client_as, sessionmaker):
    await arrange(client)
    later = await yixian_client_as("OPERATOR", unit="330302", name="next-year")
    async with sessionmaker() as session:
        await session.execute(
            update(Grant)
            .where(Grant.role == "OPERATOR")
            .values(valid_from=datetime.now(UTC) + timedelta(days=365))
        )
        await session.commit()
    assert (await later.execute(UNITS)).data["units"]["totalCount"] == 0


async def test_without_a_token_only_introspection_runs_in_development(client):
    anonymous = await client.http.post("/graphql", json={"query": UNITS})
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    schema = await client.http.post(
        "/graphql", json={"query": "{ __schema { queryType { name } } }"}
    )
    assert schema.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}


async def test_mutations_over_get_are_refused(client):
    response = await client.http.get(
        "/graphql",
        params={
            "query": 'mutation { createUnit(input: {code: "x", name: "x", '
            "kind: OTHER}) { errors { code } } }"
        },
        headers=client.headers,
    )
    assert response.status_code == 405


async def test_admin_only_fields_are_forbidden_to_others(client, yixian_client_as):
    await arrange(client)
    operator = await yixian_client_as("OPERATOR", unit="330302")
    result = await operator.execute("{ brokenPlugins { name } }")
    assert result.errors[0]["extensions"]["code"] == "FORBIDDEN"
    metric = await operator.execute("""mutation { defineMetric(input: {code: "t.x", name: "x",
      unitOfMeasure: "x", aggregation: SUM}) { errors { code } } }""")
    assert metric.data["defineMetric"]["errors"] == [{"code": "PERMISSION_DENIED"}]


async def test_a_plugin_role_is_granted_and_checked_by_the_plugin(yixian_app):
    """register_roles: a reviewer bound to a department; the plugin reads it off the principal."""

    @strawberry.type
    class ReviewQuery:
        @strawberry.field
        def my_review_departments(self, info: strawberry.Info) -> list[int]:
            return info.context.principal.units_with_role("review.pack.reviewer")

    plugin = make_plugin(
        "review.pack",
        extend_query=ReviewQuery,
        register_roles=[
            RoleSpec(name="review.pack.reviewer", description="审查员", unit_kind="DEPARTMENT")
        ],
    )
    client = await yixian_app(plugins=[plugin])
    await client.execute(CREATE_UNIT, input={"code": "D1", "name": "县纪委", "kind": "DEPARTMENT"})
    reviewer = await client.acting_as("review.pack.reviewer", unit="D1")
    result = await reviewer.execute("{ myReviewDepartments units { totalCount } }")
    assert len(result.data["myReviewDepartments"]) == 1
    assert result.data["units"]["totalCount"] == 1  # reads its department's subtree


async def test_production_hides_introspection_and_graphiql_from_non_admins(yixian_app):
    client = await yixian_app(env="production", secret="s" * 40)
    await client.execute(
        CREATE_UNIT, input={"code": "330302", "name": "鹿城区", "kind": "DISTRICT"}
    )
    viewer = await client.acting_as("VIEWER", unit="330302")
    introspect = "{ __schema { queryType { name } } }"
    refused = await viewer.execute(introspect)
    assert refused.errors[0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    assert (await client.execute(introspect)).data["__schema"]["queryType"]["name"] == "Query"
    anonymous = await client.http.post("/graphql", json={"query": introspect})
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    ide = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert "graphiql" not in ide.text.lower()


async def test_plugin_activations_outside_the_subtree_are_not_listed(client, yixian_client_as):
    """An activation in 瓯海区 is listed to 瓯海's viewer, not to 鹿城's."""
    await arrange(client)
    activated = await client.execute("""mutation { activatePlugin(input: {
      plugin: "lucheng.four_visits", unitCode: "330304101"}) { errors { code } } }""")
    assert activated.data["activatePlugin"]["errors"] == []
    listed = "{ pluginActivations { plugin unit { code } } }"
    lucheng = await yixian_client_as("VIEWER", unit="330302")
    assert (await lucheng.execute(listed)).data == {"pluginActivations": []}
    ouhai = await yixian_client_as("VIEWER", unit="330304")
    assert (await ouhai.execute(listed)).data["pluginActivations"] == [
        {"plugin": "lucheng.four_visits", "unit": {"code": "330304101"}}
    ]
