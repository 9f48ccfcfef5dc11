"""The plugin's settings per locality (``setPluginSetting``): weights, credits and thresholds."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FourVisitsSettings(BaseModel):
    party_member_weight: float = Field(
        0.3,
        ge=0,
        le=100,
        description="Weight of the party-member trust vote (党员信任票) in 3:5:2.",
    )
    representative_weight: float = Field(
        0.5,
        ge=0,
        le=100,
        description="Weight of the villager-representative trust vote (村民代表信任票) in 3:5:2.",
    )
    satisfaction_weight: float = Field(
        0.2, ge=0, le=100, description="Weight of the satisfaction rating (满意度) in 3:5:2."
    )
    basically_satisfied_credit: float = Field(
        0.5,
        ge=0,
        le=1,
        description="How much a 'basically satisfied' (基本满意) rating counts towards "
        "satisfaction; 'satisfied' counts 1, 'dissatisfied' 0.",
    )
    default_due_days: int = Field(
        15,
        gt=0,
        le=365,
        description="Days a responsible unit has when a finding is assigned without a due date.",
    )
    coverage_alert_below: float = Field(
        0.6, ge=0, le=1, description="Coverage under which a village is lagging (0.6 = 60%)."
    )
    coverage_alert_days_left: int = Field(
        14,
        ge=0,
        le=3650,
        description="Days before the campaign's end from which lagging villages are reported.",
    )
