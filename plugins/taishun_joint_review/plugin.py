"""The hooks of 泰顺 云联审: each returns data defined elsewhere in the package."""

from __future__ import annotations

from pathlib import Path

from core import PluginInfo, RoleSpec, hookimpl

from . import KEY, REVIEWER, demo
from .codes import ERROR_CODES
from .metrics import METRICS
from .models import Batch, BatchDepartment, Candidate, Member, Request, VerdictVersion
from .mutations import MUTATIONS
from .queries import JointReviewQuery
from .saved_queries import SAVED_QUERIES
from .settings import JointReviewSettings
from .types import PersonJointReviews


@hookimpl
def plugin_info():
    return PluginInfo(
        key=KEY,
        title_zh="泰顺 云联审",
        title_en="Taishun online joint review of election candidates",
        version="1.0.0",
        localities=("330329",),
        requires_yixian=">=0.1,<0.2",
        description="Member departments vet a town's preliminary election candidates online, "
        "in parallel, within 2.5 working days.",
    )


@hookimpl
def register_models():
    return [Member, Batch, BatchDepartment, Candidate, Request, VerdictVersion]


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def register_roles():
    return [
        RoleSpec(
            name=REVIEWER,
            description="Records one department's verdicts (联审成员单位审核人员); granted at "
            "that DEPARTMENT unit.",
            unit_kind="DEPARTMENT",
            reads=True,
            writes=False,
            single_unit=True,
        )
    ]


@hookimpl
def extend_query():
    return JointReviewQuery


@hookimpl
def extend_mutation():
    return MUTATIONS


@hookimpl
def extend_core_types():
    return {"Person": PersonJointReviews}


@hookimpl
def register_error_codes():
    return ERROR_CODES


@hookimpl
def register_metrics():
    return METRICS


@hookimpl
def register_saved_queries():
    return SAVED_QUERIES


@hookimpl
def register_settings():
    return JointReviewSettings


@hookimpl
async def load_demo_data(session):
    return await demo.load(session)
