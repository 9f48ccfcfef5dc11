"""Tell the request which root mutation is running, so that its audit event names it."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import FieldExtension


class CurrentMutation(FieldExtension):
    """On every root mutation field (root fields run one after another): note the field, its
    arguments and its response key as it starts. Only root mutation fields carry it, so reads
    pay nothing (see :func:`watch_mutations`). Its own parameters are positional-only: a
    mutation may well have an argument named ``source`` or ``info``."""

    def _note(self, info: Any, kwargs: dict[str, Any]) -> None:
        if hasattr(info.context, "current_mutation"):
            info.context.current_mutation = (info.field_name, kwargs, info.path.key)

    def resolve(self, next_, source, info, /, **kwargs: Any):  # type: ignore[override]
        self._note(info, kwargs)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_, source, info, /, **kwargs: Any):  # type: ignore[override]
        self._note(info, kwargs)
        return await next_(source, info, **kwargs)


def watch_mutations(mutation: type | None) -> None:
    """Give every field of the composed ``Mutation`` type the :class:`CurrentMutation` hook."""
    if mutation is None:
        return
    for field in mutation.__strawberry_definition__.fields:
        if not any(isinstance(e, CurrentMutation) for e in field.extensions):
            field.extensions.append(CurrentMutation())
