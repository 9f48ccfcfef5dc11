"""Who is calling, and what they may see and change: computed once per request."""

from __future__ import annotations

from collections import OrderedDict
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.access.models import AccessState, ApiToken, Grant, User
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
    start, end = _aware(grant.valid_from, now), _aware(grant.valid_until, now)
    return (start is None or start <= now) and (end is None or now < end)


async def _grants_of(session: AsyncSession, user: User) -> list[Grant]:
    return list((await session.execute(select(Grant).where(Grant.user_id == user.id))).scalars())


async def principal_for_user(
    session: AsyncSession,
    user: User,
    plugin_roles: dict[str, RoleSpec] | None = None,
    grants: list[Grant] | None = None,
) -> Principal:
    """The principal of ``user``; ``grants``, every grant of the user, when already loaded."""
    plugin_roles = plugin_roles or {}
    now = utcnow()
    every = grants if grants is not None else await _grants_of(session, user)
    grants = [g for g in every if _valid(g, now)]
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
    principal, _until = await _authenticate(session, token, secret, plugin_roles)
    return principal


#: True while a request authenticates (the test kit's statement counter leaves those out: they
#: are the same for every operation, and cached).
AUTHENTICATING: ContextVar[bool] = ContextVar("yixian_authenticating", default=False)


class PrincipalCache:
    """Principals by token, valid while the access generation (``access_state``, bumped by
    triggers whenever users, tokens, grants or postings change) stays the same and until the
    first moment a token expires or a grant starts or ends. A request then costs one small read
    instead of three, and a change made through any worker or any tool (the CLI, an import, SQL)
    is seen by every worker on its next request."""

    def __init__(self, size: int = 10_000):
        self.size = size
        self._entries: OrderedDict[str, tuple[int, Principal, datetime | None]] = OrderedDict()

    async def authenticate(
        self,
        session: AsyncSession,
        token: str,
        secret: str,
        plugin_roles: dict[str, RoleSpec] | None = None,
    ) -> Principal:
        marker = AUTHENTICATING.set(True)
        try:
            return await self._authenticate(session, token, secret, plugin_roles)
        finally:
            AUTHENTICATING.reset(marker)

    async def _authenticate(
        self,
        session: AsyncSession,
        token: str,
        secret: str,
        plugin_roles: dict[str, RoleSpec] | None,
    ) -> Principal:
        generation = (
            await session.execute(select(AccessState.generation).where(AccessState.id == 1))
        ).scalar_one_or_none() or 0
        key = hash_token(token, secret)
        entry = self._entries.get(key)
        now = utcnow()
        if entry is not None and entry[0] == generation and (entry[2] is None or now < entry[2]):
            self._entries.move_to_end(key)
            return entry[1]
        principal, until = await _authenticate(session, token, secret, plugin_roles)
        self._entries[key] = (generation, principal, until)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return principal


async def _authenticate(
    session: AsyncSession,
    token: str,
    secret: str,
    plugin_roles: dict[str, RoleSpec] | None = None,
) -> tuple[Principal, datetime | None]:
    """The principal of a token, and the first moment it may change by time alone."""
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
    grants = await _grants_of(session, row[1])
    principal = await principal_for_user(session, row[1], plugin_roles, grants)
    moments = [_aware(row[0].expires_at, now)]
    for grant in grants:
        moments += [_aware(grant.valid_from, now), _aware(grant.valid_until, now)]
    future = [m for m in moments if m is not None and m > now]
    return principal, min(future) if future else None


def _aware(moment: datetime | None, now: datetime) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=now.tzinfo)
    return moment
