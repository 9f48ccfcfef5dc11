"""Saved queries the plugin ships (``register_saved_queries``), installed on db upgrade."""

from __future__ import annotations

from core import SavedQuerySpec

from . import KEY
from .vetting import VETTER

COVERAGE_BY_VILLAGE = """
query FourVisitsCoverageByVillage($campaign: String!, $underUnit: String!, $belowRate: Float) {
  fourVisitsCoverage(campaign: $campaign, underUnit: $underUnit, level: VILLAGE,
                     belowRate: $belowRate) {
    unit { code name parent { name } }
    households
    householdsVisited
    rate
    villagesWithoutCount
  }
}
"""

UNRESOLVED_GRIEVANCES = """
query FourVisitsUnresolvedGrievances($underUnit: String!, $days: Int!, $first: Int,
                                     $after: String) {
  fourVisitsFindings(underUnit: $underUnit, kind: GRIEVANCE, unresolved: true,
                     olderThanDays: $days, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id summary status openedOn dueOn overdue
        village { code name }
        responsibleUnit { code name }
      }
    }
  }
}
"""

TEAMS_BELOW_COMPOSITE = """
query FourVisitsTeamsBelowComposite($underUnit: String!, $below: Float!, $initiative: String,
                                    $first: Int, $after: String) {
  fourVisitsVoteRounds(underUnit: $underUnit, belowComposite: $below, initiative: $initiative,
                       first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        heldOn
        village { code name }
        initiative { code }
        weights { partyMember representative satisfaction basicallySatisfiedCredit }
        team {
          composite
          partyMemberVote { approval }
          representativeVote { approval }
          satisfaction { score }
        }
        members { person { name } composite }
      }
    }
  }
}
"""

SAVED_QUERIES = [
    SavedQuerySpec(
        name=f"{KEY}.coverage-by-village",
        title="四访四问 各村走访覆盖率 coverage by village under a unit",
        document=COVERAGE_BY_VILLAGE,
        description="Distinct households visited in a campaign over each village's households, "
        "for every village under a unit; pass belowRate (0–1) for only the lagging ones.",
        tags=(KEY, "coverage"),
        roles=("ADMIN", "AUDITOR", "OPERATOR", "VIEWER"),
    ),
    SavedQuerySpec(
        name=f"{KEY}.unresolved-grievances",
        title="四访四问 超期未办结诉求 unresolved grievances older than N days",
        document=UNRESOLVED_GRIEVANCES,
        description="Grievances (访怨问由) still OPEN or ASSIGNED, heard more than $days days ago.",
        tags=(KEY, "findings"),
        roles=("ADMIN", "AUDITOR", "OPERATOR", "VIEWER"),
    ),
    SavedQuerySpec(
        name=f"{KEY}.teams-below-composite",
        title="两票一度 综合得分偏低的村社班子 village teams below a composite score",
        document=TEAMS_BELOW_COMPOSITE,
        description="Village teams whose 3:5:2 composite is under $below (0–1), lowest first, "
        "with their members' composites.",
        tags=(KEY, "votes"),
        roles=("ADMIN", "AUDITOR", "OPERATOR", VETTER),
    ),
]
