"""What every mutation of the plugin shares: payloads, loading a record, checks, metrics."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import strawberry

from core import DomainError, Problem, Unit
from core.metrics.models import Period
from core.metrics.services import ObservationInput, record_observations
from schema.errors import UserError, user_errors
from schema.ids import decode_id

from .. import KEY
from ..models import ReserveCadre, State
from ..served import require_served
from ..types import TYPE_NAME, ObjectionType, RatingType, ReserveCadreType, StateRefusal
from ..workflow import TransitionRefused, WrongState

CADRE_FIELD = "reserveCadreId"


@strawberry.type(
    name="ThreeDegreePayload",
    description="The reserve cadre after the change, or typed errors with nothing written.",
)
class CadrePayload:
    reserve_cadre: ReserveCadreType | None = None
    state_refusal: StateRefusal | None = strawberry.field(
        default=None,
        description="Set when the state machine refused: the current state and the allowed "
        "next ones.",
    )
    errors: list[UserError]


@strawberry.type(name="ThreeDegreeRatingPayload", description="The rating and its record.")
class RatingPayload:
    rating: RatingType | None = None
    reserve_cadre: ReserveCadreType | None = None
    state_refusal: StateRefusal | None = None
    errors: list[UserError]


@strawberry.type(name="ThreeDegreeObjectionPayload", description="The objection and its record.")
class ObjectionPayload:
    objection: ObjectionType | None = None
    reserve_cadre: ReserveCadreType | None = None
    state_refusal: StateRefusal | None = None
    errors: list[UserError]


async def payload(cls: Callable[..., Any], work: Awaitable[dict[str, Any]]) -> Any:
    """Await ``work`` (a command returning the payload's fields) and build ``cls``: its result,
    or typed errors (with the state refusal when the state machine refused) and nothing written.
    """
    try:
        fields = await work
    except TransitionRefused as exc:
        refusal = StateRefusal(
            current_state=exc.current, attempted=exc.attempted, allowed_next=list(exc.allowed)
        )
        return cls(errors=user_errors(exc), state_refusal=refusal)
    except WrongState as exc:
        refusal = StateRefusal(
            current_state=exc.current, attempted=None, allowed_next=list(exc.allowed)
        )
        return cls(errors=user_errors(exc), state_refusal=refusal)
    except DomainError as exc:
        return cls(errors=user_errors(exc))
    return cls(errors=[], **fields)


async def load_cadre(ctx: Any, raw_id: str, field: str = CADRE_FIELD) -> tuple[ReserveCadre, Unit]:
    """The record named by a global ID, in the caller's write scope, where the plugin is active."""
    return await cadre_by_row_id(ctx, decode_id(raw_id, TYPE_NAME, field), field)


async def cadre_by_row_id(ctx: Any, cadre_id: int, field: str) -> tuple[ReserveCadre, Unit]:
    cadre = await ctx.session.get(ReserveCadre, cadre_id)
    if cadre is None:
        raise DomainError.one("NOT_FOUND", "no reserve cadre has this id", field)
    village = await ctx.session.get(Unit, cadre.unit_id)
    await require_served(ctx.session, ctx.registry, village, field)
    return cadre, village


def text(value: str | None, field: str, *, required: bool = False, limit: int = 4000) -> str | None:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise DomainError.one("REQUIRED", f"{field} must not be empty", field)
    if len(cleaned) > limit:
        raise DomainError.one("INVALID", f"{field} is longer than {limit} characters", field)
    return cleaned or None


def not_before(day: date, earlier: date | None, field: str, what: str) -> None:
    if earlier is not None and day < earlier:
        raise DomainError.one(
            "DATE_ORDER",
            f"{field} {day.isoformat()} lies before {what} {earlier.isoformat()}",
            field,
        )


def score_problems(values: dict[str, float | None], prefix: str = "") -> list[Problem]:
    """A problem for every degree missing or outside 0–100."""
    problems = []
    for name, value in values.items():
        field = f"{prefix}{name}"
        if value is None:
            problems.append(
                Problem(
                    "THREE_DEGREE_MISSING_DEGREE",
                    f"{name} is missing: a rating scores loyalty, satisfaction and competence",
                    field,
                )
            )
        elif not math.isfinite(value) or not 0 <= value <= 100:
            problems.append(
                Problem("THREE_DEGREE_SCORE_OUT_OF_RANGE", f"{name} {value} is not in 0–100", field)
            )
    return problems


async def record_metrics(
    ctx: Any, cadre: ReserveCadre, village: Unit, day: date, values: dict[str, float]
) -> None:
    """Observations at the village for the month of ``day``, one per metric slug, tied to the
    person (towns and the county aggregate them with metricSeries)."""
    await record_observations(
        ctx,
        [
            ObservationInput(
                metric=f"{KEY}.{slug}",
                unit_code=village.code,
                period_start=day.replace(day=1),
                value=value,
                period=Period.MONTH,
                person_id=cadre.person_id,
            )
            for slug, value in values.items()
        ],
    )


def publish(ctx: Any, cadre: ReserveCadre, source: State | None) -> None:
    ctx.publish(
        f"{KEY}.transitioned",
        source=KEY,
        reserve_cadre_id=cadre.id,
        person_id=cadre.person_id,
        unit_id=cadre.unit_id,
        from_state=source.value if source else None,
        to_state=cadre.state.value,
    )
