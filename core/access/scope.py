"""The one place scope is enforced: every ORM statement of a session reads through it, and every
write of a session lands inside it.

A session carries a :class:`Scope` in ``session.info["scope"]``. A listener on every session adds,
to each ORM SELECT (subqueries, ``session.get`` and column queries included), the criteria of
every scoped model, so that rows outside the scope's subtrees do not exist for that session. The
core's models are scoped here; a plugin model is scoped by declaring ``__scope_column__`` (the
name of its unit column) or a classmethod ``__scope_criteria__(cls, roots)``.

Seeing is wider than owning: a person is *seen* where they are posted, but *owned* by their home
unit. So writes are guarded by ownership, after every flush of a restricted session
(:func:`_guard_flush`): each row inserted, updated or deleted must be owned inside the scope
before the change and after it (a person's home unit, a posting's host, an initiative's owner, a
unit's parent, a plugin row's scope column). A row that fails looks missing (``NOT_FOUND``), like
any object out of scope, and the command's transaction is rolled back. ORM UPDATE and DELETE
statements of a restricted session are limited by ownership too.

A session without a scope fails closed: it raises rather than read everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect, or_, select, tuple_
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql.util import find_tables

from core.db import Base
from core.errors import DomainError, Problem


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


_scoped_cache: tuple[int, dict[type, Callable[[Any, tuple[int, ...]], Any]]] | None = None


def scoped_models() -> dict[type, Callable[[Any, tuple[int, ...]], Any]]:
    """Every scoped model with its criteria: the core's, then plugin models that declare one.

    Computed again only when the mapper registry grows (a plugin's models imported)."""
    global _scoped_cache
    count = len(Base.registry.mappers)
    if _scoped_cache is None or _scoped_cache[0] != count:
        _scoped_cache = (count, _collect_scoped_models())
    return _scoped_cache[1]


def _collect_scoped_models() -> dict[type, Callable[[Any, tuple[int, ...]], Any]]:
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
    models = _models_in(state.statement)
    if models:
        state.statement = state.statement.options(
            *_criteria_options(roots, bool(state.is_select), models)
        )


def _models_in(statement: Any) -> frozenset[type]:
    """The scoped models whose tables the statement reads, subqueries and aliases included."""
    by_table = _scoped_tables()
    found: set[type] = set()
    for table in find_tables(statement, include_aliases=True, include_crud=True):
        found.update(by_table.get(getattr(table, "element", table), ()))
    return frozenset(found)


_tables_cache: tuple[int, dict[Any, tuple[type, ...]]] | None = None


def _scoped_tables() -> dict[Any, tuple[type, ...]]:
    global _tables_cache
    models = scoped_models()
    if _tables_cache is None or _tables_cache[0] != id(models):
        by_table: dict[Any, tuple[type, ...]] = {}
        for model in models:
            table = inspect(model).local_table
            by_table[table] = (*by_table.get(table, ()), model)
        _tables_cache = (id(models), by_table)
    return _tables_cache[1]


#: Loader criteria by (roots, SELECT or not, models, scoped models): a request's statements
#: share them, so building them costs once per caller and statement shape, not per statement.
_options_cache: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_OPTIONS_CACHE_SIZE = 4096


def _criteria_options(
    roots: tuple[int, ...], is_select: bool, models: frozenset[type]
) -> tuple[Any, ...]:
    every = scoped_models()
    key = (roots, is_select, models, id(every))
    options = _options_cache.get(key)
    if options is None:
        # Plain expressions, not lambdas: the roots travel as bound parameters, so statements of
        # different scopes share a compiled form without sharing values. UPDATE and DELETE
        # change rows, so they are limited by ownership, not by what the session may see.
        options = tuple(
            with_loader_criteria(
                model,
                every[model](model, roots) if is_select else owner_criteria(model, roots),
            )
            for model in sorted(models, key=lambda m: m.__name__)
        )
        if len(_options_cache) >= _OPTIONS_CACHE_SIZE:
            _options_cache.clear()
        _options_cache[key] = options
    return options


def owner_criteria(model: type, roots: tuple[int, ...]) -> Any:
    """The rows of ``model`` owned inside ``roots``: by its scope column where it has one, else by
    its declared criteria."""
    column = scope_column(model)
    if column is not None:
        return under_roots(getattr(model, column), roots)
    return scoped_models()[model](model, roots)


def _label(model: type) -> str:
    return model.__tablename__.replace("_", " ")


def _owners(obj: Any, column: str, *, new: bool, deleted: bool) -> tuple[list[Any], list[Any]]:
    """The owning unit of ``obj`` before the flush and after it (empty when not applicable)."""
    from core.units.models import Unit

    state = inspect(obj)
    if isinstance(obj, Unit):
        # A unit is owned where it hangs: by itself once it exists, by its parent when it is
        # created or moved (its own closure rows are written after the flush).
        parent = state.attrs["parent_id"].history
        after = [obj.parent_id] if new or (parent.has_changes() and not deleted) else []
        return ([] if new else [obj.id]), after
    history = state.attrs[column].history
    after = [] if deleted else [getattr(obj, column)]
    if new:
        return [], after
    before = history.deleted or history.unchanged or [getattr(obj, column)]
    return [before[0]], after


def _guard_flush(session: Session, _flush_context: Any) -> None:
    """Refuse a flush of a restricted session that writes a row owned outside its scope."""
    scope = session.info.get("scope")
    if scope is None or scope.unrestricted:
        return
    models = scoped_models()
    roots = tuple(sorted(scope.roots)) or (-1,)
    by_unit: list[tuple[Any, Any, str]] = []  # (object, unit id, before|after)
    by_criteria: dict[type, list[Any]] = {}
    for group, new, deleted in (
        (session.new, True, False),
        (session.dirty, False, False),
        (session.deleted, False, True),
    ):
        for obj in group:
            model = type(obj)
            if model not in models or (group is session.dirty and not session.is_modified(obj)):
                continue
            column = scope_column(model)
            if column is None:
                if not deleted:
                    by_criteria.setdefault(model, []).append(obj)
                continue
            before, after = _owners(obj, column, new=new, deleted=deleted)
            by_unit += [(obj, unit, "before") for unit in before]
            by_unit += [(obj, unit, "after") for unit in after]
    if not by_unit and not by_criteria:
        return
    inside = _units_inside(session, roots, {u for _o, u, _w in by_unit if u is not None})
    for obj, unit, when in by_unit:
        if unit in inside:
            continue
        label = _label(type(obj))
        if unit is None:
            raise DomainError(Problem("REQUIRED", f"a {label} must belong to a unit in your scope"))
        if when == "before":
            raise DomainError(Problem("NOT_FOUND", f"no {label} in your scope has this id"))
        raise DomainError(
            Problem("NOT_FOUND", f"the {label} would move to a unit outside your scope")
        )
    for model, objects in by_criteria.items():
        mapper = inspect(model)
        keys = mapper.primary_key
        key = keys[0] if len(keys) == 1 else tuple_(*keys)
        ids = {_key(mapper.primary_key_from_instance(o)) for o in objects}
        found = {
            _key(tuple(row))
            for row in session.connection().execute(
                select(*keys).where(key.in_(list(ids)), models[model](model, roots))
            )
        }
        if ids - found:
            raise DomainError(
                Problem("NOT_FOUND", f"the {_label(model)} would lie outside your scope")
            )


def _key(identity: Any) -> Any:
    identity = tuple(identity)
    return identity[0] if len(identity) == 1 else identity


def _units_inside(session: Session, roots: tuple[int, ...], units: set[int]) -> set[int]:
    """Which of ``units`` lie in the subtrees of ``roots`` (remembered for the session)."""
    from core.units.models import UnitTree

    known: dict[int, bool] = session.info.setdefault(("units_in_scope", roots), {})
    unknown = units - known.keys()
    if unknown:
        found = set(
            session.connection()
            .execute(
                select(UnitTree.descendant_id).where(
                    UnitTree.ancestor_id.in_(roots), UnitTree.descendant_id.in_(unknown)
                )
            )
            .scalars()
        )
        known.update({unit: unit in found for unit in unknown})
    return {unit for unit in units if known[unit]}


_installed = False


def install() -> None:
    """Listen on every session (idempotent); done when core.db makes a sessionmaker."""
    global _installed
    if not _installed:
        event.listen(Session, "do_orm_execute", _apply_scope)
        event.listen(Session, "after_flush", _guard_flush)
        _installed = True
