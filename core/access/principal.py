"""Who is calling, and what they may see and change: computed once per request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.models import ApiToken, Grant, User
from core.access.roles import READS, WRITES, Role, RoleSpec
from core.access.scope import Scope
from core.access.tokens import hash_token
from core.db import utcnow
from core.postings.models import Posting, PostingStatus


class InvalidToken(Exception):
    """The bearer token is unknown, expired or revoked (or its user is disabled)."""


@dataclass(frozen=True)
class Principal:
    user_id: int
    name: str
    admin: bool = False
    read_roots: frozenset[int] = frozenset()
    write_roots: frozenset[int] = frozenset()
    pii_roots: frozenset[int] = frozenset()
    audit_roots: frozenset[int] = frozenset()
    #: (role, unit id) for every valid grant, plugin roles included; posting grants too.
    grants: tuple[tuple[str, int | None], ...] = field(default_factory=tuple)

    @property
    def read_scope(self) -> Scope:
        return Scope.everything() if self.admin else Scope.of(self.read_roots)

    @property
    def write_scope(self) -> Scope:
        return Scope.everything() if self.admin else Scope.of(self.write_roots)

    @property
    def can_write(self) -> bool:
        return self.admin or bool(self.write_roots)

    @property
    def is_auditor(self) -> bool:
        return self.admin or bool(self.audit_roots)

    def units_with_role(self, role: str) -> list[int]:
        """The units at which the principal holds ``role`` (for plugin roles)."""
        return [unit for name, unit in self.grants if name == role and unit is not None]

    def has_role(self, role: str) -> bool:
        return self.admin or any(name == role for name, _ in self.grants)


def _valid(grant: Grant, now: datetime) -> bool:
    def aware(moment: datetime | None) -> datetime | None:
        if moment is not None and moment.tzinfo is None:
            return moment.replace(tzinfo=now.tzinfo)
        return moment

    start, end = aware(grant.valid_from), aware(grant.valid_until)
    return (start is None or start <= now) and (end is None or now < end)


async def principal_for_user(
    session: AsyncSession, user: User, plugin_roles: dict[str, RoleSpec] | None = None
) -> Principal:
    plugin_roles = plugin_roles or {}
    now = utcnow()
    grants = [
        g
        for g in (await session.execute(select(Grant).where(Grant.user_id == user.id))).scalars()
        if _valid(g, now)
    ]
    admin = any(g.role == Role.ADMIN for g in grants)
    read, write, pii, audit = set(), set(), set(), set()
    pairs: list[tuple[str, int | None]] = []
    for g in grants:
        pairs.append((g.role, g.unit_id))
        if g.unit_id is None:
            continue
        spec = plugin_roles.get(g.role)
        if g.role in READS or (spec and spec.reads):
            read.add(g.unit_id)
        if g.role in WRITES or (spec and spec.writes):
            write.add(g.unit_id)
        if g.role == Role.AUDITOR:
            audit.add(g.unit_id)
        if g.pii:
            pii.add(g.unit_id)
    if user.person_id is not None:
        # Scope follows a posting: while the linked person's posting is ACTIVE, the user operates
        # at its host unit; the grant ends by itself when the posting is completed or recalled.
        hosts = (
            await session.execute(
                select(Posting.host_unit_id).where(
                    Posting.person_id == user.person_id, Posting.status == PostingStatus.ACTIVE
                )
            )
        ).scalars()
        for host in hosts:
            read.add(host)
            write.add(host)
            pairs.append((Role.OPERATOR.value, host))
    return Principal(
        user_id=user.id,
        name=user.name,
        admin=admin,
        read_roots=frozenset(read),
        write_roots=frozenset(write),
        pii_roots=frozenset(pii),
        audit_roots=frozenset(audit),
        grants=tuple(pairs),
    )


async def authenticate(
    session: AsyncSession,
    token: str,
    secret: str,
    plugin_roles: dict[str, RoleSpec] | None = None,
) -> Principal:
    """The principal of a bearer token; :class:`InvalidToken` when it cannot be used."""
    now = utcnow()
    row = (
        await session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(
                ApiToken.token_hash == hash_token(token, secret),
                ApiToken.revoked_at.is_(None),
                or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
                User.disabled.is_(False),
            )
        )
    ).first()
    if row is None:
        raise InvalidToken("the token is unknown, expired or revoked")
    return await principal_for_user(session, row[1], plugin_roles)
