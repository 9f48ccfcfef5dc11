"""The core metrics the plugin records into, per village and month (towns and the county
aggregate them with ``metricSeries``)."""

from __future__ import annotations

from core import MetricSpec

from . import KEY


def _count(slug: str, name: str, description: str) -> MetricSpec:
    return MetricSpec(
        code=f"{KEY}.{slug}",
        name=name,
        unit_of_measure="人",
        aggregation="SUM",
        value_type="INTEGER",
        description=description,
    )


def _mean(degree: str, name: str) -> MetricSpec:
    return MetricSpec(
        code=f"{KEY}.{degree}_mean",
        name=name,
        unit_of_measure="分",
        aggregation="AVG",
        value_type="DECIMAL",
        description=f"The {degree} score (0–100) of each assessment closed in the period, "
        "averaged by the database over the villages asked for.",
    )


METRICS = [
    _count(
        "reserve_cadres_nominated",
        "提名后备干部数 reserve cadres nominated",
        "Reserve cadres named for a village (threeDegreeNominate).",
    ),
    _count(
        "reserve_cadres_assessed",
        "完成三度测评数 reserve cadres assessed",
        "Three-degree assessments closed (threeDegreeCloseAssessment).",
    ),
    _count(
        "reserve_cadres_on_trial",
        "试岗后备干部数 reserve cadres on trial",
        "Reserve cadres sent to a 2-month trial post after the assessment and public notice.",
    ),
    _count(
        "reserve_cadres_pooled",
        "入选人选库数 reserve cadres pooled",
        "Reserve cadres found fit after their trial and entered in a candidate pool.",
    ),
    _count(
        "reserve_cadres_rejected",
        "未通过后备干部数 reserve cadres rejected",
        "Reserve cadres rejected: at the meeting, after an objection or after the trial.",
    ),
    _mean("loyalty", "忠诚度均分 mean loyalty score"),
    _mean("satisfaction", "满意度均分 mean satisfaction score"),
    _mean("competence", "胜任度均分 mean competence score"),
]
