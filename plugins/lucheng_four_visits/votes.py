"""两票一度: two trust votes and a satisfaction rating, and their 3:5:2 composite.

For the team and for each member:

- party-member approval = ballots for / ballots cast in the party-member trust vote (党员信任票);
- representative approval = likewise in the villager-representative vote (村民代表信任票);
- satisfaction = (satisfied + credit × basically satisfied) / ratings (满意度);
- composite = (w₁ × party-member approval + w₂ × representative approval + w₃ × satisfaction)
  / (w₁ + w₂ + w₃), with the weights in force at the village (0.3, 0.5, 0.2 by default).

A round keeps the weights (normalised to add up to 1) and the credit it was computed with, so a
later change of the settings does not rewrite past results.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import DomainError, Problem


@dataclass(frozen=True)
class Weights:
    party: float
    representative: float
    satisfaction: float
    basically_credit: float

    @classmethod
    def from_settings(cls, settings: object, field: str | None = None) -> Weights:
        party = float(settings.party_member_weight)  # type: ignore[attr-defined]
        representative = float(settings.representative_weight)  # type: ignore[attr-defined]
        satisfaction = float(settings.satisfaction_weight)  # type: ignore[attr-defined]
        total = party + representative + satisfaction
        if total <= 0:
            raise DomainError.one(
                "FOUR_VISITS_WEIGHTS_INVALID",
                "the weights of the party-member vote, the representative vote and the "
                "satisfaction rating in force here add up to zero; an admin sets them with "
                "setPluginSetting",
                field,
            )
        return cls(
            party=party / total,
            representative=representative / total,
            satisfaction=satisfaction / total,
            basically_credit=float(settings.basically_satisfied_credit),  # type: ignore[attr-defined]
        )


@dataclass(frozen=True)
class Counts:
    party_for: int
    party_against: int
    party_abstain: int
    representative_for: int
    representative_against: int
    representative_abstain: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int


@dataclass(frozen=True)
class Scores:
    party_approval: float
    representative_approval: float
    satisfaction: float
    composite: float


#: (input field, counts attributes) of the two votes and the rating.
GROUPS = (
    ("partyMemberVote", ("party_for", "party_against", "party_abstain")),
    (
        "representativeVote",
        ("representative_for", "representative_against", "representative_abstain"),
    ),
    ("satisfaction", ("satisfied", "basically_satisfied", "dissatisfied")),
)
INPUT_NAMES = {
    "party_for": "inFavour",
    "party_against": "against",
    "party_abstain": "abstain",
    "representative_for": "inFavour",
    "representative_against": "against",
    "representative_abstain": "abstain",
    "satisfied": "satisfied",
    "basically_satisfied": "basicallySatisfied",
    "dissatisfied": "dissatisfied",
}


def check_counts(
    counts: Counts,
    prefix: str,
    *,
    party_eligible: int,
    representatives_eligible: int,
    raters_eligible: int | None,
) -> list[Problem]:
    """Every refusal of one tally: negative counts, more ballots than voters, empty votes."""
    problems: list[Problem] = []
    eligible = (party_eligible, representatives_eligible, raters_eligible)
    names = ("party members", "villager representatives", "raters")
    for (group, attributes), limit, who in zip(GROUPS, eligible, names, strict=True):
        values = [getattr(counts, a) for a in attributes]
        negative = [a for a, v in zip(attributes, values, strict=True) if v < 0]
        for attribute in negative:
            problems.append(
                Problem(
                    "FOUR_VISITS_NEGATIVE_COUNT",
                    f"{group}.{INPUT_NAMES[attribute]} is negative",
                    f"{prefix}.{group}.{INPUT_NAMES[attribute]}",
                )
            )
        if negative:
            continue
        total = sum(values)
        if total == 0:
            problems.append(
                Problem("FOUR_VISITS_NO_BALLOTS", f"{group} has no ballot", f"{prefix}.{group}")
            )
        elif limit is not None and total > limit:
            problems.append(
                Problem(
                    "FOUR_VISITS_BALLOTS_EXCEED_ELIGIBLE",
                    f"{group} counts {total} ballots but only {limit} {who} are eligible",
                    f"{prefix}.{group}",
                )
            )
    return problems


def score(counts: Counts, weights: Weights) -> Scores:
    party = counts.party_for / (counts.party_for + counts.party_against + counts.party_abstain)
    representative = counts.representative_for / (
        counts.representative_for + counts.representative_against + counts.representative_abstain
    )
    ratings = counts.satisfied + counts.basically_satisfied + counts.dissatisfied
    satisfaction = (
        counts.satisfied + weights.basically_credit * counts.basically_satisfied
    ) / ratings
    composite = (
        weights.party * party
        + weights.representative * representative
        + weights.satisfaction * satisfaction
    )
    return Scores(party, representative, satisfaction, composite)
