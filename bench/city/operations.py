"""The four operations of the city benchmark: their GraphQL documents (as yixian serves them today,
schema/schema.graphql) and the variables the benchmark sends.

The floor (floor.py) answers the same request bodies, dispatching on ``operationName``, with the
same JSON shape, so one wrk script drives both servers.
"""

from __future__ import annotations

#: a. A town's page: the town, its villages, each village's ACTIVE postings and who is posted.
TOWN_PAGE = """
query TownPage($code: String!) {
  unit(code: $code) {
    code
    name
    children {
      code
      name
      postings(status: ACTIVE) { id role startDate person { name } }
    }
  }
}"""

#: b. The people page: the first 100 ACTIVE postings under a district, newest start first, with
#: the person (name, home unit) and the host unit.
POSTINGS_PAGE = """
query DistrictPostings($code: String!) {
  postings(filter: {underUnit: $code, status: ACTIVE}, first: 100) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        role
        startDate
        person { name homeUnit { code name } }
        hostUnit { code name }
      }
    }
  }
}"""

#: c. One metric under a district, by town × month over one year.
SERIES = """
query DistrictSeries($metric: String!, $code: String!, $from: Date!, $to: Date!) {
  metricSeries(metric: $metric, underUnit: $code, groupBy: {level: TOWN, period: MONTH},
               from: $from, to: $to) {
    unit { code name }
    periodStart
    value
    count
  }
}"""

#: d. One observation of the benchmark's own metric (value 1).
RECORD = """
mutation RecordOne($observations: [ObservationInput!]!) {
  recordObservations(observations: $observations) {
    observations { id value periodStart unit { code } }
    errors { code field message }
  }
}"""

#: Defines the benchmark's metric (sent once, as the admin, to yixian).
DEFINE_METRIC = """
mutation DefineBenchMetric($input: DefineMetricInput!) {
  defineMetric(input: $input) {
    metric { code aggregation valueType }
    errors { code field message }
  }
}"""

#: The benchmark's own metric: every write of the benchmark is an observation of it.
BENCH_METRIC = "bench.city_writes"
#: The metric of the series (SUM of whole numbers: exact in floating point either way).
SERIES_METRIC = "core.households_visited"
SERIES_FROM = "2024-01-01"
SERIES_TO = "2024-12-31"
#: Every write records this period (the same each time: observations are not unique per period).
WRITE_PERIOD = "2000-01-01"

#: operation key → (label, operationName, document)
OPERATIONS = {
    "town": ("a. town page", "TownPage", TOWN_PAGE),
    "people": ("b. people page (100 postings)", "DistrictPostings", POSTINGS_PAGE),
    "series": ("c. metricSeries town × month", "DistrictSeries", SERIES),
    "write": ("d. recordObservations ×1", "RecordOne", RECORD),
}


def variables(key: str, *, district: str, town: str, village: str) -> dict:
    """The variables the benchmark sends for operation ``key``."""
    if key == "town":
        return {"code": town}
    if key == "people":
        return {"code": district}
    if key == "series":
        return {"metric": SERIES_METRIC, "code": district, "from": SERIES_FROM, "to": SERIES_TO}
    if key == "write":
        return {
            "observations": [
                {
                    "metric": BENCH_METRIC,
                    "unitCode": village,
                    "periodStart": WRITE_PERIOD,
                    "value": 1,
                }
            ]
        }
    raise KeyError(key)


def body(key: str, **where: str) -> dict:
    _label, name, document = OPERATIONS[key]
    return {"query": document, "operationName": name, "variables": variables(key, **where)}
