"""References to the composed core types, for fields of the core and of plugins.

A field returning a unit is annotated ``LazyUnit``: it names the final ``Unit`` (core fields plus
every plugin's), resolved when the schema is composed. Never annotate with a core base class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

if TYPE_CHECKING:
    from schema.composed import Initiative, Person, Posting, Unit

LazyUnit = Annotated["Unit", strawberry.lazy("schema.composed")]
LazyPerson = Annotated["Person", strawberry.lazy("schema.composed")]
LazyPosting = Annotated["Posting", strawberry.lazy("schema.composed")]
LazyInitiative = Annotated["Initiative", strawberry.lazy("schema.composed")]

__all__ = ["LazyInitiative", "LazyPerson", "LazyPosting", "LazyUnit"]
