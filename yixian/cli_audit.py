"""``yixian query run``, ``yixian queries check`` and ``yixian audit …``."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import typer
from rich.console import Console

from core.settings import Settings

query_app = typer.Typer(help="Run a saved query.", no_args_is_help=True)
queries_app = typer.Typer(
    help="Saved queries: check them against the schema.", no_args_is_help=True
)
audit_app = typer.Typer(
    help="The audit trail: verify the chain, sign checkpoints.", no_args_is_help=True
)
console = Console(stderr=True)


def _app():
    from yixian.app import create_app

    return create_app(Settings())


@query_app.command("run")
def query_run(
    name: str = typer.Argument(..., help="The saved query's name."),
    var: list[str] = typer.Option([], "--var", help="A variable, k=v (repeat)."),
    version: int | None = typer.Option(None, help="A version; the latest by default."),
    fmt: str = typer.Option("json", "--format", help="json, csv or xlsx."),
    out: Path | None = typer.Option(None, "--out", help="Write here; standard output if not."),
    token: str | None = typer.Option(
        None, envvar="YIXIAN_TOKEN", help="Run as the holder of this token (or $YIXIAN_TOKEN)."
    ),
) -> None:
    """Run a saved query as a token's holder: the same result, scope and audit event as over
    GraphQL and HTTP."""
    from core.access.principal import InvalidToken, authenticate
    from core.access.roles import collect_roles
    from core.errors import DomainError
    from core.saved_queries.tabular import to_csv, to_xlsx
    from schema.saved_query_runs import run_saved_query

    if fmt not in ("json", "csv", "xlsx"):
        console.print("--format must be json, csv or xlsx")
        raise typer.Exit(2)
    if not token:
        console.print("give --token (or set YIXIAN_TOKEN): runs are made as someone")
        raise typer.Exit(2)
    variables = {}
    for item in var:
        key, sep, value = item.partition("=")
        if not sep:
            console.print(f"--var {item!r}: write it as name=value")
            raise typer.Exit(2)
        variables[key] = value

    async def run():
        app = _app()
        state = app.state
        try:
            async with state.sessionmaker() as session:
                principal = await authenticate(
                    session, token, state.settings.token_secret, collect_roles(state.registry)
                )
            return await run_saved_query(
                app_state=SimpleNamespace(
                    sessionmaker=state.sessionmaker,
                    registry=state.registry,
                    settings=state.settings,
                    schema=state.schema,
                ),
                principal=principal,
                name=name,
                version=version,
                variables=variables,
                channel="cli",
                text_variables=True,
            )
        finally:
            await state.engine.dispose()

    try:
        result = asyncio.run(run())
    except InvalidToken as exc:
        console.print(str(exc))
        raise typer.Exit(2) from exc
    except DomainError as exc:
        console.print(f"{exc.problems[0].code}: {exc}")
        raise typer.Exit(1) from exc
    if fmt == "json":
        body = {"data": result.data} | ({"errors": result.errors} if result.errors else {})
        content = (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    elif fmt == "csv":
        content = to_csv(result.data)
    else:
        content = to_xlsx(result.data, result.name)
    if out is None:
        sys.stdout.buffer.write(content)
    else:
        out.write_bytes(content)
    console.print(
        f"{result.name} v{result.version}: {result.row_count} rows, "
        f"sha256 {result.digest}, audit event {result.event_seq}"
    )


@queries_app.command("check")
def queries_check() -> None:
    """List saved queries (every version) that no longer validate against the current schema,
    with the errors; exit 1 when there is one. Run it after upgrading a plugin."""
    from sqlalchemy import select

    from core.saved_queries.models import SavedQuery
    from schema.saved_query_runs import document_problems

    async def check():
        app = _app()
        try:
            async with app.state.sessionmaker() as session:
                rows = (
                    await session.execute(
                        select(SavedQuery).order_by(SavedQuery.name, SavedQuery.version)
                    )
                ).scalars()
                return [(r, document_problems(app.state.schema._schema, r.document)) for r in rows]
        finally:
            await app.state.engine.dispose()

    broken = [(row, problems) for row, problems in asyncio.run(check()) if problems]
    for row, problems in broken:
        owner = row.plugin_key or row.owner
        print(f"{row.name} v{row.version} ({owner}):")
        for problem in problems:
            print(f"  - {problem.message}")
    if broken:
        raise typer.Exit(1)
    print("Every saved query validates against the current schema.")


@audit_app.command("verify")
def audit_verify(
    checkpoint: Path | None = typer.Option(None, help="A signed checkpoint file to hold to."),
    public_key: Path | None = typer.Option(
        None, help="The auditors' copy of the public key (PEM) the checkpoint must be signed with."
    ),
) -> None:
    """Re-compute the chain from the first event; report the first broken link. With a
    checkpoint, also detect a rewrite of everything up to it."""
    from core.audit import checkpoint as checkpoints
    from core.audit.chain import verify
    from core.db import create_engine, create_sessionmaker

    held = None
    if checkpoint is not None:
        try:
            held = checkpoints.check(
                checkpoints.load(checkpoint), public_key.read_bytes() if public_key else None
            )
        except checkpoints.CheckpointError as exc:
            print(f"BROKEN: {exc}")
            raise typer.Exit(1) from exc

    async def run():
        engine = create_engine(Settings().database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                return await verify(session, held)
        finally:
            await engine.dispose()

    result = asyncio.run(run())
    if result.ok:
        print(f"OK: {result.message}; head {result.head_seq} {result.head_hash}")
        return
    print(f"BROKEN at event {result.first_broken_seq}: {result.message}")
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    key: Path = typer.Option(..., help="The Ed25519 private key (PEM), kept outside the database."),
    out: Path = typer.Option(..., help="Where to write the checkpoint (JSON)."),
) -> None:
    """Sign the chain's head into a checkpoint for auditors to keep (run it periodically)."""
    from core.audit import checkpoint as checkpoints
    from core.audit.chain import verify
    from core.db import create_engine, create_sessionmaker

    async def head():
        engine = create_engine(Settings().database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                return await verify(session)
        finally:
            await engine.dispose()

    result = asyncio.run(head())
    if not result.ok or result.head_seq is None:
        print(f"not signing: {result.message or 'the trail is empty'}")
        raise typer.Exit(1)
    signed = checkpoints.sign(key.read_bytes(), result.head_seq, result.head_hash)
    out.write_text(json.dumps(signed, indent=2) + "\n", encoding="utf-8")
    print(f"Signed event {result.head_seq} into {out}.")


@audit_app.command("keygen")
def audit_keygen(
    private: Path = typer.Option(
        ..., help="Where to write the private key (kept off the database server)."
    ),
    public: Path = typer.Option(..., help="Where to write the public key (for auditors)."),
) -> None:
    """Make an Ed25519 key pair for signing checkpoints."""
    from core.audit import checkpoint as checkpoints

    if private.exists():
        print(f"{private} exists; not overwriting a key")
        raise typer.Exit(2)
    checkpoints.generate_keys(private, public)
    print(f"Wrote {private} (keep it secret) and {public}.")
