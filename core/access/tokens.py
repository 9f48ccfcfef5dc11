"""API tokens: random, shown once, stored only as a keyed hash (HMAC-SHA256 with the secret)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.models import ApiToken, Grant, User
from core.access.roles import Role
from core.db import utcnow
from core.errors import DomainError

TOKEN_PREFIX = "yx_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str, secret: str) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


async def user_by_name(session: AsyncSession, name: str) -> User | None:
    return (await session.execute(select(User).where(User.name == name))).scalar_one_or_none()


async def ensure_user(session: AsyncSession, name: str, person_id: int | None = None) -> User:
    user = await user_by_name(session, name)
    if user is None:
        user = User(name=name, person_id=person_id)
        session.add(user)
        await session.flush()
    elif person_id is not None:
        user.person_id = person_id
    return user


async def issue_token(
    session: AsyncSession, user: User, secret: str, expires_at: datetime | None = None
) -> str:
    """Store a new token's hash for ``user`` and return the token (it is never stored). A token
    must not be born expired: ``expires_at`` lies in the future, or is None (no expiry)."""
    if expires_at is not None and expires_at.replace(tzinfo=expires_at.tzinfo or UTC) <= utcnow():
        raise DomainError.one(
            "INVALID", "the token would expire before it is issued: give a later expiry", "days"
        )
    token = new_token()
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=hash_token(token, secret),
            prefix=token[:10],
            expires_at=expires_at,
        )
    )
    await session.flush()
    return token


async def add_grant(
    session: AsyncSession,
    user: User,
    role: str,
    unit_id: int | None,
    *,
    known_roles: set[str],
    pii: bool = False,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    created_by: str | None = None,
    unit_kinds: dict[str, str] | None = None,
    single_unit: set[str] | None = None,
) -> Grant:
    if role not in known_roles:
        raise DomainError.one(
            "INVALID",
            f"unknown role {role!r}; known roles: {', '.join(sorted(known_roles))}",
            "role",
        )
    if unit_id is None and role != Role.ADMIN:
        raise DomainError.one("REQUIRED", f"a {role} grant needs a unit", "unitCode")
    if unit_kinds and unit_kinds.get(role) and unit_id is not None:
        from core.units.models import Unit

        kind = (await session.execute(select(Unit.kind).where(Unit.id == unit_id))).scalar_one()
        if kind.value != unit_kinds[role]:
            raise DomainError.one(
                "INVALID",
                f"{role} is granted at a {unit_kinds[role]}, not a {kind.value}",
                "unitCode",
            )
    if valid_from and valid_until and valid_until <= valid_from:
        raise DomainError.one("DATE_ORDER", "validUntil lies before validFrom", "validUntil")
    if single_unit and role in single_unit:
        held = (
            (
                await session.execute(
                    select(Grant.unit_id).where(Grant.user_id == user.id, Grant.role == role)
                )
            )
            .scalars()
            .all()
        )
        if any(unit != unit_id for unit in held):
            raise DomainError.one(
                "INVALID",
                f"{user.name} already holds {role} at another unit; it is held at one unit only",
                "unitCode",
            )
    grant = Grant(
        user_id=user.id,
        role=role,
        unit_id=unit_id,
        pii=pii,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=created_by,
    )
    session.add(grant)
    await session.flush()
    return grant


async def revoke_token(session: AsyncSession, token_id: int) -> ApiToken | None:
    token = await session.get(ApiToken, token_id)
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        await session.flush()
    return token
