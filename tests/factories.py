"""Arranging test data through the GraphQL API itself."""

from __future__ import annotations

from typing import Any

CREATE_UNIT = """
mutation($input: CreateUnitInput!) {
  createUnit(input: $input) { unit { id code name } errors { code field message } }
}"""

CREATE_PERSON = """
mutation($input: CreatePersonInput!) {
  createPerson(input: $input) { person { id name } errors { code field message } }
}"""

START_POSTING = """
mutation($input: StartPostingInput!) {
  startPosting(input: $input) {
    posting { id status role } errors { code field message }
  }
}"""

#: A small tree: 浙江省 > 温州市 > {鹿城区 > 藤桥镇 > {A村, B村}, 瓯海区 > 娄桥街道}.
TREE = [
    ("330000", "浙江省", "PROVINCE", None),
    ("330300", "温州市", "CITY", "330000"),
    ("330302", "鹿城区", "DISTRICT", "330300"),
    ("330302101", "藤桥镇", "TOWN", "330302"),
    ("330302101001", "岙底村", "VILLAGE", "330302101"),
    ("330302101002", "下岙村", "VILLAGE", "330302101"),
    ("330304", "瓯海区", "DISTRICT", "330300"),
    ("330304101", "娄桥街道", "TOWN", "330304"),
]


async def create_unit(client: Any, code: str, name: str, kind: str, parent: str | None) -> dict:
    result = await client.execute(
        CREATE_UNIT, input={"code": code, "name": name, "kind": kind, "parentCode": parent}
    )
    assert result.errors is None, result.errors
    payload = result.data["createUnit"]
    assert payload["errors"] == [], payload["errors"]
    return payload["unit"]


async def create_tree(client: Any) -> dict[str, dict]:
    return {
        code: await create_unit(client, code, name, kind, parent)
        for code, name, kind, parent in TREE
    }


async def create_person(client: Any, **values: Any) -> dict:
    values.setdefault("name", "张三")
    result = await client.execute(CREATE_PERSON, input=values)
    assert result.errors is None, result.errors
    payload = result.data["createPerson"]
    assert payload["errors"] == [], payload["errors"]
    return payload["person"]


async def start_posting(client: Any, **values: Any) -> dict:
    values.setdefault("role", "RESIDENT_CADRE")
    values.setdefault("startDate", "2020-04-01")
    result = await client.execute(START_POSTING, input=values)
    assert result.errors is None, result.errors
    return result.data["startPosting"]
