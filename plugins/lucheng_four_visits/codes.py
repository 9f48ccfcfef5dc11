"""The plugin's error codes (``register_error_codes``): each a refusal the client can act on."""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "FOUR_VISITS_KEY_REUSED": "The idempotency key was already used for a different visit; "
    "generate a new key for a new visit.",
    "FOUR_VISITS_NOT_A_VILLAGE": "The unit is not a village (村/社区); visits, household counts "
    "and votes are per village.",
    "FOUR_VISITS_NOT_A_CAMPAIGN": "The initiative is not a four-visit campaign (its scheme is not "
    "lucheng.four_visits).",
    "FOUR_VISITS_CAMPAIGN_ELSEWHERE": "The campaign does not cover the village: the unit that "
    "owns it is neither the village nor one of its ancestors (its town, its district).",
    "FOUR_VISITS_OUTSIDE_CAMPAIGN": "The date lies outside the campaign's start and end dates.",
    "FOUR_VISITS_NO_ASK": "A visit covers at least one of the four asks.",
    "FOUR_VISITS_FINDING_NOT_ASKED": "A finding's kind must match an ask the visit covered "
    "(a grievance needs the GRIEVANCE ask).",
    "FOUR_VISITS_FINDING_STATE": "The finding's status does not allow this step "
    "(OPEN → ASSIGNED → RESOLVED or CLOSED_UNRESOLVABLE).",
    "FOUR_VISITS_BATCH_TOO_LARGE": "Too many visits in one batch; send the backlog in parts.",
    "FOUR_VISITS_NEGATIVE_COUNT": "Counts cannot be negative.",
    "FOUR_VISITS_BALLOTS_EXCEED_ELIGIBLE": "More ballots than people eligible to vote.",
    "FOUR_VISITS_NO_BALLOTS": "A vote or rating with no ballot at all has no result.",
    "FOUR_VISITS_ROUND_EXISTS": "The village team already has a vote round for this initiative.",
    "FOUR_VISITS_WEIGHTS_INVALID": "The 3:5:2 weights in force add up to zero.",
    "FOUR_VISITS_NEGATIVE_SOURCE": "A negative-list entry names exactly one source: a visit, a "
    "finding, a vote round or another unit.",
    "FOUR_VISITS_NEGATIVE_STATE": "The negative-list entry's status does not allow this step.",
    "FOUR_VISITS_NOT_VETTER": "Only a vetter (lucheng.four_visits.vetter) of the entry's unit, or "
    "an admin, may do this.",
}
