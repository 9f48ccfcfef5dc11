"""Units: the tree, its subtree filter, moves and the refusals of bad input."""

from sqlalchemy import func, select

from core.units.models import Unit, UnitTree
from tests.factories import CREATE_UNIT, create_tree, create_unit

UNIT = """
query($code: String!) {
  unit(code: $code) {
    code name kind depth
    parent { code }
    children { code }
    ancestors { code }
  }
}"""

UNITS_UNDER = """
query($under: String!, $kind: UnitKind) {
  units(filter: {underUnit: $under, kind: $kind}, first: 100) {
    totalCount edges { node { code } }
  }
}"""

UPDATE_UNIT = """
mutation($input: UpdateUnitInput!) {
  updateUnit(input: $input) { unit { code depth parent { code } } errors { code field message } }
}"""


async def test_a_unit_knows_its_place_in_the_tree(client):
    """A town shows its parent, children and the ancestors from the root down."""
    # given
    await create_tree(client)
    # when
    result = await client.execute(UNIT, code="330302101")
    # then
    assert result.errors is None
    assert result.data["unit"] == {
        "code": "330302101",
        "name": "藤桥镇",
        "kind": "TOWN",
        "depth": 3,
        "parent": {"code": "330302"},
        "children": [{"code": "330302101001"}, {"code": "330302101002"}],
        "ancestors": [{"code": "330000"}, {"code": "330300"}, {"code": "330302"}],
    }


async def test_units_under_a_district_are_its_whole_subtree(client):
    """underUnit gives the unit and everything below it, nothing from a sibling district."""
    await create_tree(client)
    result = await client.execute(UNITS_UNDER, under="330302")
    codes = [e["node"]["code"] for e in result.data["units"]["edges"]]
    assert codes == ["330302", "330302101", "330302101001", "330302101002"]
    assert result.data["units"]["totalCount"] == 4


async def test_subtree_filter_combines_with_kind(client):
    """Villages under the city: only villages, from every district."""
    await create_tree(client)
    result = await client.execute(UNITS_UNDER, under="330300", kind="VILLAGE")
    assert result.data["units"]["totalCount"] == 2


async def test_an_unknown_unit_code_in_a_filter_is_a_typed_error(client):
    """A filter naming no unit answers with code NOT_FOUND and the field, not an empty list."""
    result = await client.execute(UNITS_UNDER, under="999999")
    assert result.data is None
    assert result.errors[0]["extensions"] == {"code": "NOT_FOUND", "field": "filter.underUnit"}


async def test_moving_a_unit_moves_its_subtree(client, sessionmaker):
    """A town moved to another district takes its villages along; depths and closure follow."""
    await create_tree(client)
    # when 藤桥镇 moves under 瓯海区
    result = await client.execute(UPDATE_UNIT, input={"code": "330302101", "parentCode": "330304"})
    # then
    assert result.data["updateUnit"]["errors"] == []
    assert result.data["updateUnit"]["unit"]["parent"] == {"code": "330304"}
    under_ouhai = await client.execute(UNITS_UNDER, under="330304")
    assert under_ouhai.data["units"]["totalCount"] == 5
    under_lucheng = await client.execute(UNITS_UNDER, under="330302")
    assert under_lucheng.data["units"]["totalCount"] == 1
    village = await client.execute(UNIT, code="330302101001")
    assert village.data["unit"]["ancestors"] == [
        {"code": "330000"},
        {"code": "330300"},
        {"code": "330304"},
        {"code": "330302101"},
    ]
    async with sessionmaker() as session:
        # each unit is linked to itself and to each of its ancestors, no more
        pairs = (await session.execute(select(func.count()).select_from(UnitTree))).scalar_one()
        depths = dict((await session.execute(select(Unit.code, Unit.depth))).all())
        assert pairs == sum(depth + 1 for depth in depths.values()) == 27
        assert depths["330302101001"] == 4


async def test_a_unit_cannot_move_below_itself(client, sessionmaker):
    """Making a village the parent of its district is refused with CYCLE; nothing changes."""
    await create_tree(client)
    result = await client.execute(
        UPDATE_UNIT, input={"code": "330302", "parentCode": "330302101001"}
    )
    assert result.data["updateUnit"]["unit"] is None
    assert result.data["updateUnit"]["errors"][0]["code"] == "CYCLE"
    assert result.data["updateUnit"]["errors"][0]["field"] == "parentCode"
    async with sessionmaker() as session:
        parent = (
            await session.execute(select(Unit.parent_id).where(Unit.code == "330302"))
        ).scalar_one()
        city = (await session.execute(select(Unit.id).where(Unit.code == "330300"))).scalar_one()
        assert parent == city


async def test_bad_unit_input_gets_typed_errors_and_writes_nothing(client, sessionmaker):
    """Duplicate code, unknown parent and an empty name are each refused with code and field."""
    await create_unit(client, "330302", "鹿城区", "DISTRICT", None)
    cases = [
        ({"code": "330302", "name": "x", "kind": "TOWN"}, "DUPLICATE", "code"),
        (
            {"code": "1", "name": "x", "kind": "TOWN", "parentCode": "nope"},
            "NOT_FOUND",
            "parentCode",
        ),
        ({"code": "2", "name": "  ", "kind": "TOWN"}, "REQUIRED", "name"),
    ]
    for given, code, field in cases:
        result = await client.execute(CREATE_UNIT, input=given)
        assert result.errors is None
        error = result.data["createUnit"]["errors"][0]
        assert (error["code"], error["field"]) == (code, field), given
        assert error["message"]
    async with sessionmaker() as session:
        assert (await session.execute(select(func.count(Unit.id)))).scalar_one() == 1


async def test_an_unknown_enum_value_is_a_graphql_validation_error(client):
    """A kind outside UnitKind is refused by validation, naming the value, with no 500."""
    result = await client.execute(CREATE_UNIT, input={"code": "9", "name": "x", "kind": "PLANET"})
    assert result.status_code == 200
    assert result.data is None
    assert "PLANET" in result.errors[0]["message"]
