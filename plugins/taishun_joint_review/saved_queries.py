"""Saved queries for auditors (``register_saved_queries``), installed by ``yixian db upgrade``."""

from __future__ import annotations

from core import SavedQuerySpec

from . import KEY
from .metrics import DEPARTMENT_TURNAROUND, OUTCOME, OVERDUE
from .models import CandidateStatus

FLAGGED_CANDIDATES = """
query JointReviewFlaggedCandidates($underUnit: String!, $from: Date, $to: Date) {
  jointReviewCandidates(
    underUnit: $underUnit
    statuses: [DISQUALIFIED, FLAGGED]
    concludedFrom: $from
    concludedTo: $to
    first: 200
  ) {
    name
    post
    villageName
    status
    concludedAt
    batch { title townName initiativeCode submittedAt }
    requests(verdicts: [CONCERN, DISQUALIFY]) {
      department { code name }
      verdict
      reason
      rule
      answeredAt
      answeredBy
    }
  }
}
""".strip()

TURNAROUND_BY_DEPARTMENT = f"""
query JointReviewTurnaroundByDepartment($underUnit: String!, $from: Date!, $to: Date!) {{
  turnaround: metricSeries(
    metric: "{DEPARTMENT_TURNAROUND}"
    underUnit: $underUnit
    groupBy: {{level: DEPARTMENT}}
    from: $from
    to: $to
  ) {{
    unit {{ code name }}
    value
    count
  }}
  overdue: metricSeries(
    metric: "{OVERDUE}"
    underUnit: $underUnit
    groupBy: {{level: DEPARTMENT}}
    from: $from
    to: $to
  ) {{
    unit {{ code name }}
    value
  }}
}}
""".strip()

OUTCOMES_BY_TOWN = f"""
query JointReviewOutcomesByTown($underUnit: String!, $from: Date!, $to: Date!) {{
  cleared: metricSeries(
    metric: "{OUTCOME[CandidateStatus.CLEARED]}"
    underUnit: $underUnit
    groupBy: {{level: TOWN, period: MONTH}}
    from: $from
    to: $to
  ) {{ unit {{ code name }} periodStart value }}
  flagged: metricSeries(
    metric: "{OUTCOME[CandidateStatus.FLAGGED]}"
    underUnit: $underUnit
    groupBy: {{level: TOWN, period: MONTH}}
    from: $from
    to: $to
  ) {{ unit {{ code name }} periodStart value }}
  disqualified: metricSeries(
    metric: "{OUTCOME[CandidateStatus.DISQUALIFIED]}"
    underUnit: $underUnit
    groupBy: {{level: TOWN, period: MONTH}}
    from: $from
    to: $to
  ) {{ unit {{ code name }} periodStart value }}
}}
""".strip()

SAVED_QUERIES = [
    SavedQuerySpec(
        name=f"{KEY}.flagged-candidates",
        title="联审未通过人选 Disqualified and flagged candidates, with departments and reasons",
        document=FLAGGED_CANDIDATES,
        description="Candidates under a unit (e.g. 330329 泰顺县) that a department disqualified "
        "or raised a concern about, concluded between two days (CST), with each objecting "
        "department, its verdict, reason and rule. Variables: underUnit, from, to. At most 200 "
        "candidates, newest conclusion first (the cap of jointReviewCandidates): narrow from/to "
        "when the list reaches 200.",
        tags=("taishun", "joint-review", "audit"),
    ),
    SavedQuerySpec(
        name=f"{KEY}.turnaround-by-department",
        title="各部门联审用时 Turnaround by department for a period",
        document=TURNAROUND_BY_DEPARTMENT,
        description="Average hours each member department took to answer, for candidates "
        "concluded in the months from `from` to `to`, and its overdue requests, whose deadline "
        "fell in those months.",
        tags=("taishun", "joint-review", "metrics"),
    ),
    SavedQuerySpec(
        name=f"{KEY}.outcomes-by-town",
        title="各乡镇联审结果 Candidates cleared, flagged and disqualified per town and month",
        document=OUTCOMES_BY_TOWN,
        description="Per town and month: candidates cleared, flagged and disqualified.",
        tags=("taishun", "joint-review", "metrics"),
    ),
]
