"""The plugin's settings per locality (``setPluginSetting``): weights, pass mark, thresholds."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, model_validator


class ThreeDegreeSettings(BaseModel):
    """Set for a unit's subtree by an admin; the value at the nearest ancestor is in force."""

    weight_self: float = Field(
        1.0, ge=0, le=100, description="Weight of the person's own talk (本人谈) in each degree."
    )
    weight_masses: float = Field(
        1.0, ge=0, le=100, description="Weight of the masses (群众问) in each degree."
    )
    weight_notables: float = Field(
        1.0, ge=0, le=100, description="Weight of local notables (乡贤能人说) in each degree."
    )
    weight_team: float = Field(
        1.0, ge=0, le=100, description="Weight of the assessment team (测评小组) in each degree."
    )
    weight_loyalty: float = Field(
        1.0, ge=0, le=100, description="Weight of loyalty (忠诚度) in the overall score."
    )
    weight_satisfaction: float = Field(
        1.0, ge=0, le=100, description="Weight of satisfaction (满意度) in the overall score."
    )
    weight_competence: float = Field(
        1.0, ge=0, le=100, description="Weight of competence (胜任度) in the overall score."
    )
    pass_mark: float = Field(
        80.0, ge=0, le=100, description="Lowest overall score an evaluation meeting may approve."
    )
    min_ratings_masses: int = Field(
        5,
        ge=1,
        le=1000,
        description="Ratings the masses (群众问) need before their scores are shown (only their "
        "count is shown until then) and before an assessment weighing them can close: it keeps "
        "the people who rate a candidate from being singled out.",
    )
    min_ratings_notables: int = Field(
        5,
        ge=1,
        le=1000,
        description="Ratings the notables (乡贤能人说) need before their scores are shown and "
        "before an assessment weighing them can close.",
    )
    min_ratings_self: int = Field(
        1,
        ge=1,
        le=1000,
        description="Ratings of the person's own talk (本人谈, one conversation) needed before "
        "they are shown and before an assessment weighing them can close.",
    )
    min_ratings_team: int = Field(
        1,
        ge=1,
        le=1000,
        description="Ratings of the assessment team (测评小组) needed before they are shown and "
        "before an assessment weighing them can close.",
    )
    notice_days: int = Field(5, ge=1, le=90, description="Shortest public notice (公示), in days.")
    trial_months: int = Field(2, ge=1, le=24, description="Length of the trial post (试岗).")

    @model_validator(mode="before")
    @classmethod
    def _legacy_min_ratings(cls, values: Any) -> Any:
        """A ``min_ratings`` stored before the minimum was set per group still protects the
        groups of many raters (masses and notables) unless their own minimum is set."""
        if isinstance(values, dict) and "min_ratings" in values:
            values = dict(values)
            legacy = values.pop("min_ratings")
            for name in ("min_ratings_masses", "min_ratings_notables"):
                values.setdefault(name, legacy)
        return values
