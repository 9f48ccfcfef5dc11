"""Metrics: definitions, batches of observations (all or nothing), series computed by the DB."""

from sqlalchemy import func, select

from core.metrics.models import Observation
from tests.factories import create_tree

DEFINE = """
mutation($input: DefineMetricInput!) {
  defineMetric(input: $input) { metric { code aggregation valueType source } errors { code field } }
}"""

RECORD = """
mutation($items: [ObservationInput!]!) {
  recordObservations(observations: $items) {
    observations { value unit { code } metric { code } } errors { code field message }
  }
}"""

SERIES = """
query($metric: String!, $under: String!, $groupBy: SeriesGrouping, $from: Date, $to: Date) {
  metricSeries(metric: $metric, underUnit: $under, groupBy: $groupBy, from: $from, to: $to) {
    unit { code } periodStart value count
  }
}"""

VISITS = "test.households_visited"


async def define(client, code=VISITS, aggregation="SUM", value_type="INTEGER"):
    result = await client.execute(
        DEFINE,
        input={
            "code": code,
            "name": "走访户数",
            "unitOfMeasure": "户",
            "aggregation": aggregation,
            "valueType": value_type,
        },
    )
    assert result.data["defineMetric"]["errors"] == [], result.data
    return result.data["defineMetric"]["metric"]


def obs(unit, day, value, metric=VISITS):
    return {"metric": metric, "unitCode": unit, "periodStart": day, "value": value, "period": "DAY"}


async def record(client, *items):
    result = await client.execute(RECORD, items=list(items))
    assert result.errors is None, result.errors
    return result.data["recordObservations"]


async def test_a_defined_metric_is_listed(client):
    await define(client)
    result = await client.execute("{ metrics { code aggregation valueType source } }")
    assert {
        "code": VISITS,
        "aggregation": "SUM",
        "valueType": "INTEGER",
        "source": "core",
    } in result.data["metrics"]


async def test_a_duplicate_metric_code_is_refused(client):
    await define(client)
    result = await client.execute(
        DEFINE, input={"code": VISITS, "name": "x", "unitOfMeasure": "户", "aggregation": "SUM"}
    )
    assert result.data["defineMetric"]["errors"] == [{"code": "DUPLICATE", "field": "code"}]


async def test_a_batch_with_one_bad_item_records_nothing(client, sessionmaker):
    """An undefined metric, a fraction for a count and an unknown unit, each named by index."""
    await create_tree(client)
    await define(client)
    payload = await record(
        client,
        obs("330302101001", "2020-04-01", 10),
        obs("330302101001", "2020-04-01", 1, metric="nope"),
        obs("330302101002", "2020-04-01", 2.5),
        obs("000", "2020-04-01", 1),
    )
    assert payload["observations"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("UNKNOWN_METRIC", "observations.1.metric"),
        ("INVALID_VALUE", "observations.2.value"),
        ("NOT_FOUND", "observations.3.unitCode"),
    ]
    async with sessionmaker() as session:
        assert (await session.execute(select(func.count(Observation.id)))).scalar_one() == 0


async def test_a_value_of_the_wrong_graphql_type_is_a_validation_error(client):
    await define(client)
    result = await client.execute(RECORD, items=[obs("330302", "2020-04-01", "many")])
    assert result.status_code == 200
    assert result.data is None
    assert "many" in result.errors[0]["message"]


async def test_a_series_sums_the_subtree_by_town_and_month(client):
    """Visits per town per month under the city; a sibling district gets its own town."""
    await create_tree(client)
    await define(client)
    payload = await record(
        client,
        obs("330302101001", "2020-04-03", 100),
        obs("330302101002", "2020-04-20", 50),
        obs("330302101001", "2020-05-02", 30),
        obs("330304101", "2020-04-11", 7),
        obs("330302", "2020-04-11", 1000),  # at the district: in no town
    )
    assert payload["errors"] == []
    result = await client.execute(
        SERIES, metric=VISITS, under="330300", groupBy={"level": "TOWN", "period": "MONTH"}
    )
    assert result.errors is None
    assert result.data["metricSeries"] == [
        {"unit": {"code": "330302101"}, "periodStart": "2020-04-01", "value": 150.0, "count": 2},
        {"unit": {"code": "330302101"}, "periodStart": "2020-05-01", "value": 30.0, "count": 1},
        {"unit": {"code": "330304101"}, "periodStart": "2020-04-01", "value": 7.0, "count": 1},
    ]
    whole = await client.execute(SERIES, metric=VISITS, under="330302")
    assert whole.data["metricSeries"] == [
        {"unit": {"code": "330302"}, "periodStart": None, "value": 1180.0, "count": 4}
    ]
    april = await client.execute(
        SERIES,
        metric=VISITS,
        under="330302",
        **{"from": "2020-04-01"},
        to="2020-04-30",
        groupBy={"period": "QUARTER"},
    )
    assert april.data["metricSeries"] == [
        {"unit": {"code": "330302"}, "periodStart": "2020-04-01", "value": 1150.0, "count": 3}
    ]


async def test_last_takes_the_latest_value_and_avg_averages(client):
    await create_tree(client)
    await define(client, code="test.households", aggregation="LAST")
    await define(client, code="test.score", aggregation="AVG", value_type="PERCENT")
    await record(
        client,
        obs("330302101001", "2020-01-01", 300, metric="test.households"),
        obs("330302101001", "2020-06-01", 320, metric="test.households"),
        obs("330302101001", "2020-06-01", 80, metric="test.score"),
        obs("330302101002", "2020-06-01", 90, metric="test.score"),
    )
    last = await client.execute(
        SERIES, metric="test.households", under="330302101", groupBy={"level": "VILLAGE"}
    )
    assert last.data["metricSeries"] == [
        {"unit": {"code": "330302101001"}, "periodStart": None, "value": 320.0, "count": 2}
    ]
    avg = await client.execute(SERIES, metric="test.score", under="330302")
    assert avg.data["metricSeries"][0]["value"] == 85.0


async def test_last_sums_each_units_latest_value_over_the_group(client):
    """Households are a stock: the town's point is the sum of its villages' latest counts."""
    await create_tree(client)
    await define(client, code="test.households", aggregation="LAST")
    await record(
        client,
        obs("330302101001", "2020-01-01", 300, metric="test.households"),
        obs("330302101001", "2020-06-01", 320, metric="test.households"),
        obs("330302101002", "2020-03-01", 200, metric="test.households"),
    )
    town = await client.execute(
        SERIES, metric="test.households", under="330302101", groupBy={"level": "TOWN"}
    )
    assert town.data["metricSeries"] == [
        {"unit": {"code": "330302101"}, "periodStart": None, "value": 520.0, "count": 3}
    ]


async def test_a_period_start_must_open_its_period(client):
    """A WEEK starting on a Wednesday or a MONTH on the 15th is refused."""
    await create_tree(client)
    await define(client)
    week = {**obs("330302", "2020-04-01", 1), "period": "WEEK"}  # a Wednesday
    month = {**obs("330302", "2020-04-15", 1), "period": "MONTH"}
    payload = await record(client, week, month)
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("INVALID", "observations.0.periodStart"),
        ("INVALID", "observations.1.periodStart"),
    ]


async def test_a_percentage_above_100_is_refused(client):
    await create_tree(client)
    await define(client, code="test.score", aggregation="AVG", value_type="PERCENT")
    payload = await record(client, obs("330302", "2020-01-01", 101, metric="test.score"))
    assert payload["errors"][0]["code"] == "INVALID_VALUE"


async def test_series_errors_name_the_argument(client):
    await create_tree(client)
    unknown = await client.execute(SERIES, metric="nope", under="330302")
    assert unknown.errors[0]["extensions"] == {"code": "UNKNOWN_METRIC", "field": "metric"}
    await define(client)
    reversed_range = await client.execute(
        SERIES, metric=VISITS, under="330302", **{"from": "2020-05-01"}, to="2020-04-01"
    )
    assert reversed_range.errors[0]["extensions"]["code"] == "DATE_ORDER"
