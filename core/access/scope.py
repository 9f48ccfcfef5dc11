"""The one place scope is enforced: every ORM statement of a session reads through it.

A session carries a :class:`Scope` in ``session.info["scope"]``. A listener on every session adds,
to each ORM SELECT (subqueries, ``session.get`` and column queries included), the criteria of
every scoped model, so that rows outside the scope's subtrees do not exist for that session. The
core's models are scoped here; a plugin model is scoped by declaring ``__scope_column__`` (the
name of its unit column) or a classmethod ``__scope_criteria__(cls, roots)``.

A session without a scope fails closed: it raises rather than read everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, or_, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria

from core.db import Base


@dataclass(frozen=True)
class Scope:
    """The subtrees a session may see. ``roots`` None: everything (admins, the system)."""

    roots: frozenset[int] | None

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)

    @classmethod
    def of(cls, roots: Iterable[int]) -> Scope:
        return cls(frozenset(roots))

    @property
    def unrestricted(self) -> bool:
        return self.roots is None


class UnscopedSession(RuntimeError):
    pass


@contextmanager
def past_scope(session: Any) -> Iterator[None]:
    """Let the statements inside read past the session's scope (a plugin looking up a county it
    serves from a town operator's session). Use for lookups that reveal nothing, and check the
    caller's grants yourself. Use it on a command's own session, or inside
    ``info.context.read(…)`` — never around awaits on the request's shared read session, where a
    sibling field's statement could run in between, unscoped."""
    saved = session.info.get("scope")
    session.info["scope"] = Scope.everything()
    try:
        yield
    finally:
        session.info["scope"] = saved


def under_roots(column: Any, roots: tuple[int, ...]) -> Any:
    from core.units.models import UnitTree

    return column.in_(select(UnitTree.descendant_id).where(UnitTree.ancestor_id.in_(roots)))


def _core_criteria() -> dict[type, Callable[[Any, tuple[int, ...]], Any]]:
    from core.initiatives.models import Initiative
    from core.metrics.models import Observation
    from core.people.models import Person
    from core.plugin_state.models import PluginActivation, PluginSettingChange
    from core.postings.models import Posting
    from core.units.models import Unit, UnitTree

    return {
        Unit: lambda cls, roots: under_roots(cls.id, roots),
        # A person is seen where they belong and where they are posted.
        Person: lambda cls, roots: or_(
            under_roots(cls.home_unit_id, roots),
            cls.id.in_(select(Posting.person_id).where(under_roots(Posting.host_unit_id, roots))),
        ),
        Posting: lambda cls, roots: under_roots(cls.host_unit_id, roots),
        # An initiative is seen below its owner too: a county's campaign runs in its towns.
        Initiative: lambda cls, roots: or_(
            under_roots(cls.owner_unit_id, roots),
            cls.owner_unit_id.in_(
                select(UnitTree.ancestor_id).where(UnitTree.descendant_id.in_(roots))
            ),
        ),
        Observation: lambda cls, roots: under_roots(cls.unit_id, roots),
        PluginActivation: lambda cls, roots: under_roots(cls.unit_id, roots),
        PluginSettingChange: lambda cls, roots: under_roots(cls.unit_id, roots),
    }


def scope_column(model: type) -> str | None:
    """The unit column a model is scoped by (None for models scoped otherwise, or not at all)."""
    from core.initiatives.models import Initiative
    from core.metrics.models import Observation
    from core.people.models import Person
    from core.postings.models import Posting
    from core.units.models import Unit

    core = {
        Unit: "id",
        Person: "home_unit_id",
        Posting: "host_unit_id",
        Initiative: "owner_unit_id",
        Observation: "unit_id",
    }
    return core.get(model) or getattr(model, "__scope_column__", None)


def scoped_models() -> dict[type, Callable[[Any, tuple[int, ...]], Any]]:
    """Every scoped model with its criteria: the core's, then plugin models that declare one."""
    found = _core_criteria()
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if cls in found:
            continue
        if hasattr(cls, "__scope_criteria__"):
            found[cls] = lambda c, roots: c.__scope_criteria__(roots)
        elif hasattr(cls, "__scope_column__"):
            found[cls] = lambda c, roots: under_roots(getattr(c, c.__scope_column__), roots)
    return found


def _apply_scope(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    scope = state.session.info.get("scope")
    if scope is None:
        raise UnscopedSession(
            "this session has no scope: create it with core.db.create_sessionmaker(…, scope=…)"
        )
    if scope.unrestricted:
        return
    roots = tuple(sorted(scope.roots)) or (-1,)
    # Plain expressions, not lambdas: the roots travel as bound parameters, so statements of
    # different scopes share a cached form without sharing values.
    options = [
        with_loader_criteria(model, criteria(model, roots))
        for model, criteria in scoped_models().items()
    ]
    state.statement = state.statement.options(*options)


_installed = False


def install() -> None:
    """Listen on every session (idempotent); done when core.db makes a sessionmaker."""
    global _installed
    if not _installed:
        event.listen(Session, "do_orm_execute", _apply_scope)
        _installed = True
