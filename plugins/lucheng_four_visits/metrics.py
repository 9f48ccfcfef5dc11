"""The plugin's metrics and how its commands record observations into them.

Every observation carries a stable ``external_key`` naming what it counts (a household in a month,
a visit's ask, a finding…), so recording is idempotent and two concurrent writers cannot count the
same thing twice: the second insert hits the unique key, its transaction is rolled back and
retried. Values are per village and month; ``metricSeries`` sums them over towns and the district.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from core import MetricSpec
from core.metrics.models import MetricDefinition, Observation, Period

from . import KEY
from .models import Ask

HOUSEHOLDS_VISITED = f"{KEY}.households_visited"
VISITS_BY_ASK = {ask: f"{KEY}.visits_{ask.value.lower()}" for ask in Ask}
FINDINGS_OPENED = f"{KEY}.findings_opened"
FINDINGS_RESOLVED = f"{KEY}.findings_resolved"
RESOLUTION_DAYS = f"{KEY}.resolution_days"
TEAM_COMPOSITE = f"{KEY}.team_composite"
MEMBER_COMPOSITE = f"{KEY}.member_composite"

ASK_TITLES = {
    Ask.NEEDS: "访民问需 visits asking residents' needs",
    Ask.GRIEVANCE: "访怨问由 visits asking the aggrieved the causes",
    Ask.ADVICE: "访贤问计 visits asking the capable for advice",
    Ask.EFFECT: "访能问效 visits asking the able about results",
}

METRICS: list[MetricSpec] = [
    MetricSpec(
        code=HOUSEHOLDS_VISITED,
        name="走访户数 households visited",
        unit_of_measure="户",
        aggregation="SUM",
        value_type="INTEGER",
        description="Distinct households visited per village and month (a household visited "
        "twice in a month counts once).",
    ),
    *(
        MetricSpec(
            code=code,
            name=ASK_TITLES[ask],
            unit_of_measure="次",
            aggregation="SUM",
            value_type="INTEGER",
            description=f"Visits that covered the {ask.value} ask, per village and month.",
        )
        for ask, code in VISITS_BY_ASK.items()
    ),
    MetricSpec(
        code=FINDINGS_OPENED,
        name="收集问题数 findings opened",
        unit_of_measure="件",
        aggregation="SUM",
        value_type="INTEGER",
        description="Needs, grievances and advice heard, per village and month of the visit.",
    ),
    MetricSpec(
        code=FINDINGS_RESOLVED,
        name="办结问题数 findings resolved",
        unit_of_measure="件",
        aggregation="SUM",
        value_type="INTEGER",
        description="Findings resolved, per village and month of resolution.",
    ),
    MetricSpec(
        code=RESOLUTION_DAYS,
        name="办结天数 resolution days",
        unit_of_measure="天",
        aggregation="AVG",
        value_type="DECIMAL",
        description="Days from hearing to resolving, one observation per resolved finding: "
        "metricSeries gives the mean; fourVisitsResolutionTimes gives the median.",
    ),
    MetricSpec(
        code=TEAM_COMPOSITE,
        name="两票一度 班子综合得分 team composite",
        unit_of_measure="%",
        aggregation="AVG",
        value_type="PERCENT",
        description="Composite of a village team (0.3 party-member approval + 0.5 representative "
        "approval + 0.2 satisfaction), in percent, per village and vote round.",
    ),
    MetricSpec(
        code=MEMBER_COMPOSITE,
        name="两票一度 成员综合得分 member composite",
        unit_of_measure="%",
        aggregation="AVG",
        value_type="PERCENT",
        description="Composite of a team member, in percent, per person, village and vote round.",
    ),
]


def month_of(day: date) -> date:
    return day.replace(day=1)


class Recorder:
    """Adds observations inside a command's transaction, once per external key."""

    def __init__(self, session: Any, actor: str | None, *, check: bool = True):
        self.session = session
        self.actor = actor
        #: Look for the key before adding; the demo, which writes only new rows, skips it.
        self.check = check
        self._metrics: dict[str, int | None] = {}

    async def _metric_id(self, code: str) -> int | None:
        if code not in self._metrics:
            self._metrics[code] = await self.session.scalar(
                select(MetricDefinition.id).where(MetricDefinition.code == code)
            )
        return self._metrics[code]

    async def add(
        self,
        code: str,
        *,
        key: str,
        unit_id: int,
        day: date,
        value: float = 1,
        initiative_id: int | None = None,
        person_id: int | None = None,
    ) -> bool:
        """Record ``value`` for the month of ``day`` unless ``key`` is already recorded."""
        metric_id = await self._metric_id(code)
        if metric_id is None:  # metrics are declared on `yixian db upgrade`; none yet: skip
            return False
        external_key = f"{KEY}:{key}"
        if self.check and (
            await self.session.scalar(
                select(Observation.id).where(Observation.external_key == external_key)
            )
            is not None
        ):
            return False
        self.session.add(
            Observation(
                metric_id=metric_id,
                unit_id=unit_id,
                person_id=person_id,
                initiative_id=initiative_id,
                period_start=month_of(day),
                period=Period.MONTH,
                value=float(value),
                recorded_by=self.actor,
                external_key=external_key,
            )
        )
        return True
