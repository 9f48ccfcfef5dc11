"""Typed errors of mutation payloads, and the helper that turns DomainError into them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import strawberry

from core.errors import DomainError, Problem

T = TypeVar("T")


@strawberry.type(description="Why a mutation refused its input. Nothing was written.")
class UserError:
    field: str | None = strawberry.field(
        description="The input field at fault, as a dotted path (`observations.2.value`); "
        "null when the input as a whole is at fault."
    )
    message: str = strawberry.field(description="What is wrong and how to fix it, in English.")
    code_name: strawberry.Private[str]

    @strawberry.field(description="A stable code for programs to branch on.")
    def code(self) -> Annotated[ErrorCode, strawberry.lazy("schema.composed")]:  # noqa: F821
        from schema import composed

        return composed.ErrorCode[self.code_name]

    @classmethod
    def from_problem(cls, problem: Problem) -> UserError:
        return cls(field=problem.field, message=problem.message, code_name=problem.code)


def user_errors(exc: DomainError) -> list[UserError]:
    return [UserError.from_problem(p) for p in exc.problems]


async def mutation_payload(
    payload: Callable[..., T], work: Awaitable[Any], result_field: str | None
) -> T:
    """Await ``work`` and build ``payload``: the result on success, typed errors on DomainError.

    Example::

        return await mutation_payload(
            CreateUnitPayload, info.context.run(lambda ctx: create_unit(ctx, …)), "unit"
        )
    """
    try:
        result = await work
    except DomainError as exc:
        return payload(errors=user_errors(exc))
    if result_field is None:
        return payload(errors=[])
    return payload(**{result_field: result, "errors": []})
