"""The plugin's settings per locality (``setPluginSetting``): weights, pass mark, thresholds."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
    min_ratings: int = Field(
        5,
        ge=1,
        le=1000,
        description="Ratings a rater group needs before its scores are shown (only its count is "
        "shown until then); every weighted group needs as many to close an assessment.",
    )
    notice_days: int = Field(5, ge=1, le=90, description="Shortest public notice (公示), in days.")
    trial_months: int = Field(2, ge=1, le=24, description="Length of the trial post (试岗).")
