"""The Relay contract: global IDs with node(id), connections with cursors and totalCount."""

from tests.factories import create_person, create_tree, start_posting

PAGE = """
query($first: Int, $after: String) {
  units(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { code } }
  }
}"""

NODE = """
query($id: ID!) {
  node(id: $id) {
    __typename id
    ... on Unit { code }
    ... on Person { name }
    ... on Posting { role person { name } }
  }
}"""


async def test_pages_follow_each_other_until_the_end(client):
    """Walking with first/after visits every unit once, in order, then stops."""
    await create_tree(client)
    seen, after = [], None
    while True:
        page = (await client.execute(PAGE, first=3, after=after)).data["units"]
        assert page["totalCount"] == 8
        seen += [e["node"]["code"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == 8 == len(set(seen))
    assert seen == sorted(seen)


async def test_a_page_larger_than_the_maximum_is_refused(client):
    result = await client.execute(PAGE, first=101)
    assert result.data is None
    assert result.errors[0]["extensions"] == {"code": "PAGE_SIZE", "field": "first"}


async def test_a_forged_cursor_is_refused(client):
    result = await client.execute(PAGE, first=2, after="not-a-cursor")
    assert result.errors[0]["extensions"] == {"code": "BAD_CURSOR", "field": "after"}


async def test_node_finds_each_type_by_its_global_id(client):
    await create_tree(client)
    unit = (await client.execute('{ unit(code: "330302") { id } }')).data["unit"]
    person = await create_person(client, name="赵六")
    posting = await start_posting(client, personId=person["id"], hostUnitCode="330302")
    assert (await client.execute(NODE, id=unit["id"])).data["node"] == {
        "__typename": "Unit",
        "id": unit["id"],
        "code": "330302",
    }
    assert (await client.execute(NODE, id=person["id"])).data["node"]["name"] == "赵六"
    found = (await client.execute(NODE, id=posting["posting"]["id"])).data["node"]
    assert found["person"] == {"name": "赵六"}


async def test_node_with_an_unknown_id_is_null(client):
    """An id of a missing row is null, like any missing object."""
    await create_tree(client)
    result = await client.execute(NODE, id="VW5pdDo5OTk5OQ==")  # Unit:99999
    assert result.data == {"node": None}


async def test_node_with_an_id_that_is_not_ours_is_null(client):
    """Empty, garbage, unknown type, non-numeric key: null, never an error."""
    for bad in ("", "bogus", "Rm9vOjE=", "VW5pdDphYmM="):  # Foo:1, Unit:abc
        result = await client.execute("query($id: ID!) { node(id: $id) { id } }", id=bad)
        assert result.data == {"node": None}, bad
        assert result.errors is None, bad
