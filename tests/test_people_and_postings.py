"""People and postings: records, the posting lifecycle, and refusals of bad input."""

import asyncio

from sqlalchemy import func, select

from core.postings.models import Posting
from tests.factories import START_POSTING, create_person, create_tree, start_posting

PERSON = """
query($id: ID!) {
  person(id: $id) {
    name gender birthYear politicalStatus rank homePost phone idNumber tags
    homeUnit { code }
    postings { status role title hostUnit { code } initiative { code } }
  }
}"""

END_POSTING = """
mutation($input: EndPostingInput!) {
  endPosting(input: $input) {
    posting { status endDate recallReason } errors { code field message }
  }
}"""

UPDATE_PERSON = """
mutation($input: UpdatePersonInput!) {
  updatePerson(input: $input) { person { name phone homeUnit { code } } errors { code field } }
}"""

POSTINGS = """
query($filter: PostingFilter) {
  postings(filter: $filter, first: 50) { totalCount edges { node { person { name } status } } }
}"""


async def test_a_person_is_created_with_their_record(client):
    """Every field of the record comes back as given."""
    await create_tree(client)
    person = await create_person(
        client,
        name="郑国峰",
        gender="MALE",
        birthYear=1985,
        politicalStatus="CPC_MEMBER",
        rank="SECTION_DEPUTY",
        homeUnitCode="330302101",
        homePost="党委委员",
        phone="13800005678",
        idNumber="33030219850101123x",
        tags=["后备干部", "后备干部", "返乡"],
    )
    result = await client.execute(PERSON, id=person["id"])
    assert result.data["person"] == {
        "name": "郑国峰",
        "gender": "MALE",
        "birthYear": 1985,
        "politicalStatus": "CPC_MEMBER",
        "rank": "SECTION_DEPUTY",
        "homePost": "党委委员",
        "phone": "13800005678",
        "idNumber": "33030219850101123X",
        "tags": ["后备干部", "返乡"],
        "homeUnit": {"code": "330302101"},
        "postings": [],
    }


async def test_updating_a_person_changes_only_what_is_given(client):
    """Omitted fields stay; a null clears an optional one."""
    await create_tree(client)
    person = await create_person(client, name="李四", phone="13900001111", homeUnitCode="330302")
    result = await client.execute(UPDATE_PERSON, input={"id": person["id"], "phone": None})
    assert result.data["updatePerson"] == {
        "person": {"name": "李四", "phone": None, "homeUnit": {"code": "330302"}},
        "errors": [],
    }


async def test_bad_person_input_is_refused_with_the_field(client):
    """A malformed ID number, a birth year in the future, an unknown home unit."""
    cases = [
        ({"name": "x", "idNumber": "123"}, "INVALID", "idNumber"),
        ({"name": "x", "birthYear": 3000}, "INVALID", "birthYear"),
        ({"name": "x", "homeUnitCode": "000"}, "NOT_FOUND", "homeUnitCode"),
        ({"name": ""}, "REQUIRED", "name"),
    ]
    for given, code, field in cases:
        result = await client.execute(
            "mutation($i: CreatePersonInput!){ createPerson(input: $i){ person{id} "
            "errors{code field} } }",
            i=given,
        )
        assert result.data["createPerson"] == {
            "person": None,
            "errors": [{"code": code, "field": field}],
        }


async def test_a_posting_runs_from_start_to_recall(client):
    """Started ACTIVE, recalled with a reason; the person's history shows it."""
    await create_tree(client)
    person = await create_person(client, name="王五")
    started = await start_posting(
        client,
        personId=person["id"],
        hostUnitCode="330302101001",
        role="FIRST_SECRETARY",
        title="驻村第一书记",
    )
    assert started["errors"] == []
    assert started["posting"]["status"] == "ACTIVE"
    ended = await client.execute(
        END_POSTING,
        input={
            "id": started["posting"]["id"],
            "outcome": "RECALLED",
            "endDate": "2020-09-01",
            "recallReason": "工作不力",
        },
    )
    assert ended.data["endPosting"] == {
        "posting": {"status": "RECALLED", "endDate": "2020-09-01", "recallReason": "工作不力"},
        "errors": [],
    }
    history = await client.execute(PERSON, id=person["id"])
    assert history.data["person"]["postings"] == [
        {
            "status": "RECALLED",
            "role": "FIRST_SECRETARY",
            "title": "驻村第一书记",
            "hostUnit": {"code": "330302101001"},
            "initiative": None,
        }
    ]


async def test_a_posting_starting_later_is_planned(client):
    await create_tree(client)
    person = await create_person(client)
    started = await start_posting(
        client, personId=person["id"], hostUnitCode="330302", startDate="2999-01-01"
    )
    assert started["posting"]["status"] == "PLANNED"


async def test_bad_postings_are_refused_and_write_nothing(client, sessionmaker):
    """End before start, unknown unit, unknown person, recall without a reason."""
    await create_tree(client)
    person = await create_person(client)
    cases = [
        (
            {"hostUnitCode": "330302", "startDate": "2020-05-01", "endDate": "2020-04-01"},
            "DATE_ORDER",
            "endDate",
        ),
        ({"hostUnitCode": "nope"}, "NOT_FOUND", "hostUnitCode"),
        ({"hostUnitCode": "330302", "personId": "UGVyc29uOjk5OTk="}, "NOT_FOUND", "personId"),
        ({"hostUnitCode": "330302", "personId": "garbage"}, "NOT_FOUND", "personId"),
    ]
    for given, code, field in cases:
        values = {"personId": person["id"], "role": "GUIDE", "startDate": "2020-04-01", **given}
        payload = (await client.execute(START_POSTING, input=values)).data["startPosting"]
        assert payload["posting"] is None
        assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)], given
    started = await start_posting(client, personId=person["id"], hostUnitCode="330302")
    recall = await client.execute(
        END_POSTING,
        input={"id": started["posting"]["id"], "outcome": "RECALLED", "endDate": "2020-09-01"},
    )
    assert recall.data["endPosting"]["errors"][0]["code"] == "REQUIRED"
    async with sessionmaker() as session:
        assert (await session.execute(select(func.count(Posting.id)))).scalar_one() == 1
        status = (await session.execute(select(Posting.status))).scalar_one()
        assert status.value == "ACTIVE"


async def test_a_second_active_posting_in_the_same_role_is_a_conflict(client):
    """The same person, unit and role cannot be ACTIVE twice; another role can."""
    await create_tree(client)
    person = await create_person(client)
    first = await start_posting(client, personId=person["id"], hostUnitCode="330302")
    assert first["errors"] == []
    second = await start_posting(client, personId=person["id"], hostUnitCode="330302")
    assert second["errors"][0]["code"] == "CONFLICT"
    other_role = await start_posting(
        client, personId=person["id"], hostUnitCode="330302", role="GUIDE"
    )
    assert other_role["errors"] == []


async def test_concurrent_duplicate_postings_give_one_posting_and_one_conflict(client):
    """Ten racing requests for the same ACTIVE posting: exactly one wins, the rest are CONFLICT."""
    await create_tree(client)
    person = await create_person(client)
    results = await asyncio.gather(
        *[start_posting(client, personId=person["id"], hostUnitCode="330302101") for _ in range(10)]
    )
    winners = [r for r in results if r["errors"] == []]
    assert len(winners) == 1
    assert all(r["errors"][0]["code"] == "CONFLICT" for r in results if r["errors"])
    listed = await client.execute(POSTINGS, filter={"underUnit": "330302101"})
    assert listed.data["postings"]["totalCount"] == 1


async def test_postings_filter_by_subtree_and_status(client):
    """Postings under a district, and only the ACTIVE ones."""
    await create_tree(client)
    a = await create_person(client, name="甲")
    b = await create_person(client, name="乙")
    await start_posting(client, personId=a["id"], hostUnitCode="330302101001")
    done = await start_posting(client, personId=b["id"], hostUnitCode="330302101")
    await start_posting(client, personId=b["id"], hostUnitCode="330304101")
    await client.execute(
        END_POSTING,
        input={"id": done["posting"]["id"], "outcome": "COMPLETED", "endDate": "2020-12-31"},
    )
    under = await client.execute(POSTINGS, filter={"underUnit": "330302"})
    assert under.data["postings"]["totalCount"] == 2
    active = await client.execute(POSTINGS, filter={"underUnit": "330302", "status": "ACTIVE"})
    assert [e["node"]["person"]["name"] for e in active.data["postings"]["edges"]] == ["甲"]
