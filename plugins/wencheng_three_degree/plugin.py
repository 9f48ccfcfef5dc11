"""The hooks of the Wencheng three-degree plugin: each returns data, the host does the rest."""

from __future__ import annotations

from pathlib import Path

from core import PluginInfo, hookimpl

from . import KEY
from .demo import load_demo
from .metrics import METRICS
from .models import Objection, Rating, ReserveCadre, Transition
from .mutations import ThreeDegreeMutation
from .saved_queries import SAVED_QUERIES
from .settings import ThreeDegreeSettings
from .types import PersonThreeDegree, ThreeDegreeQuery, UnitReserveCadres
from .validation import check_command

ERROR_CODES = {
    "THREE_DEGREE_INVALID_TRANSITION": "The reserve cadre's state does not allow this transition; "
    "the message (and stateRefusal) name the current state and the allowed next ones.",
    "THREE_DEGREE_ALREADY_NOMINATED": "The person already has an open record as a reserve cadre.",
    "THREE_DEGREE_INVALID_CONFIGURATION": "The settings in force weigh every rater group or every "
    "degree 0.",
    "THREE_DEGREE_MISSING_DEGREE": "A rating lacks one of loyalty, satisfaction, competence.",
    "THREE_DEGREE_SCORE_OUT_OF_RANGE": "A score lies outside 0–100.",
    "THREE_DEGREE_ASSESSMENT_CLOSED": "The assessment is closed: no more ratings.",
    "THREE_DEGREE_NOT_ENOUGH_RATINGS": "A weighted rater group has fewer ratings than its minimum.",
    "THREE_DEGREE_BELOW_PASS_MARK": "The overall score is below the pass mark: only rejection.",
    "THREE_DEGREE_NOTICE_TOO_SHORT": "The public notice is shorter than the settings allow.",
    "THREE_DEGREE_NOT_IN_NOTICE": "Objections are lodged and resolved only during the notice.",
    "THREE_DEGREE_OBJECTION_RESOLVED": "The objection was already resolved.",
    "THREE_DEGREE_OBJECTION_OPEN": "An objection is still open: the notice cannot close.",
    "THREE_DEGREE_OBJECTION_UPHELD": "An objection was upheld: the reserve cadre can only be "
    "rejected.",
    "THREE_DEGREE_NOTICE_RUNNING": "The public notice has not ended yet.",
    "THREE_DEGREE_NO_UPHELD_OBJECTION": "During the notice a reserve cadre is rejected only "
    "after an objection was upheld.",
    "THREE_DEGREE_NOT_AN_ELECTION": "The initiative named for the candidate pool is no PLANNED "
    "or ACTIVE programme or campaign of the village or a unit above it.",
    "THREE_DEGREE_TRIAL_RUNNING": "The trial post has not been served yet.",
    "THREE_DEGREE_TRIAL_POSTING": "A trial posting ends with its record (pool or reject).",
}


@hookimpl
def plugin_info():
    return PluginInfo(
        key=KEY,
        title_zh="文成 三度测评一试岗",
        title_en="Wencheng three-degree assessment and trial post",
        version="1.0.0",
        localities=("330328",),
        requires_yixian=">=0.1,<0.2",
        description="Reserve cadres rated on loyalty, satisfaction and competence, approved, put "
        "on public notice and sent on a trial post before the election candidate pool.",
    )


@hookimpl
def register_models():
    return [ReserveCadre, Rating, Objection, Transition]


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def extend_query():
    return ThreeDegreeQuery


@hookimpl
def extend_mutation():
    return ThreeDegreeMutation


@hookimpl
def extend_core_types():
    return {"Person": PersonThreeDegree, "Unit": UnitReserveCadres}


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
    return ThreeDegreeSettings


@hookimpl
def validate_command(command, data, session):
    return check_command(command, data, session)


@hookimpl
def load_demo_data(session):
    return load_demo(session)
