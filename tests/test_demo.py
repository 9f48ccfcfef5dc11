"""The demo data: the reports' units, schemes and figures, loaded once however often it runs."""

from core.demo.load import load_demo

UNIT = """
query($code: String!) {
  unit(code: $code) { name kind children { code name kind } }
}"""

SERIES = """
query($metric: String!, $under: String!) {
  metricSeries(metric: $metric, underUnit: $under) { value count }
}"""

TOTALS = """
{
  units(first: 1) { totalCount }
  people(first: 1) { totalCount }
  postings(first: 1) { totalCount }
  initiatives(first: 1) { totalCount }
}"""

INITIATIVES = """
{
  initiatives(first: 100) { totalCount edges { node { code scheme } } }
}"""

POSTINGS = """
query($status: PostingStatus!) {
  postings(filter: {status: $status}, first: 100) {
    totalCount edges { node { title recallReason person { name } hostUnit { code } } }
  }
}"""

#: Every scheme SCHEMES.md describes, as its plugin key.
SCHEMES = {
    "taishun.joint_review",
    "wencheng.three_degree",
    "lucheng.four_visits",
    "lucheng.two_votes_one_rating",
    "ouhai.standard_year",
    "yueqing.graduates_135",
    "yongjia.two_promotions_one_stability",
    "pingyang.election_volunteers",
    "cangnan.member_home_visits",
    "longwan.two_evaluations_three_exams",
    "dongtou.secretary_home_visits",
    "ruian.form_map_book_rates",
    "longgang.three_visits_three_inspections",
    "zhenan.problems_to_zero",
    "sanmen.five_line",
    "sanmen.project_vote",
    "tongzhou.frontline_secondment",
    "tongzhou.erjia_grids",
    "xiangxiang.sentiment_talks",
    "xiangxiang.frontline_work",
    "xiangxiang.cadre_evaluation",
    "chaoyang.four_roles",
    "shenhe.wanlian_party_projects",
    "fushun.sanjiazi_services",
    "dawa.rotation",
    "qinghe.industry_party_committee",
}


async def seed(sessionmaker) -> dict[str, int]:
    async with sessionmaker() as session:
        counts = await load_demo(session)
        await session.commit()
    return counts


async def test_lucheng_holds_tengqiao(gql, sessionmaker):
    """鹿城区 is a district whose towns include 藤桥镇."""
    # given
    await seed(sessionmaker)
    # when
    body = await gql(UNIT, code="330302")
    # then
    assert "errors" not in body
    unit = body["data"]["unit"]
    assert (unit["name"], unit["kind"]) == ("鹿城区", "DISTRICT")
    assert {"code": "330302101", "name": "藤桥镇", "kind": "TOWN"} in unit["children"]


async def test_four_visit_households_sum_to_the_reported_32000(gql, sessionmaker):
    """The households visited, spread over towns and months, add up to 32,000 under 鹿城区."""
    # given
    await seed(sessionmaker)
    # when
    body = await gql(SERIES, metric="lucheng.four_visits.households_visited", under="330302")
    # then
    assert "errors" not in body
    points = body["data"]["metricSeries"]
    assert len(points) == 1
    assert points[0]["value"] == 32000
    assert points[0]["count"] > 1


async def test_loading_twice_creates_nothing_new(gql, sessionmaker):
    """A second load returns all-zero counts and leaves every total unchanged."""
    # given
    first = await seed(sessionmaker)
    before = await gql(TOTALS)
    # when
    second = await seed(sessionmaker)
    after = await gql(TOTALS)
    # then
    assert all(n > 0 for n in first.values()), first
    assert second == {kind: 0 for kind in first}
    assert after == before
    assert before["data"]["units"]["totalCount"] == first["units"]
    assert before["data"]["people"]["totalCount"] == first["people"]
    assert before["data"]["postings"]["totalCount"] == first["postings"]
    assert before["data"]["initiatives"]["totalCount"] == first["initiatives"]


async def test_every_scheme_has_an_initiative(gql, sessionmaker):
    """Each scheme of SCHEMES.md is the scheme of at least one initiative, and no other is."""
    # given
    await seed(sessionmaker)
    # when
    body = await gql(INITIATIVES)
    # then
    connection = body["data"]["initiatives"]
    assert connection["totalCount"] == len(connection["edges"])
    assert {edge["node"]["scheme"] for edge in connection["edges"]} == SCHEMES


async def test_taishun_has_its_15_review_departments(gql, sessionmaker):
    """泰顺县 has the 15 joint-review departments as children, and a metric saying so."""
    # given
    await seed(sessionmaker)
    # when
    unit = await gql(UNIT, code="330329")
    departments = await gql(SERIES, metric="taishun.joint_review.departments", under="330329")
    # then
    children = unit["data"]["unit"]["children"]
    names = {c["name"] for c in children if c["kind"] == "DEPARTMENT"}
    assert len(names) == 15
    assert {"县纪委", "县委组织部"} <= names
    assert departments["data"]["metricSeries"][0]["value"] == 15


async def test_postings_show_every_state(gql, sessionmaker):
    """Active, planned, completed and recalled postings all occur; a recall gives its reason."""
    # given
    await seed(sessionmaker)
    # when
    bodies = {
        s: await gql(POSTINGS, status=s) for s in ("ACTIVE", "PLANNED", "COMPLETED", "RECALLED")
    }
    # then
    for status, body in bodies.items():
        assert body["data"]["postings"]["totalCount"] > 0, status
    recalled = [e["node"] for e in bodies["RECALLED"]["data"]["postings"]["edges"]]
    assert all(node["recallReason"] for node in recalled)
    completed = {
        (e["node"]["person"]["name"], e["node"]["title"])
        for e in bodies["COMPLETED"]["data"]["postings"]["edges"]
    }
    assert ("毛武勇", "挂职任珠岙镇党委副书记") in completed
