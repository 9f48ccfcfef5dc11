"""No N+1: nested fields load through DataLoaders, so statements do not grow with rows."""

from tests.factories import create_person, create_unit, start_posting

NESTED = """
{
  units(first: 100, filter: {kind: VILLAGE}) {
    edges { node {
      code
      parent { code }
      postings { title person { name homeUnit { code } postings { hostUnit { code } } } }
    } }
  }
}"""


async def villages_with_postings(client, count: int, start: int) -> None:
    for i in range(start, start + count):
        village = f"V{i:03d}"
        await create_unit(client, village, f"村{i}", "VILLAGE", "T")
        for j in range(2):
            person = await create_person(client, name=f"干部{i}-{j}", homeUnitCode="T")
            await start_posting(
                client, personId=person["id"], hostUnitCode=village, title=f"驻{village}"
            )


async def statements_for(client) -> tuple[int, int]:
    with client.count_statements() as counter:
        result = await client.execute(NESTED)
    assert result.errors is None, result.errors
    return counter.count, len(result.data["units"]["edges"])


async def test_nested_query_statement_count_does_not_grow_with_rows(client):
    """3 villages or 12, each with 2 postings: the same number of SQL statements."""
    # given
    await create_unit(client, "T", "镇", "TOWN", None)
    await villages_with_postings(client, 3, 0)
    # when
    few, rows_few = await statements_for(client)
    await villages_with_postings(client, 9, 3)
    many, rows_many = await statements_for(client)
    # then
    assert (rows_few, rows_many) == (3, 12)
    assert few == many
    # count and page (2), then one each for parents, postings, people, home units and their
    # postings, whatever the number of rows (authentication is left out: cached, and the same
    # for every operation)
    assert many == 7
