"""Scores of an assessment: a degree is the weighted mean over rater groups of the group's mean,
the overall score the weighted mean of the degrees, under the configuration of the assessment."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core import DomainError

from .models import RaterGroup, Rating
from .settings import ThreeDegreeSettings

DEGREES = ("loyalty", "satisfaction", "competence")
#: Floating-point noise in a weighted mean (80 computed as 79.99999999999999) still passes 80.
PASS_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Config:
    """The rules an assessment is scored under, kept with it (``ReserveCadre.config``)."""

    group_weights: dict[str, float]
    degree_weights: dict[str, float]
    pass_mark: float
    #: Per rater group, the ratings it needs to be shown and to let the assessment close.
    min_ratings: dict[str, int]

    @classmethod
    def from_settings(cls, settings: ThreeDegreeSettings) -> Config:
        config = cls(
            group_weights={
                g.value: getattr(settings, f"weight_{g.value.lower()}") for g in RaterGroup
            },
            degree_weights={d: getattr(settings, f"weight_{d}") for d in DEGREES},
            pass_mark=settings.pass_mark,
            min_ratings={
                g.value: getattr(settings, f"min_ratings_{g.value.lower()}") for g in RaterGroup
            },
        )
        if not any(config.group_weights.values()) or not any(config.degree_weights.values()):
            raise DomainError.one(
                "THREE_DEGREE_INVALID_CONFIGURATION",
                "the settings in force give every rater group (or every degree) a weight of 0; "
                "an admin must give at least one a positive weight (setPluginSetting)",
                "villageCode",
            )
        return config

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Config:
        minimum = data["min_ratings"]
        if not isinstance(minimum, dict):
            # Kept by a record nominated when one minimum held for every group: it keeps it.
            minimum = {g.value: minimum for g in RaterGroup}
        return cls(
            group_weights={k: float(v) for k, v in data["group_weights"].items()},
            degree_weights={k: float(v) for k, v in data["degree_weights"].items()},
            pass_mark=float(data["pass_mark"]),
            min_ratings={k: int(v) for k, v in minimum.items()},
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "group_weights": self.group_weights,
            "degree_weights": self.degree_weights,
            "pass_mark": self.pass_mark,
            "min_ratings": self.min_ratings,
        }

    def minimum(self, group: RaterGroup) -> int:
        """The ratings ``group`` needs to be shown (at least 1: an empty group shows nothing)."""
        return max(1, self.min_ratings.get(group.value, 1))

    def reaches_pass_mark(self, overall: float) -> bool:
        """Whether the unrounded ``overall`` reaches the pass mark: 79.996 fails a mark of 80
        although it shows as 80.0. ``PASS_TOLERANCE`` absorbs only floating-point noise."""
        return overall >= self.pass_mark - PASS_TOLERANCE

    @property
    def counted_groups(self) -> list[RaterGroup]:
        """The groups whose ratings enter the scores: those with a positive weight."""
        return [g for g in RaterGroup if self.group_weights.get(g.value, 0) > 0]


@dataclass(frozen=True)
class GroupScores:
    group: RaterGroup
    count: int
    #: The ratings it needs to be shown (``Config.min_ratings``).
    minimum: int
    #: Whether the group has enough ratings to be shown.
    shown: bool
    means: dict[str, float] | None
    ratings: list[Rating]


@dataclass(frozen=True)
class Scores:
    groups: list[GroupScores]
    #: Degree scores and the overall score; None until every counted group is shown.
    degrees: dict[str, float] | None
    overall: float | None

    @property
    def complete(self) -> bool:
        return self.overall is not None

    def short_groups(self, config: Config) -> list[GroupScores]:
        counted = set(config.counted_groups)
        return [g for g in self.groups if g.group in counted and not g.shown]


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values)


def _weighted(values: dict[str, float], weights: dict[str, float]) -> float:
    total = sum(weights[k] for k in values)
    return sum(values[k] * weights[k] for k in values) / total


def score(ratings: Iterable[Rating], config: Config) -> Scores:
    """Group means, degree scores and the overall score of ``ratings`` under ``config``.

    A group's means are shown only with at least its minimum of ratings (5 masses, 5 notables,
    1 talk with the person, 1 team rating by default). The degree and overall
    scores are given only when every counted group is shown, so that they never reveal the
    ratings of a group too small to show (the masses who rate a candidate are protected).
    """
    by_group: dict[RaterGroup, list[Rating]] = {g: [] for g in RaterGroup}
    for rating in ratings:
        by_group[rating.rater_group].append(rating)
    groups = []
    for group, rows in by_group.items():
        minimum = config.minimum(group)
        shown = len(rows) >= minimum
        means = {d: _mean(getattr(r, d) for r in rows) for d in DEGREES} if shown else None
        groups.append(GroupScores(group, len(rows), minimum, shown, means, rows if shown else []))
    counted = {g.group: g for g in groups if g.group in config.counted_groups}
    if not all(g.shown for g in counted.values()):
        return Scores(groups, None, None)
    group_weights = {g.value: config.group_weights[g.value] for g in counted}
    degrees = {
        d: _weighted({g.value: s.means[d] for g, s in counted.items()}, group_weights)
        for d in DEGREES
    }
    overall = _weighted(degrees, config.degree_weights)
    return Scores(groups, degrees, overall)


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
