"""Every core table, imported so that ``Base.metadata`` is complete (Alembic reads it)."""

from core.access.models import AccessState, ApiToken, Grant, PiiRead, User
from core.audit.models import AuditEvent, AuditEventUnit, AuditHead
from core.idempotency import IdempotencyKey
from core.initiatives.models import Initiative
from core.metrics.models import MetricDefinition, Observation
from core.people.models import Person
from core.plugin_state.models import (
    PluginActivation,
    PluginFailure,
    PluginSetting,
    PluginSettingChange,
)
from core.postings.models import Posting
from core.saved_queries.models import SavedQuery
from core.units.models import Unit, UnitTree

__all__ = [
    "AuditEvent",
    "AuditEventUnit",
    "AuditHead",
    "AccessState",
    "ApiToken",
    "Grant",
    "PiiRead",
    "User",
    "IdempotencyKey",
    "Initiative",
    "MetricDefinition",
    "Observation",
    "Person",
    "PluginActivation",
    "PluginFailure",
    "PluginSetting",
    "PluginSettingChange",
    "Posting",
    "SavedQuery",
    "Unit",
    "UnitTree",
]
