"""The plugin system: discovery, composition, clashes, broken plugins, events, validation."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import strawberry
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text

from core import Problem
from core.errors import PluginError
from core.settings import Settings
from tests.factories import create_person, create_tree, start_posting
from tests.fake_plugins import make_plugin
from yixian.app import build_schema
from yixian.registry import create_registry

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "pingyang_volunteers"
SETTINGS = Settings(database_url="sqlite+aiosqlite://")

PLUGINS = "{ plugins { key version localities origin hooks } brokenPlugins { name error } }"

FORM_TEAM = """
mutation($unit: String!, $person: ID!) {
  formVolunteerTeam(input: {unitCode: $unit, name: "志愿服务队", formedOn: "2020-08-01",
                            members: [{personId: $person, duty: MEDIATION}]}) {
    team { name unit { code } } errors { code field message }
  }
}"""

PERSON_TEAMS = "query($id: ID!) { person(id: $id) { name volunteerTeams { name } } }"


@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> Path:
    """The example plugin installed by pip from its own directory (its pyproject, its entry
    point) into a folder of its own, as a district would install it next to yixian."""
    target = tmp_path_factory.mktemp("site-packages")
    source = tmp_path_factory.mktemp("source") / "pingyang_volunteers"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return target


@pytest.fixture
def with_example(example_site, monkeypatch):
    monkeypatch.syspath_prepend(str(example_site))
    importlib.invalidate_caches()
    return example_site


async def pingyang_tree(client):
    await client.execute("""mutation {
      a: createUnit(input: {code: "330326", name: "平阳县", kind: DISTRICT}) { errors { code } }
      b: createUnit(input: {code: "330326101", name: "昆阳镇", kind: TOWN, parentCode: "330326"})
        { errors { code } }
      c: createUnit(input: {code: "330302", name: "鹿城区", kind: DISTRICT}) { errors { code } }
    }""")


async def test_an_installed_plugin_is_found_through_its_entry_point(with_example, yixian_app):
    """The example plugin, installed from its own pyproject, appears in the one endpoint."""
    client = await yixian_app(discover=True)
    result = await client.execute(PLUGINS)
    plugin = next(p for p in result.data["plugins"] if p["key"] == "pingyang.volunteers")
    assert plugin["origin"].startswith("entry point pingyang_volunteers")
    assert plugin["localities"] == ["330326"]
    assert {"extend_core_types", "extend_query", "register_migrations"} <= set(plugin["hooks"])
    assert "pingyang_volunteers" in str(sys.modules["pingyang_volunteers"].__file__)
    assert str(with_example) in str(sys.modules["pingyang_volunteers"].__file__)


async def test_the_plugin_adds_a_mutation_a_query_and_a_person_field(with_example, yixian_app):
    """Form a team in 平阳县; the member's Person shows it; the root field lists it."""
    client = await yixian_app(discover=True)
    await pingyang_tree(client)
    person = await create_person(client, name="叶来旺")
    formed = await client.execute(FORM_TEAM, unit="330326101", person=person["id"])
    assert formed.data["formVolunteerTeam"] == {
        "team": {"name": "志愿服务队", "unit": {"code": "330326101"}},
        "errors": [],
    }
    shown = await client.execute(PERSON_TEAMS, id=person["id"])
    assert shown.data["person"] == {"name": "叶来旺", "volunteerTeams": [{"name": "志愿服务队"}]}
    listed = await client.execute('{ volunteerTeams(underUnit: "330326") { name } }')
    assert listed.data["volunteerTeams"] == [{"name": "志愿服务队"}]


async def test_the_plugin_tables_come_from_its_own_migration(with_example, yixian_app):
    """Its tables exist and Alembic records the plugin's branch head."""
    client = await yixian_app(discover=True)
    engine = client.app.state.engine
    async with engine.connect() as conn:
        tables = await conn.run_sync(lambda c: sa_inspect(c).get_table_names())
        heads = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars()
        heads = set(heads)
    assert {"pingyang_volunteers_team", "pingyang_volunteers_member"} <= set(tables)
    assert "pingyang_0001" in heads  # which depends on core_0001


async def test_outside_its_localities_the_plugin_refuses_until_activated(with_example, yixian_app):
    """鹿城区 is not 平阳县: PLUGIN_NOT_ACTIVE naming plugin and unit, until an admin activates."""
    client = await yixian_app(discover=True)
    await pingyang_tree(client)
    person = await create_person(client)
    refused = await client.execute(FORM_TEAM, unit="330302", person=person["id"])
    error = refused.data["formVolunteerTeam"]["errors"][0]
    assert error["code"] == "PLUGIN_NOT_ACTIVE"
    assert "pingyang.volunteers" in error["message"] and "330302" in error["message"]
    activated = await client.execute("""mutation {
      activatePlugin(input: {plugin: "pingyang.volunteers", unitCode: "330302"}) {
        activation { plugin active unit { code } } errors { code } } }""")
    assert activated.data["activatePlugin"]["activation"] == {
        "plugin": "pingyang.volunteers",
        "active": True,
        "unit": {"code": "330302"},
    }
    accepted = await client.execute(FORM_TEAM, unit="330302", person=person["id"])
    assert accepted.data["formVolunteerTeam"]["errors"] == []
    listed = await client.execute("{ pluginActivations { plugin active unit { code } } }")
    assert listed.data["pluginActivations"] == [
        {"plugin": "pingyang.volunteers", "active": True, "unit": {"code": "330302"}}
    ]
    await client.execute("""mutation { activatePlugin(input: {plugin: "pingyang.volunteers",
      unitCode: "330326101", active: false}) { errors { code } } }""")
    off = await client.execute(FORM_TEAM, unit="330326101", person=person["id"])
    assert off.data["formVolunteerTeam"]["errors"][0]["code"] == "PLUGIN_NOT_ACTIVE"


def test_yixian_plugins_restricts_what_is_enabled(with_example):
    only_core = create_registry(
        Settings(database_url="sqlite+aiosqlite://", plugins="core"), skip_broken=True
    )
    assert "pingyang.volunteers" not in only_core.plugins
    enabled = create_registry(
        Settings(database_url="sqlite+aiosqlite://", plugins="pingyang.volunteers")
    )
    assert "pingyang.volunteers" in enabled.plugins


def test_enabling_an_unknown_plugin_fails_naming_it():
    with pytest.raises(PluginError, match="nowhere.plugin"):
        create_registry(
            Settings(database_url="sqlite+aiosqlite://", plugins="nowhere.plugin"), discover=False
        )


# --- clashes -------------------------------------------------------------------------------------


@strawberry.type
class HelloQuery:
    @strawberry.field
    def hello(self) -> str:
        return "你好"


@strawberry.type
class PersonHello:
    @strawberry.field
    def greeting(self) -> str:
        return "你好"


def compose_with(*plugins):
    registry = create_registry(SETTINGS, extra=plugins, discover=False)
    return build_schema(registry, SETTINGS)


@pytest.mark.parametrize(
    ("hook", "value", "clash"),
    [
        ("extend_query", HelloQuery, "Query.hello"),
        ("extend_core_types", {"Person": PersonHello}, "Person.greeting"),
        ("register_error_codes", {"HELLO_BAD": "x"}, "ErrorCode.HELLO_BAD"),
    ],
)
def test_two_plugins_defining_one_name_fail_startup_naming_both(hook, value, clash):
    first = make_plugin("one.first", **{hook: value})
    second = make_plugin("two.second", **{hook: value})
    with pytest.raises(PluginError) as failure:
        compose_with(first, second)
    message = str(failure.value)
    assert "one.first" in message and "two.second" in message and clash in message


def test_a_plugin_field_clashing_with_a_core_field_names_the_core():
    @strawberry.type
    class Units:
        @strawberry.field
        def units(self) -> int:
            return 1

    with pytest.raises(PluginError, match=r"core.graphql and bad.units both define Query.units"):
        compose_with(make_plugin("bad.units", extend_query=Units))


def test_two_plugins_defining_the_same_type_name_fail_naming_both():
    def team_type():
        @strawberry.type(name="Team")
        class Team:
            name: str

        @strawberry.type
        class Query:
            @strawberry.field
            def team(self) -> Team | None:
                return None

        return Team, Query

    team_a, query_a = team_type()
    team_b, query_b = team_type()
    query_b = strawberry.type(
        type(
            "OtherQuery",
            (),
            {
                "__annotations__": {},
                "other_team": strawberry.field(resolver=lambda: None, graphql_type=team_b | None),
            },
        )
    )
    with pytest.raises(PluginError, match="Team"):
        compose_with(
            make_plugin("a.teams", extend_query=query_a, register_types=[team_a]),
            make_plugin("b.teams", extend_query=query_b, register_types=[team_b]),
        )


# --- broken plugins -------------------------------------------------------------------------------


def broken_module(tmp_path: Path, monkeypatch) -> str:
    package = tmp_path / "broken_plugin_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("raise RuntimeError('the plugin cannot start')\n")
    dist = tmp_path / "broken_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[yixian.plugins]\nbroken = broken_plugin_pkg\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    return "broken_plugin_pkg"


def test_a_plugin_that_fails_to_import_stops_startup_naming_it(tmp_path, monkeypatch):
    broken_module(tmp_path, monkeypatch)
    with pytest.raises(PluginError) as failure:
        create_registry(SETTINGS)
    assert "broken_plugin_pkg" in str(failure.value)
    assert "the plugin cannot start" in str(failure.value)


async def test_skip_broken_plugins_starts_and_reports_it(tmp_path, monkeypatch, yixian_backend):
    broken_module(tmp_path, monkeypatch)
    registry = create_registry(SETTINGS, skip_broken=True)
    from yixian.testkit import admin_client, create_database, drop_database, make_app

    url = await create_database(yixian_backend, registry, tmp_path)
    client = await admin_client(make_app(url, registry))
    try:
        result = await client.execute(PLUGINS)
    finally:
        await client.aclose()
        await drop_database(url)
    assert result.data["brokenPlugins"][0]["name"] == "broken_plugin_pkg"
    assert "RuntimeError: the plugin cannot start" in result.data["brokenPlugins"][0]["error"]


def test_the_cli_lists_a_broken_plugin(tmp_path, monkeypatch):
    broken_module(tmp_path, monkeypatch)
    from typer.testing import CliRunner

    from yixian.cli import app

    output = CliRunner().invoke(app, ["plugins", "list"], env={"COLUMNS": "300"}).output
    assert "broken_plugin_pkg" in output and "broken" in output


def test_a_plugin_outside_its_yixian_range_is_refused_saying_what_it_needs():
    old = make_plugin("old.scheme", requires=">=0.0.1,<0.1")
    with pytest.raises(PluginError, match=r"old.scheme 1.0 needs yixian >=0.0.1,<0.1"):
        create_registry(SETTINGS, extra=[old], discover=False)


def test_a_table_without_the_plugin_prefix_is_refused():
    from sqlalchemy import Column, Integer, MetaData, Table

    class Model:
        __table__ = Table("visits", MetaData(), Column("id", Integer, primary_key=True))

    bad = make_plugin("lucheng.four_visits", register_models=[Model])
    with pytest.raises(PluginError, match="must start with 'lucheng_four_visits_'"):
        create_registry(SETTINGS, extra=[bad], discover=False)


# --- behaviour ---------------------------------------------------------------------------------


async def test_a_failing_event_handler_leaves_the_commit_and_is_recorded(yixian_app):
    """person.created reaches every plugin; one raising is recorded, the person stays."""
    heard = []

    def on_event(event):
        heard.append(event.name)
        raise ValueError("boom")

    client = await yixian_app(plugins=[make_plugin("noisy.listener", on_event=on_event)])
    person = await create_person(client, name="钱七")
    assert heard == ["person.created"]
    found = await client.execute(PERSON_NAME, id=person["id"])
    assert found.data["person"] == {"name": "钱七"}
    failures = await client.execute("{ pluginFailures { plugin event error } }")
    assert failures.data["pluginFailures"] == [
        {"plugin": "noisy.listener", "event": "person.created", "error": "ValueError: boom"}
    ]


PERSON_NAME = "query($id: ID!) { person(id: $id) { name } }"


async def test_a_plugin_can_refuse_a_core_posting(yixian_app):
    """validate_command: a plugin refuses postings of FIRST_SECRETARY to towns; nothing written."""

    def validate_command(command, data):
        if command == "startPosting" and data["role"].value == "FIRST_SECRETARY":
            return [
                Problem("STRICT_TOWN_ONLY_VILLAGES", "first secretaries go to villages", "role")
            ]
        return None

    strict = make_plugin(
        "strict.rules",
        validate_command=validate_command,
        register_error_codes={"STRICT_TOWN_ONLY_VILLAGES": "Villages only."},
    )
    client = await yixian_app(plugins=[strict])
    await create_tree(client)
    person = await create_person(client)
    refused = await start_posting(
        client, personId=person["id"], hostUnitCode="330302101", role="FIRST_SECRETARY"
    )
    assert refused == {
        "posting": None,
        "errors": [
            {
                "code": "STRICT_TOWN_ONLY_VILLAGES",
                "field": "role",
                "message": "first secretaries go to villages",
            }
        ],
    }
    count = await client.execute("{ postings { totalCount } }")
    assert count.data["postings"]["totalCount"] == 0


async def test_an_unexpected_plugin_error_is_masked(yixian_app):
    """A resolver that raises gives a generic message: no stack trace, no exception text."""

    @strawberry.type
    class Crash:
        @strawberry.field
        def crash(self) -> str:
            raise RuntimeError("SELECT secret FROM table")

    client = await yixian_app(plugins=[make_plugin("crashy.plugin", extend_query=Crash)])
    result = await client.execute("{ crash }")
    assert result.status_code == 200
    assert result.errors[0]["message"] == "Unexpected error."
    assert "SELECT" not in str(result.json) and "Traceback" not in str(result.json)


# --- settings per locality -----------------------------------------------------------------------


class ReviewSettings:  # the pydantic model is made in the test to keep imports local
    pass


SETTINGS_AT = """
query($unit: String!) {
  pluginSettings(plugin: "tuned.scheme", unitCode: $unit) { name value source setAt { code } }
}"""

SET = """
mutation($unit: String!, $name: String!, $value: JSON!) {
  setPluginSetting(input: {plugin: "tuned.scheme", unitCode: $unit, name: $name, value: $value}) {
    setting { name value } errors { code field message }
  }
}"""


async def test_settings_follow_the_nearest_ancestor_and_are_validated(yixian_app):
    from pydantic import BaseModel, Field

    class Tuned(BaseModel):
        pass_mark: float = Field(80, ge=0, le=100, description="及格线")
        deadline_hours: int = Field(60, gt=0)

    client = await yixian_app(plugins=[make_plugin("tuned.scheme", register_settings=Tuned)])
    await create_tree(client)
    # given a pass mark set for the district
    ok = await client.execute(SET, unit="330302", name="pass_mark", value=75)
    assert ok.data["setPluginSetting"]["errors"] == []
    # when read at a village below it
    at_village = await client.execute(SETTINGS_AT, unit="330302101001")
    # then the district's value is in force there, the other setting is the default
    assert at_village.data["pluginSettings"] == [
        {"name": "pass_mark", "value": 75.0, "source": "SET", "setAt": {"code": "330302"}},
        {"name": "deadline_hours", "value": 60, "source": "DEFAULT", "setAt": None},
    ]
    # a nearer setting wins
    await client.execute(SET, unit="330302101", name="pass_mark", value=85)
    nearer = await client.execute(SETTINGS_AT, unit="330302101001")
    assert nearer.data["pluginSettings"][0]["value"] == 85.0
    sibling = await client.execute(SETTINGS_AT, unit="330304")
    assert sibling.data["pluginSettings"][0]["source"] == "DEFAULT"
    # bad values are refused with the field
    for name, value, code in [
        ("pass_mark", 101, "INVALID"),
        ("pass_mark", "high", "INVALID"),
        ("nope", 1, "NOT_FOUND"),
    ]:
        bad = await client.execute(SET, unit="330302", name=name, value=value)
        assert bad.data["setPluginSetting"]["errors"][0]["code"] == code, (name, value)
    history = await client.execute(
        '{ pluginSettingChanges(plugin: "tuned.scheme") { name oldValue newValue unit { code } } }'
    )
    assert history.data["pluginSettingChanges"] == [
        {"name": "pass_mark", "oldValue": None, "newValue": 85.0, "unit": {"code": "330302101"}},
        {"name": "pass_mark", "oldValue": None, "newValue": 75.0, "unit": {"code": "330302"}},
    ]
