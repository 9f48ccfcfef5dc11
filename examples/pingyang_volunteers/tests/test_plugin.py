"""The plugin's own tests, written with yixian's test kit (fixtures come with yixian)."""

import pingyang_volunteers.plugin as plugin

SETUP = """
mutation {
  a: createUnit(input: {code: "330326", name: "平阳县", kind: DISTRICT}) { errors { code } }
  b: createUnit(input: {code: "330326101", name: "昆阳镇", kind: TOWN, parentCode: "330326"}) {
    errors { code }
  }
  p: createPerson(input: {name: "叶来旺", homeUnitCode: "330326101"}) { person { id } }
}"""

FORM = """
mutation($person: ID!) {
  formVolunteerTeam(input: {unitCode: "330326101", name: "府前社区志愿服务队",
                            formedOn: "2020-08-01", members: [{personId: $person, duty: SURVEY}]}) {
    team { name members { duty person { name volunteerTeams { name } } } }
    errors { code field }
  }
}"""


async def test_a_team_is_formed_and_shows_on_its_members(yixian_app):
    """A village's team lists its member, and the member's Person shows the team."""
    client = await yixian_app(plugins=[plugin])
    person = (await client.execute(SETUP)).data["p"]["person"]["id"]
    result = await client.execute(FORM, person=person)
    assert result.errors is None
    assert result.data["formVolunteerTeam"] == {
        "team": {
            "name": "府前社区志愿服务队",
            "members": [
                {
                    "duty": "SURVEY",
                    "person": {
                        "name": "叶来旺",
                        "volunteerTeams": [{"name": "府前社区志愿服务队"}],
                    },
                }
            ],
        },
        "errors": [],
    }
