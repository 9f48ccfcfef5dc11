"""Tell the request which root mutation is running, so that its audit event names it."""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension


class CurrentMutation(SchemaExtension):
    """Root mutation fields run one after another: note each, with its arguments, as it starts."""

    def resolve(self, _next, root, info, *args: Any, **kwargs: Any):  # type: ignore[override]
        if info.parent_type.name == "Mutation" and hasattr(info.context, "current_mutation"):
            info.context.current_mutation = (info.field_name, kwargs, info.path.key)
        return _next(root, info, *args, **kwargs)
