"""The hooks that act outside GraphQL requests: saved queries, demo data, commands, migrations."""

from __future__ import annotations

import pytest
import strawberry
from sqlalchemy import func, select, text
from sqlalchemy import inspect as sa_inspect
from typer.testing import CliRunner

from core import SavedQuerySpec
from core.db import create_engine, create_sessionmaker
from core.errors import PluginError
from core.migrate import install_declarations
from core.saved_queries.models import SavedQuery
from core.seeding import seed_demo
from core.settings import Settings
from tests.fake_plugins import make_plugin
from yixian.registry import create_registry
from yixian.testkit import create_database, drop_database

RECALLS = "query { postings(filter: {status: RECALLED}) { totalCount } }"


def shipping(document: str, title: str = "Recalled postings"):
    return make_plugin(
        "audit.pack",
        register_saved_queries=[
            SavedQuerySpec(
                name="recalled-postings", title=title, document=document, tags=("postings",)
            )
        ],
    )


async def saved_versions(url: str) -> list[tuple[int, str, str | None]]:
    engine = create_engine(url)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.execute(
                select(SavedQuery.version, SavedQuery.title, SavedQuery.plugin_key).order_by(
                    SavedQuery.version
                )
            )
            return [tuple(r) for r in rows]
    finally:
        await engine.dispose()


async def test_shipped_saved_queries_are_installed_and_versioned(yixian_backend, tmp_path):
    """Installed on upgrade, marked with their plugin; a change adds a version, nothing else."""
    # given a database upgraded with a plugin shipping one saved query
    url = await create_database(
        yixian_backend,
        create_registry(Settings(), extra=[shipping(RECALLS)], discover=False),
        tmp_path,
    )
    try:
        assert await saved_versions(url) == [(1, "Recalled postings", "audit.pack")]
        # when upgrading again unchanged, then with a new title
        same = create_registry(Settings(), extra=[shipping(RECALLS)], discover=False)
        assert (await install_declarations(url, same))["saved queries"] == 0
        changed = create_registry(
            Settings(), extra=[shipping(RECALLS, "召回的派驻")], discover=False
        )
        assert (await install_declarations(url, changed))["saved queries"] == 1
        # then both versions are kept
        assert await saved_versions(url) == [
            (1, "Recalled postings", "audit.pack"),
            (2, "召回的派驻", "audit.pack"),
        ]
    finally:
        await drop_database(url)


async def test_a_saved_query_name_taken_by_another_plugin_is_refused(yixian_backend, tmp_path):
    url = await create_database(
        yixian_backend,
        create_registry(Settings(), extra=[shipping(RECALLS)], discover=False),
        tmp_path,
    )
    try:
        thief = make_plugin(
            "other.pack",
            register_saved_queries=[
                SavedQuerySpec(name="recalled-postings", title="x", document=RECALLS)
            ],
        )
        with pytest.raises(PluginError, match="belongs to audit.pack"):
            await install_declarations(
                url, create_registry(Settings(), extra=[thief], discover=False)
            )
    finally:
        await drop_database(url)


async def test_a_plugins_demo_data_is_loaded_after_the_core(
    yixian_database_url, yixian_default_registry
):
    """load_demo_data runs inside `yixian seed demo`, with the core's units already there."""
    from core.units.models import Unit

    seen = []

    async def load_demo_data(session):
        count = (await session.execute(select(func.count(Unit.id)))).scalar_one()
        seen.append(count)
        return {"teams": 0}

    registry = create_registry(
        Settings(), extra=[make_plugin("demo.pack", load_demo_data=load_demo_data)], discover=False
    )
    engine = create_engine(yixian_database_url)
    try:
        counts = await seed_demo(create_sessionmaker(engine), registry)
    finally:
        await engine.dispose()
    assert seen and seen[0] > 100
    assert counts["demo.pack: teams"] == 0


def test_a_plugin_adds_a_cli_command(monkeypatch):
    """register_commands receives the typer app; the command runs like a core one."""
    import typer

    def register_commands(cli: typer.Typer):
        @cli.command("hello-report")
        def hello_report():
            typer.echo("你好, 平阳")

    app = typer.Typer()
    registry = create_registry(
        Settings(),
        extra=[make_plugin("cli.pack", register_commands=register_commands)],
        discover=False,
    )
    registry.call_each("register_commands", cli=app)

    @app.command("noop")
    def noop():  # a second command, so that typer keeps sub-command names
        pass

    assert CliRunner().invoke(app, ["hello-report"]).output == "你好, 平阳\n"


async def test_register_types_adds_a_type_no_field_names(yixian_app):
    """A type only reachable through an interface still lands in the schema."""

    @strawberry.type(description="A greeting card.")
    class HelloCard:
        text: str

    client = await yixian_app(plugins=[make_plugin("types.pack", register_types=[HelloCard])])
    result = await client.execute('{ __type(name: "HelloCard") { name description } }')
    assert result.data["__type"] == {"name": "HelloCard", "description": "A greeting card."}


FAILING_MIGRATION = """
import sqlalchemy as sa
from alembic import op

revision = "failing_0001"
down_revision = None
branch_labels = ("failing.plugin",)
depends_on = "core_0001"


def upgrade():
    op.create_table("failing_plugin_first", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("SELECT no_such_function()")
"""


async def test_a_failing_plugin_migration_leaves_nothing_half_applied(yixian_backend, tmp_path):
    """On PostgreSQL the whole upgrade is one transaction: core and plugin tables roll back."""
    if yixian_backend != "postgresql":
        pytest.skip("SQLite commits DDL as it goes; the guarantee is PostgreSQL's")
    versions = tmp_path / "failing_versions"
    versions.mkdir()
    (versions / "failing_0001.py").write_text(FAILING_MIGRATION)
    plugin = make_plugin("failing.plugin", register_migrations=str(versions))
    registry = create_registry(Settings(), extra=[plugin], discover=False)
    from yixian.testkit import create_postgres_database

    url = await create_postgres_database()
    try:
        from core.migrate import upgrade

        with pytest.raises(Exception, match="no_such_function"):
            await upgrade(url, registry)
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                tables = await conn.run_sync(lambda c: sa_inspect(c).get_table_names())
                assert tables == []
                assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1
        finally:
            await engine.dispose()
    finally:
        await drop_database(url)
