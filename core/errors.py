"""Expected failures of the domain.

A service raises :class:`DomainError` (one or several :class:`Problem`) when input is wrong; the
GraphQL layer turns each problem into a typed ``UserError`` (``code``, ``field``, ``message``) in
the mutation payload and the transaction is rolled back, so a failed mutation writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The error codes of the core. Plugins add their own through ``register_error_codes``.
CORE_ERROR_CODES: dict[str, str] = {
    "NOT_FOUND": "The object named by the input does not exist (or is outside your scope).",
    "INVALID": "The value is not acceptable for this field.",
    "REQUIRED": "The field must be given.",
    "DUPLICATE": "Another object already uses this unique value.",
    "CYCLE": "The change would make a unit its own ancestor.",
    "DATE_ORDER": "An end date lies before its start date.",
    "CONFLICT": "The change clashes with the current state (an ACTIVE posting already exists).",
    "INVALID_STATE": "The object is not in a state that allows this change.",
    "UNKNOWN_METRIC": "No metric is defined with this code.",
    "INVALID_VALUE": "The value does not fit the metric's value type.",
    "PLUGIN_NOT_ACTIVE": "The plugin does not serve this unit.",
    "REFUSED_BY_PLUGIN": "A plugin refused the change.",
    "PERMISSION_DENIED": "Your grants do not allow this change.",
    "VERSION_CONFLICT": "The record changed since you read it: load it again and re-apply.",
    "IDEMPOTENCY_KEY_REUSED": "The Idempotency-Key was used before for a different change.",
}


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    field: str | None = None


class DomainError(Exception):
    """One or more problems with the input of a command; nothing has been written."""

    def __init__(self, *problems: Problem):
        if not problems:
            raise ValueError("DomainError needs at least one problem")
        self.problems = list(problems)
        super().__init__("; ".join(p.message for p in problems))

    @classmethod
    def one(cls, code: str, message: str, field: str | None = None) -> DomainError:
        return cls(Problem(code=code, message=message, field=field))


class PluginError(Exception):
    """A plugin is wrong: it failed to import or register, or clashes with another plugin."""

    def __init__(self, message: str, plugin: str | None = None):
        self.plugin = plugin
        super().__init__(message)
