"""The data a plugin hands to the host through its hooks. The host validates it at startup."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.db import utcnow


@dataclass(frozen=True)
class PluginInfo:
    """Who a plugin is and where it works.

    ``key`` is the plugin's owner name: its tables, metrics, settings and events start with it
    (``taishun.joint_review`` → tables ``taishun_joint_review_*``). ``requires_yixian`` is a PEP 440
    specifier such as ``">=0.1,<0.2"``; startup refuses the plugin when the running yixian is
    outside it.
    """

    key: str
    title_zh: str
    title_en: str
    version: str
    localities: tuple[str, ...] = ()
    requires_yixian: str = ""
    description: str = ""

    @property
    def table_prefix(self) -> str:
        return self.key.replace(".", "_") + "_"


@dataclass(frozen=True)
class MetricSpec:
    """A metric a plugin records into. ``code`` starts with the plugin's key."""

    code: str
    name: str
    unit_of_measure: str
    aggregation: str = "SUM"
    value_type: str = "DECIMAL"
    description: str = ""


@dataclass(frozen=True)
class SavedQuerySpec:
    """A saved query shipped by a plugin: installed on ``yixian db upgrade``."""

    name: str
    title: str
    document: str
    description: str = ""
    tags: tuple[str, ...] = ()
    roles: tuple[str, ...] = ("ADMIN", "AUDITOR")


@dataclass(frozen=True)
class Event:
    """Something that happened and was committed. ``name`` is dotted: ``posting.started``, or
    ``<plugin key>.<what>`` for a plugin's own events."""

    name: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    source: str = "core"
    occurred_at: datetime = field(default_factory=utcnow)
