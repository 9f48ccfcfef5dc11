"""The hooks of 鹿城 四访四问 · 两票一度: each returns data, the host does the rest."""

from __future__ import annotations

from pathlib import Path

from core import PluginInfo, hookimpl

from . import KEY
from .codes import ERROR_CODES
from .demo import load
from .metrics import METRICS
from .models import MODELS
from .mutations import MUTATIONS
from .queries import FourVisitsQuery
from .saved_queries import SAVED_QUERIES
from .settings import FourVisitsSettings
from .types import PersonFourVisits, UnitFourVisits
from .vetting import ROLES


@hookimpl
def plugin_info():
    return PluginInfo(
        key=KEY,
        title_zh="鹿城 四访四问 · 两票一度",
        title_en="Lucheng four-visit campaign with two votes and one degree",
        version="1.0.0",
        localities=("330302",),
        requires_yixian=">=0.1,<0.2",
        description="Door-to-door visits from phones (idempotent, offline batches), findings "
        "closed in a loop, household coverage, 3:5:2 trust votes and a negative list.",
    )


@hookimpl
def register_models():
    return MODELS


@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def extend_query():
    return FourVisitsQuery


@hookimpl
def extend_mutation():
    return MUTATIONS


@hookimpl
def extend_core_types():
    return {"Unit": UnitFourVisits, "Person": PersonFourVisits}


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
    return FourVisitsSettings


@hookimpl
def register_roles():
    return ROLES


@hookimpl
def load_demo_data(session):
    return load(session)
