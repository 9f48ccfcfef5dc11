"""The hooks of the Pingyang volunteer teams plugin: each returns data, the host does the rest."""

from __future__ import annotations

from pathlib import Path

from core import MetricSpec, PluginInfo, hookimpl
from pingyang_volunteers import KEY
from pingyang_volunteers.models import Member, Team
from pingyang_volunteers.mutations import VolunteerMutation
from pingyang_volunteers.types import PersonVolunteering, VolunteerQuery


@hookimpl
def plugin_info():
    return PluginInfo(
        key=KEY,
        title_zh="平阳 换届志愿服务队",
        title_en="Pingyang election volunteer teams",
        version="1.0.0",
        localities=("330326",),
        requires_yixian=">=0.1,<0.2",
    )


@hookimpl
def register_models():
    return [Team, Member]


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def extend_query():
    return VolunteerQuery


@hookimpl
def extend_mutation():
    return VolunteerMutation


@hookimpl
def extend_core_types():
    return {"Person": PersonVolunteering}


@hookimpl
def register_error_codes():
    return {"PINGYANG_TEAM_EMPTY": "A volunteer team needs at least one member."}


@hookimpl
def register_metrics():
    return [
        MetricSpec(
            code=f"{KEY}.members",
            name="志愿服务队队员数 volunteer team members",
            unit_of_measure="人",
            aggregation="LAST",
            value_type="INTEGER",
        )
    ]
