"""The core as a plugin: key ``core``, its migrations, error codes and metrics."""

from __future__ import annotations

from pathlib import Path

import core.models as models
from core import __version__, hookimpl
from core.contributions import MetricSpec, PluginInfo
from core.errors import CORE_ERROR_CODES


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        key="core",
        title_zh="一线 核心",
        title_en="yixian core",
        version=__version__,
        description="Units, people, postings, initiatives and metrics.",
    )


@hookimpl
def register_models():
    return [getattr(models, name) for name in models.__all__]


@hookimpl
def register_error_codes():
    return CORE_ERROR_CODES


@hookimpl
def register_metrics():
    return [
        MetricSpec(
            code="core.active_postings",
            name="在岗下沉干部数 active postings",
            unit_of_measure="人",
            aggregation="LAST",
            value_type="INTEGER",
            description="Cadres on an ACTIVE posting at the unit, counted at the period's start.",
        ),
    ]


def migrations_path() -> Path:
    return Path(__file__).resolve().parent.parent / "migrations" / "versions"
