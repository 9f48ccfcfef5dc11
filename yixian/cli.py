"""The ``yixian`` command line."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from core.errors import PluginError
from core.settings import MissingSecret, Settings
from yixian.cli_access import token_app
from yixian.cli_audit import audit_app, queries_app, query_app
from yixian.cli_import import register as register_import_commands

app = typer.Typer(
    help="yixian 一线: a GraphQL backend for cadres sent to the front line.", no_args_is_help=True
)
db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
seed_app = typer.Typer(help="Load data.", no_args_is_help=True)
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
plugins_app = typer.Typer(help="Installed plugins.", no_args_is_help=True)
plugin_app = typer.Typer(help="Write plugins.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(seed_app, name="seed")
app.add_typer(schema_app, name="schema")
app.add_typer(plugins_app, name="plugins")
app.add_typer(plugin_app, name="plugin")
app.add_typer(token_app, name="token")
app.add_typer(query_app, name="query")
app.add_typer(queries_app, name="queries")
app.add_typer(audit_app, name="audit")
register_import_commands(app)
console = Console()
errors = Console(stderr=True)


def _registry(settings: Settings, skip_broken: bool = False):
    from yixian.registry import create_registry

    try:
        return create_registry(settings, skip_broken=skip_broken or settings.skip_broken_plugins)
    except PluginError as exc:
        errors.print(f"[red]Plugin error:[/red] {exc}")
        errors.print("Fix or remove the plugin, or start with --skip-broken-plugins.")
        raise typer.Exit(2) from exc


async def _prepare(settings: Settings, registry, seed_if_empty: bool) -> None:
    from core.db import create_engine, create_sessionmaker
    from core.migrate import upgrade
    from core.seeding import database_is_empty, seed_demo

    await upgrade(settings.database_url, registry)
    if not seed_if_empty:
        return
    from core.access.bootstrap import first_admin_token

    engine = create_engine(settings.database_url)
    try:
        sessionmaker = create_sessionmaker(engine)
        if await database_is_empty(sessionmaker):
            counts = await seed_demo(sessionmaker, registry)
            console.print(f"Loaded the demo data: {sum(counts.values())} rows.")
        token = await first_admin_token(sessionmaker, settings.token_secret)
        if token is not None:
            console.print(
                "An admin was created for development. In GraphiQL, open Headers and paste:\n"
                f'  {{"Authorization": "Bearer {token}"}}\n'
                "(shown once; make more with `yixian token create`)",
                soft_wrap=True,
            )
    finally:
        await engine.dispose()


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes."),
    skip_broken_plugins: bool = typer.Option(
        False, help="Start without plugins that fail to load (listed by `yixian plugins list`)."
    ),
    prepare: bool = typer.Option(
        True,
        help="Migrate the database first and, in development, load the demo data into an "
        "empty database.",
    ),
) -> None:
    """Serve GraphQL at http://HOST:PORT/graphql (GraphiQL in development)."""
    import uvicorn

    settings = Settings()
    if skip_broken_plugins:
        os.environ["YIXIAN_SKIP_BROKEN_PLUGINS"] = "1"
        settings = Settings()
    try:
        settings.check_production()
    except MissingSecret as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    registry = _registry(settings)
    for broken in registry.broken:
        errors.print(f"[yellow]skipped broken plugin[/yellow] {broken.name}: {broken.error}")
    if prepare:
        asyncio.run(_prepare(settings, registry, seed_if_empty=not settings.is_production))
    console.print(f"yixian on http://{host}:{port}/graphql ({settings.env.value})")
    uvicorn.run("yixian.app:create_app", factory=True, host=host, port=port, workers=workers)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration of the core and the plugins (one transaction on PostgreSQL)."""
    settings = Settings()
    registry = _registry(settings)
    asyncio.run(_prepare(settings, registry, seed_if_empty=False))
    console.print("The database is up to date.")


@db_app.command("revision")
def db_revision(
    message: str = typer.Option(..., "-m", "--message"),
    branch: str = typer.Option("core", help="core, or the plugin key whose branch gets it."),
) -> None:
    """Autogenerate a migration from the models (for core and plugin developers)."""
    from core.migrate import revision

    settings = Settings()
    asyncio.run(revision(settings.database_url, _registry(settings), message, branch))


@seed_app.command("demo")
def seed_demo_command() -> None:
    """Load the demo data of the reports (idempotent: a second run adds nothing)."""
    from core.db import create_engine, create_sessionmaker
    from core.migrate import upgrade
    from core.seeding import seed_demo

    settings = Settings()
    registry = _registry(settings)

    async def run() -> dict[str, int]:
        await upgrade(settings.database_url, registry)
        engine = create_engine(settings.database_url)
        try:
            return await seed_demo(create_sessionmaker(engine), registry)
        finally:
            await engine.dispose()

    counts = asyncio.run(run())
    table = Table("kind", "created")
    for kind, n in counts.items():
        table.add_row(kind, str(n))
    console.print(table)


@schema_app.command("export")
def schema_export(
    out: Path = typer.Option(
        Path("schema/schema.graphql"), help="Where to write the SDL; '-' prints it."
    ),
) -> None:
    """Write the SDL of the live schema (core and enabled plugins)."""
    from schema.build import sdl
    from yixian.app import build_schema

    settings = Settings()
    text = sdl(build_schema(_registry(settings), settings).schema)
    if str(out) == "-":
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"Wrote {out}.")


@plugins_app.command("list")
def plugins_list(
    skip_broken_plugins: bool = typer.Option(True, help="List broken plugins instead of failing."),
) -> None:
    """Plugins found: key, version, localities, hooks, and whether each is enabled or broken."""
    settings = Settings()
    registry = _registry(settings, skip_broken=skip_broken_plugins)
    table = Table("key", "version", "localities", "hooks", "status", "origin")
    for plugin in registry.domain_plugins:
        table.add_row(
            plugin.key,
            plugin.info.version,
            ", ".join(plugin.info.localities),
            ", ".join(plugin.hooks),
            "enabled",
            plugin.origin,
        )
    for broken in registry.broken:
        table.add_row(broken.name, "", "", "", f"broken: {broken.error}", broken.origin)
    console.print(table)


@plugin_app.command("new")
def plugin_new(
    name: str = typer.Argument(
        ..., metavar="NAME", help="The plugin key, dotted lower-case: taishun.joint_review"
    ),
    locality: str = typer.Option(..., help="Code of the unit the plugin serves, e.g. 330329."),
    path: Path = typer.Option(Path("."), help="Folder to write the plugin distribution in."),
) -> None:
    """Write a plugin distribution (model, type, mutation, migration, test) whose test passes."""
    from rich.markup import escape

    from yixian.scaffold import ScaffoldError, scaffold

    try:
        target = scaffold(name, locality, path)
    except ScaffoldError as exc:
        errors.print(f"[red]Cannot write the plugin:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from exc
    console.print(f"Wrote {escape(str(target))}; its README.md says what next.", soft_wrap=True)


def _add_plugin_commands() -> None:
    """Let plugins add sub-commands (``register_commands``); a broken plugin adds none."""
    try:
        from yixian.registry import create_registry

        registry = create_registry(Settings(), skip_broken=True)
    except Exception:  # noqa: BLE001 - the core commands must work whatever plugins do
        return
    registry.call_each("register_commands", cli=app)


_add_plugin_commands()
