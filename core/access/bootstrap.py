"""The first admin: development prints a token on first start so GraphiQL works at once."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from core.access.models import User
from core.access.roles import Role
from core.access.tokens import add_grant, ensure_user, issue_token
from core.audit.chain import append


async def first_admin_token(sessionmaker: async_sessionmaker, secret: str) -> str | None:
    """Create the user ``admin`` with an ADMIN grant and return a token for it, when the
    database has no user yet; None otherwise (tokens are shown once, never again)."""
    async with sessionmaker() as session:
        if (await session.execute(select(func.count(User.id)))).scalar_one() > 0:
            return None
        user = await ensure_user(session, "admin")
        await add_grant(
            session,
            user,
            Role.ADMIN,
            None,
            known_roles={Role.ADMIN.value},
            pii=True,
            created_by="yixian serve (development)",
        )
        token = await issue_token(session, user, secret)
        await append(
            session,
            actor="yixian serve",
            kind="MUTATION",
            name="token.create",
            channel="cli",
            variables={"user": "admin", "role": "ADMIN"},
        )
        await session.commit()
        return token
