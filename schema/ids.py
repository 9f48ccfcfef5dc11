"""Global IDs (Relay): ``base64("Person:12")``. Inputs decode them into row ids."""

from __future__ import annotations

from strawberry import relay

from core.errors import DomainError

#: Row ids are 32-bit integers: a global ID holding another number names nothing.
MAX_ROW_ID = 2**31 - 1


def decode_id(value: str | None, type_name: str, field: str) -> int | None:
    """The row id inside a global ID of ``type_name``; DomainError NOT_FOUND when it is not one."""
    if value is None:
        return None
    try:
        gid = relay.GlobalID.from_id(value)
        if gid.type_name != type_name:
            raise ValueError(type_name)
        row_id = int(gid.node_id)
        if not 0 < row_id <= MAX_ROW_ID:
            raise ValueError(row_id)
        return row_id
    except (ValueError, TypeError) as exc:
        raise DomainError.one(
            "NOT_FOUND", f"{value!r} is not the id of a {type_name}", field
        ) from exc


def encode_id(type_name: str, row_id: int) -> str:
    return str(relay.GlobalID(type_name, str(row_id)))
