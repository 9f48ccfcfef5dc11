"""The core's GraphQL contributions, registered through the same hooks as any plugin."""

from __future__ import annotations

from core import __version__, hookimpl
from core.contributions import PluginInfo
from schema.admin import PluginAdminMutations, PluginAdminQuery
from schema.mutations.imports import ImportMutations
from schema.mutations.initiatives import InitiativeMutations
from schema.mutations.metrics import MetricMutations
from schema.mutations.people import PeopleMutations
from schema.mutations.postings import PostingMutations
from schema.mutations.units import UnitMutations
from schema.queries import CoreQuery
from schema.saved_queries import SavedQueryMutation, SavedQueryQuery


@hookimpl
def plugin_info() -> PluginInfo:
    return PluginInfo(
        key="core.graphql",
        title_zh="一线 核心接口",
        title_en="yixian core GraphQL",
        version=__version__,
    )


@hookimpl
def extend_query():
    return [CoreQuery, PluginAdminQuery, SavedQueryQuery]


@hookimpl
def register_error_codes():
    return {
        "INVALID_DOCUMENT": "The GraphQL document does not validate against the live schema.",
    }


@hookimpl
def extend_mutation():
    return [
        UnitMutations,
        PeopleMutations,
        PostingMutations,
        InitiativeMutations,
        MetricMutations,
        PluginAdminMutations,
        SavedQueryMutation,
        ImportMutations,
    ]
