"""Who reads a saved query (issue 11, item 4): its owner, admins, readers whose scope covers the
owner's scope when saving, and everyone when shared. Anyone else finds nothing, on every channel:
the list, the query by name (and its versions), a run, the HTTP export and the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.factories import create_person, create_tree
from tests.test_saved_queries import RUN, SAVE

YIXIAN = str(Path(sys.executable).parent / "yixian")
#: A city auditor's question, naming a district and a person.
SECRET = {
    "name": "lucheng-zheng",
    "title": "鹿城区 郑国峰 专项核查",
    "description": "核查郑国峰在鹿城区的挂职",
    "document": 'query { people(filter: {underUnit: "330302", search: "郑国峰"}) { totalCount } }',
}
LIST = "{ savedQueries { name title description document } }"
BY_NAME = """query($name: String!, $version: Int) { savedQuery(name: $name, version: $version) {
  name version title shared versions { version } } }"""


async def answers(client, name: str, cli: bool = True) -> dict:
    """What ``client`` learns of ``name`` on every channel (the command line is slow to start:
    ``cli=False`` leaves it out)."""
    listed = await client.execute(LIST)
    read = await client.execute(BY_NAME, name=name)
    first = await client.execute(BY_NAME, name=name, version=1)
    run = await client.execute(RUN, name=name, variables={})
    http = await client.http.get(f"/queries/{name}.json", headers=client.headers)
    command = (
        subprocess.run(
            [YIXIAN, "query", "run", name],
            env={
                "YIXIAN_DATABASE_URL": str(client.app.state.settings.database_url),
                "YIXIAN_TOKEN": client.headers["Authorization"].split()[1],
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        if cli
        else None
    )
    return {
        "listed": [q["name"] for q in listed.data["savedQueries"]],
        "listed_text": repr(listed.data),
        "read": read.data["savedQuery"],
        "first": first.data["savedQuery"],
        "run": run.data["runSavedQuery"]["errors"],
        "http": (http.status_code, http.json()["errors"] if http.status_code != 200 else None),
        "cli": command
        and (command.returncode, command.stderr.strip().splitlines()[-1] if command.stderr else ""),
    }


def missing(seen: dict, name: str) -> None:
    """The answers for a saved query that does not exist."""
    assert name not in seen["listed"]
    assert "郑国峰" not in seen["listed_text"] and "鹿城区" not in seen["listed_text"]
    assert seen["read"] is None and seen["first"] is None
    assert seen["run"] == [
        {"code": "NOT_FOUND", "field": "name", "message": f"no saved query {name!r}"}
    ]
    assert seen["http"] == (
        404,
        [
            {
                "message": f"no saved query {name!r}",
                "extensions": {"code": "NOT_FOUND", "field": "name"},
            }
        ],
    )
    assert seen["cli"] in (None, (1, f"NOT_FOUND: no saved query {name!r}"))


def present(seen: dict, name: str) -> None:
    assert name in seen["listed"]
    assert seen["read"]["name"] == name and seen["first"]["version"] == 1
    assert seen["run"] == []
    assert seen["http"] == (200, None)
    assert seen["cli"] is None or seen["cli"][0] == 0, seen["cli"]


async def save(client, **values) -> dict:
    result = await client.execute(SAVE, input=values)
    assert result.errors is None, result.errors
    return result.data["saveQuery"]


async def test_a_city_auditors_query_is_not_seen_by_a_districts_reader(client, yixian_client_as):
    await create_tree(client)
    await create_person(client, name="郑国峰", homeUnitCode="330302101")
    city = await yixian_client_as("AUDITOR", unit="330300", name="市审计员")
    assert (await save(city, **SECRET))["errors"] == []
    # a name that was never saved answers the same as the city's query does below
    missing(await answers(await yixian_client_as("AUDITOR", unit="330304"), "no-such"), "no-such")
    for role, unit in [
        ("AUDITOR", "330304"),  # another district's auditor
        ("AUDITOR", "330302"),  # even the district the query names: the city's scope is wider
        ("VIEWER", "330304"),
        ("OPERATOR", "330304"),
    ]:
        reader = await yixian_client_as(role, unit=unit)
        seen = await answers(reader, SECRET["name"], cli=unit == "330304" and role == "AUDITOR")
        missing(seen, SECRET["name"])
    # its owner, another auditor of the city, and an admin read and run it
    present(await answers(city, SECRET["name"]), SECRET["name"])
    for reader in (await yixian_client_as("AUDITOR", unit="330300"), client):
        present(await answers(reader, SECRET["name"], cli=False), SECRET["name"])


async def test_a_districts_query_is_read_in_that_district_and_above(client, yixian_client_as):
    await create_tree(client)
    owner = await yixian_client_as("AUDITOR", unit="330302", name="鹿城审计员")
    assert (await save(owner, **SECRET))["errors"] == []
    for unit in ("330302", "330300"):  # a colleague of the district, the city's auditor
        reader = await yixian_client_as("AUDITOR", unit=unit)
        present(await answers(reader, SECRET["name"], cli=False), SECRET["name"])
    sibling = await yixian_client_as("AUDITOR", unit="330304")
    missing(await answers(sibling, SECRET["name"], cli=False), SECRET["name"])
    # nor can the sibling learn who owns it by trying to save over it
    taken = await save(sibling, name=SECRET["name"], title="x", document="{ units { totalCount } }")
    assert taken["errors"] == [
        {
            "code": "INVALID",
            "field": "name",
            "message": f"the name {SECRET['name']} is taken; save yours under another name",
        }
    ]


async def test_sharing_shows_a_query_to_everyone_its_roles_allow(client, yixian_client_as):
    """An admin's query is private until shared; a shared version is listed to every auditor,
    the earlier unshared version stays scoped; viewers still cannot run an auditors' query."""
    await create_tree(client)
    assert (await save(client, **SECRET))["errors"] == []
    sibling = await yixian_client_as("AUDITOR", unit="330304")
    missing(await answers(sibling, SECRET["name"], cli=False), SECRET["name"])
    shared = await save(client, **SECRET, shared=True)
    assert shared["errors"] == [] and shared["query"]["version"] == 2
    seen = await answers(sibling, SECRET["name"])
    assert SECRET["name"] in seen["listed"] and seen["run"] == [] and seen["cli"][0] == 0
    assert seen["read"]["version"] == 2 and seen["read"]["shared"] is True
    assert seen["read"]["versions"] == [{"version": 2}]  # version 1 was never shared
    assert seen["first"] is None
    edited = await save(client, **{**SECRET, "title": "v3"})  # unset: stays shared
    assert edited["errors"] == []
    assert (await sibling.execute(BY_NAME, name=SECRET["name"])).data["savedQuery"]["version"] == 3
    viewer = await yixian_client_as("VIEWER", unit="330304")
    assert SECRET["name"] not in [
        q["name"] for q in (await viewer.execute(LIST)).data["savedQueries"]
    ]


async def test_a_query_a_plugin_ships_is_shared(yixian_app):
    from core import SavedQuerySpec
    from tests.fake_plugins import make_plugin

    pack = make_plugin(
        "scope.pack",
        register_saved_queries=[
            SavedQuerySpec(
                name="scope.pack.units", title="单位数", document="{ units { totalCount } }"
            )
        ],
    )
    admin = await yixian_app(plugins=[pack])
    await create_tree(admin)
    district = await admin.acting_as("AUDITOR", unit="330304")
    try:
        read = await district.execute(BY_NAME, name="scope.pack.units")
        assert read.data["savedQuery"]["shared"] is True
        run = await district.execute(RUN, name="scope.pack.units", variables={})
        assert run.data["runSavedQuery"]["run"]["data"] == {"units": {"totalCount": 2}}
    finally:
        await district.aclose()
