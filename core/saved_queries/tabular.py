"""Results as tables: the first list in a result flattened into rows with dotted column names.

The rule, the same for CSV and XLSX:

1. The rows are the items of the first list met walking the result depth-first, in field order
   (``units.edges`` for a connection, ``metricSeries`` for a series). Without any list, the whole
   result is one row.
2. Each row's columns are the dotted paths of its scalar leaves (``node.homeUnit.code``), in the
   order they first appear.
3. A list nested inside a row is not exploded into more rows: its scalar leaves are joined into one
   cell with ``"; "`` under the list's path (``node.postings.hostUnit.code`` →
   ``"330302101001; 330304101"``), so one row stays one object and counts stay true.
"""

from __future__ import annotations

import csv
import io
from typing import Any

JOIN = "; "


def first_list(data: Any) -> list[Any] | None:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for value in data.values():
            found = first_list(value)
            if found is not None:
                return found
    return None


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _flatten(value: Any, prefix: str, row: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}.{key}" if prefix else key, row)
    elif isinstance(value, list):
        leaves: dict[str, list[str]] = {}
        for item in value:
            sub: dict[str, Any] = {}
            _flatten(item, "", sub)
            for key, leaf in sub.items():
                leaves.setdefault(key, []).append("" if leaf is None else str(leaf))
        for key, parts in leaves.items():  # an empty list leaves its cells empty
            row[f"{prefix}.{key}" if key else prefix] = JOIN.join(parts)
    else:
        row[prefix] = _cell(value)


def rows(data: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and rows of ``data`` by the rule above."""
    items = first_list(data)
    if items is None:
        items = [data] if data else []
    table: list[dict[str, Any]] = []
    columns: dict[str, None] = {}
    for item in items:
        row: dict[str, Any] = {}
        _flatten(item, "", row)
        if "" in row:  # a list of scalars
            row["value"] = row.pop("")
        table.append(row)
        columns.update(dict.fromkeys(row))
    return list(columns), table


def to_csv(data: Any) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Chinese text correctly."""
    columns, table = rows(data)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(table)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(data: Any, title: str = "result") -> bytes:
    from openpyxl import Workbook

    columns, table = rows(data)
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31] or "result"
    sheet.append(columns)
    for row in table:
        sheet.append([row.get(c) for c in columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
