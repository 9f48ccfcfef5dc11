"""The plugin's mutations, one module each; ``ThreeDegreeMutation`` gathers them."""

from __future__ import annotations

import strawberry

from .approve import approve
from .close_assessment import close_assessment
from .lodge_objection import lodge_objection
from .nominate import nominate
from .pool import pool
from .rate import rate
from .reject import reject
from .resolve_objection import resolve_objection
from .start_notice import start_notice
from .start_trial import start_trial

ThreeDegreeMutation = strawberry.type(
    type(
        "ThreeDegreeMutation",
        (),
        {
            "three_degree_nominate": nominate,
            "three_degree_rate": rate,
            "three_degree_close_assessment": close_assessment,
            "three_degree_approve": approve,
            "three_degree_reject": reject,
            "three_degree_start_notice": start_notice,
            "three_degree_lodge_objection": lodge_objection,
            "three_degree_resolve_objection": resolve_objection,
            "three_degree_start_trial": start_trial,
            "three_degree_pool": pool,
        },
    )
)

__all__ = ["ThreeDegreeMutation"]
