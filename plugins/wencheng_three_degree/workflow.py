"""The state machine of a reserve cadre, and the guarded writes that move a record through it.

    NOMINATED → ASSESSED → APPROVED → NOTICE → TRIAL → POOLED
                    ↘          ↘ NOTICE ↘ TRIAL ↘
                     REJECTED (at the meeting, after an upheld objection, or unfit after trial)

Two moves out of NOTICE are guarded beyond the table: TRIAL needs every objection resolved and
none upheld; REJECTED needs an upheld objection (the notice is no second meeting).

Every transition is a compare-and-set on the record's version, as the first write of its
transaction: of two concurrent transitions of one record exactly one applies; the other finds the
record moved on and is refused with the state it is now in.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from core import DomainError, Problem

from .models import ReserveCadre, State, Transition, utcnow

#: The states each state may move to.
ALLOWED: dict[State, tuple[State, ...]] = {
    State.NOMINATED: (State.ASSESSED,),
    State.ASSESSED: (State.APPROVED, State.REJECTED),
    State.APPROVED: (State.NOTICE,),
    State.NOTICE: (State.TRIAL, State.REJECTED),
    State.TRIAL: (State.POOLED, State.REJECTED),
    State.POOLED: (),
    State.REJECTED: (),
}


def allowed_next(state: State) -> tuple[State, ...]:
    return ALLOWED[state]


class TransitionRefused(DomainError):
    """An out-of-order transition: names the current state and the allowed next ones."""

    def __init__(self, current: State, attempted: State):
        self.current = current
        self.attempted = attempted
        self.allowed = allowed_next(current)
        allowed = ", ".join(s.value for s in self.allowed) or "none: the record is closed"
        super().__init__(
            Problem(
                "THREE_DEGREE_INVALID_TRANSITION",
                f"cannot move a reserve cadre in state {current.value} to {attempted.value}; "
                f"allowed next: {allowed}",
                "reserveCadreId",
            )
        )


class WrongState(DomainError):
    """An action (a rating, an objection) that the record's current state does not accept."""

    def __init__(self, code: str, message: str, current: State, field: str | None = None):
        self.current = current
        self.allowed = allowed_next(current)
        super().__init__(Problem(code, f"{message} (current state {current.value})", field))


def check_transition(cadre: ReserveCadre, target: State) -> None:
    if target not in allowed_next(cadre.state):
        raise TransitionRefused(cadre.state, target)


async def _current_state(ctx, cadre_id: int) -> State:
    return (
        await ctx.session.execute(select(ReserveCadre.state).where(ReserveCadre.id == cadre_id))
    ).scalar_one()


async def transition(
    ctx,
    cadre: ReserveCadre,
    target: State,
    *,
    effective_on: date,
    reason: str | None = None,
    **values,
) -> ReserveCadre:
    """Move ``cadre`` to ``target`` and write the history row, or raise TransitionRefused.

    Call it before any other write of the command: its UPDATE takes the record's lock, and a
    concurrent transition that got there first makes it match nothing.
    """
    check_transition(cadre, target)
    source = cadre.state
    result = await ctx.session.execute(
        update(ReserveCadre)
        .where(ReserveCadre.id == cadre.id, ReserveCadre.version == cadre.version)
        .values(state=target, version=cadre.version + 1, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise TransitionRefused(await _current_state(ctx, cadre.id), target)
    ctx.session.add(
        Transition(
            reserve_cadre_id=cadre.id,
            from_state=source,
            to_state=target,
            effective_on=effective_on,
            reason=reason,
            actor=ctx.actor,
        )
    )
    await ctx.session.flush()
    await ctx.session.refresh(cadre)
    return cadre


async def hold(
    ctx, cadre: ReserveCadre, state: State, *, code: str, message: str, field: str | None = None
) -> None:
    """Lock ``cadre`` for an action that needs it in ``state`` (a rating, an objection), without
    moving it: a concurrent transition out of ``state`` either waits for the action or refuses it.
    """
    if cadre.state is not state:
        raise WrongState(code, message, cadre.state, field)
    result = await ctx.session.execute(
        update(ReserveCadre)
        .where(ReserveCadre.id == cadre.id, ReserveCadre.state == state)
        .values(updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise WrongState(code, message, await _current_state(ctx, cadre.id), field)
