"""Saved queries for auditors, installed on ``yixian db upgrade``."""

from __future__ import annotations

from core import SavedQuerySpec

from . import KEY

TRIAL_OR_POOLED = """
query ThreeDegreeTrialOrPooled($underUnit: String!) {
  threeDegreeReserveCadres(underUnit: $underUnit, states: [TRIAL, POOLED], first: 100) {
    id
    state
    stateSince
    person { name homePost }
    village { code name }
    assessment { closedOn loyalty satisfaction competence overall passed }
    trialPosting { title startDate endDate status }
    outcome { decidedOn electionInitiative { code name } }
  }
}
""".strip()

REJECTIONS = """
query ThreeDegreeRejections($underUnit: String!) {
  threeDegreeReserveCadres(underUnit: $underUnit, states: [REJECTED], first: 100) {
    id
    person { name }
    village { code name }
    assessment { overall passed }
    outcome { decidedOn stage reason }
    history { fromState toState effectiveOn reason actor }
  }
}
""".strip()

SAVED_QUERIES = [
    SavedQuerySpec(
        name=f"{KEY}.trial_or_pooled",
        title="试岗及入库后备干部 reserve cadres on trial or pooled, with their three scores",
        document=TRIAL_OR_POOLED,
        description="Every reserve cadre on a trial post or in a candidate pool under a unit, "
        "with loyalty, satisfaction, competence and the overall score. Variable: underUnit.",
        tags=("wencheng", "三度测评"),
        roles=("ADMIN", "AUDITOR"),
    ),
    SavedQuerySpec(
        name=f"{KEY}.rejections",
        title="未通过后备干部 rejections with reasons and stage",
        document=REJECTIONS,
        description="Every rejected reserve cadre under a unit: the stage (meeting, notice, "
        "trial), the reasons and the history. Variable: underUnit.",
        tags=("wencheng", "三度测评"),
        roles=("ADMIN", "AUDITOR"),
    ),
]
