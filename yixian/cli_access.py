"""``yixian token …``: API tokens for users, printed once."""

from __future__ import annotations

import asyncio
import getpass
from datetime import UTC, datetime, timedelta

import typer
from rich.console import Console
from sqlalchemy import select

from core.audit.chain import append
from core.settings import Settings

token_app = typer.Typer(help="API tokens: create, revoke.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)


@token_app.command("create")
def token_create(
    user: str = typer.Option(..., "--user", help="User name; created if new."),
    role: str = typer.Option(
        ..., "--role", help="ADMIN, OPERATOR, VIEWER, AUDITOR or a plugin role."
    ),
    unit: str | None = typer.Option(
        None, "--unit", help="Unit code of the grant's subtree (not for ADMIN)."
    ),
    pii: bool = typer.Option(False, "--pii", help="May read personal information unmasked."),
    days: int | None = typer.Option(None, "--days", help="The token expires after so many days."),
    person: int | None = typer.Option(
        None,
        "--person",
        help="Link the user to a person (row id): their ACTIVE postings grant "
        "OPERATOR scope at the host units.",
    ),
) -> None:
    """Grant ROLE at UNIT to USER and print a new token for them (shown this once)."""
    from core.access.roles import known_roles, role_unit_kinds, single_unit_roles
    from core.access.tokens import add_grant, ensure_user, issue_token
    from core.db import create_engine, create_sessionmaker
    from core.errors import DomainError
    from core.units.models import Unit
    from yixian.registry import create_registry

    if days is not None and days < 1:
        errors.print(
            f"[red]--days must be 1 or more (got {days}); leave it out for a token that does "
            "not expire[/red]"
        )
        raise typer.Exit(2)
    settings = Settings()
    registry = create_registry(settings, skip_broken=True)

    async def run() -> str:
        engine = create_engine(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                unit_id = None
                if unit is not None:
                    unit_id = (
                        await session.execute(select(Unit.id).where(Unit.code == unit))
                    ).scalar_one_or_none()
                    if unit_id is None:
                        raise DomainError.one("NOT_FOUND", f"no unit has the code {unit!r}")
                account = await ensure_user(session, user, person)
                await add_grant(
                    session,
                    account,
                    role,
                    unit_id,
                    pii=pii,
                    known_roles=known_roles(registry),
                    unit_kinds=role_unit_kinds(registry),
                    single_unit=single_unit_roles(registry),
                    created_by="yixian token",
                )
                expires = datetime.now(UTC) + timedelta(days=days) if days is not None else None
                token = await issue_token(session, account, settings.token_secret, expires)
                await append(
                    session,
                    actor=f"cli:{getpass.getuser()}",
                    kind="MUTATION",
                    name="token.create",
                    channel="cli",
                    variables={
                        "user": user,
                        "role": role,
                        "unit": unit,
                        "pii": pii,
                        "days": days,
                        "person": person,
                    },
                    units=[unit_id],
                )
                await session.commit()
                return token
        finally:
            await engine.dispose()

    try:
        token = asyncio.run(run())
    except DomainError as exc:
        errors.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    console.print(f"Token for {user} ({role}{' at ' + unit if unit else ''}), shown once:")
    print(token)


@token_app.command("revoke")
def token_revoke(
    prefix: str = typer.Argument(..., help="The token, or its first 10 characters."),
) -> None:
    """Revoke a token: it stops working at once."""
    from core.access.models import ApiToken
    from core.db import create_engine, create_sessionmaker, utcnow

    settings = Settings()

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                rows = (
                    await session.execute(
                        select(ApiToken).where(
                            ApiToken.prefix == prefix[:10], ApiToken.revoked_at.is_(None)
                        )
                    )
                ).scalars()
                count = 0
                for row in rows:
                    row.revoked_at = utcnow()
                    count += 1
                await append(
                    session,
                    actor=f"cli:{getpass.getuser()}",
                    kind="MUTATION",
                    name="token.revoke",
                    channel="cli",
                    variables={"prefix": prefix[:10], "revoked": count},
                )
                await session.commit()
                return count
        finally:
            await engine.dispose()

    count = asyncio.run(run())
    console.print(f"Revoked {count} token(s).")
