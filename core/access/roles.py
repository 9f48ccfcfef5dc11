"""Roles: the four of the core, and those plugins declare (``register_roles``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    ADMIN = "ADMIN"
    OPERATOR = "OPERATOR"
    VIEWER = "VIEWER"
    AUDITOR = "AUDITOR"


#: What each core role may do inside its subtree.
READS = {Role.ADMIN, Role.OPERATOR, Role.VIEWER, Role.AUDITOR}
WRITES = {Role.ADMIN, Role.OPERATOR}


@dataclass(frozen=True)
class RoleSpec:
    """A role a plugin declares, e.g. ``taishun.joint_review.reviewer``.

    ``unit_kind`` is the kind of unit a grant of this role binds to (a reviewer acts for one
    DEPARTMENT). ``reads`` gives its holder read scope over the unit's subtree; ``writes``
    write scope. The plugin checks the role itself with ``principal.units_with_role(name)``.
    """

    name: str
    description: str
    unit_kind: str | None = None
    reads: bool = True
    writes: bool = False
    #: A user holds this role at one unit at most (a reviewer acts for exactly one department).
    single_unit: bool = False


def collect_roles(registry: Any) -> dict[str, RoleSpec]:
    """Every plugin role by name; a name must start with its plugin's key."""
    from core.errors import PluginError

    roles: dict[str, RoleSpec] = {}
    for key, specs in registry.call_each("register_roles"):
        for spec in specs:
            if not spec.name.startswith(key + "."):
                raise PluginError(f"plugin {key}: role {spec.name!r} must start with {key}.", key)
            if spec.name in roles or spec.name in Role.__members__:
                raise PluginError(f"plugin {key}: role {spec.name!r} is defined twice", key)
            roles[spec.name] = spec
    return roles


def known_roles(registry: Any) -> set[str]:
    return {r.value for r in Role} | set(collect_roles(registry))


def single_unit_roles(registry: Any) -> set[str]:
    return {name for name, spec in collect_roles(registry).items() if spec.single_unit}


def role_unit_kinds(registry: Any) -> dict[str, str]:
    """Plugin roles bound to a kind of unit (a reviewer to a DEPARTMENT)."""
    return {
        name: spec.unit_kind for name, spec in collect_roles(registry).items() if spec.unit_kind
    }
