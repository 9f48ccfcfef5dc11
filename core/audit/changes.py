"""What a command changed: every row inserted, updated or deleted through its session."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

#: Tables whose rows are the trail itself or derived bookkeeping.
IGNORED = {"audit_event", "audit_head", "pii_read", "unit_tree"}


def _value(value: Any) -> Any:
    if hasattr(value, "value") and not isinstance(value, (int, float, str)):
        return value.value  # enums
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _row(obj: Any) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {c.key: _value(getattr(obj, c.key)) for c in mapper.column_attrs}


def _scope_column(obj: Any) -> str | None:
    from core.access.scope import scope_column

    return scope_column(type(obj))


def unit_of(obj: Any) -> int | None:
    """The unit a row belongs to, by the column access control scopes it with."""
    column = _scope_column(obj)
    return getattr(obj, column, None) if column else None


class ChangeRecorder:
    """Listens to one session's flushes and keeps before/after images of the rows changed."""

    def __init__(self, session: Session):
        self.session = session
        self.changes: list[dict[str, Any]] = []
        #: The units the changed rows belong to, before and after.
        self.units: set[int] = set()
        self._updated: dict[tuple[str, Any], dict[str, Any]] = {}
        event.listen(session, "before_flush", self._before_flush)
        event.listen(session, "after_flush", self._after_flush)

    def close(self) -> None:
        event.remove(self.session, "before_flush", self._before_flush)
        event.remove(self.session, "after_flush", self._after_flush)

    def _before_flush(self, session: Session, _context, _instances) -> None:
        for obj in session.dirty:
            state = inspect(obj)
            table = state.mapper.local_table.name
            if table in IGNORED or not session.is_modified(obj):
                continue
            before = {}
            for attr in state.mapper.column_attrs:
                history = state.attrs[attr.key].history
                if history.has_changes():
                    old = history.deleted[0] if history.deleted else None
                    before[attr.key] = _value(old)
            key = (table, state.identity)
            self.units.add(unit_of(obj))
            scope_column = _scope_column(obj)
            if scope_column and scope_column in before:
                self.units.add(before[scope_column])
            self._updated.setdefault(key, {}).update(
                {k: v for k, v in before.items() if k not in self._updated.get(key, {})}
            )

    def _after_flush(self, session: Session, _context) -> None:
        for obj in session.new:
            table = inspect(obj).mapper.local_table.name
            if table not in IGNORED:
                self.changes.append({"table": table, "before": None, "after": _row(obj)})
                self.units.add(unit_of(obj))
        for obj in session.dirty:
            state = inspect(obj)
            table = state.mapper.local_table.name
            key = (table, state.identity)
            if key in self._updated:
                before = self._updated.pop(key)
                after = {k: _value(getattr(obj, k)) for k in before}
                self.changes.append(
                    {"table": table, "id": list(state.identity), "before": before, "after": after}
                )
        for obj in session.deleted:
            table = inspect(obj).mapper.local_table.name
            if table not in IGNORED:
                self.changes.append({"table": table, "before": _row(obj), "after": None})
                self.units.add(unit_of(obj))


def input_json(value: Any) -> Any:
    """Mutation arguments as JSON: strawberry inputs are dataclasses; UNSET fields are left out."""
    from strawberry import UNSET

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: input_json(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not UNSET
        }
    if isinstance(value, dict):
        return {k: input_json(v) for k, v in value.items() if v is not UNSET}
    if isinstance(value, (list, tuple)):
        return [input_json(v) for v in value]
    return _value(value)
