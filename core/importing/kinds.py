"""The five kinds of file: their columns, and the checks of each row.

Each checker reads one row at a time (cells as text), reports every problem of the row to the
:class:`~core.importing.problems.ErrorSink` and returns the row as a tuple for the staging table,
or None when the row is bad. What the checks need to know of the database and of the files read
before is kept in :class:`Lookups`: codes and ids only, never whole rows.
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass, field
from datetime import date

from core.demo.data import ID_CHECK, ID_WEIGHTS
from core.importing.problems import ErrorSink
from core.metrics.models import Aggregation, Period, ValueType
from core.metrics.services import METRIC_CODE, period_aligned
from core.people.models import Gender, PoliticalStatus, Rank
from core.postings.models import PostingRole, PostingStatus
from core.units.models import UnitKind
from core.validation import ID_NUMBER, PHONE


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    description: str = ""


@dataclass
class Lookups:
    """What validation knows: the database's codes and ids, and what earlier files added."""

    source: str
    today: date
    #: Units of the database: id → (code, parent id, import source, external id).
    db_units: dict[int, tuple[str, int | None, str | None, str | None]] = field(
        default_factory=dict
    )
    db_unit_by_code: dict[str, int] = field(default_factory=dict)
    #: External id (of this source) → unit id.
    db_unit_by_external: dict[str, int] = field(default_factory=dict)
    #: Units of the units file: code → (parent code, line, external id).
    file_units: dict[str, tuple[str | None, int, str]] = field(default_factory=dict)
    #: Every unit code there will be after the import.
    unit_codes: set[str] = field(default_factory=set)
    #: Metric code → (value type, external id when the metric came from this source).
    metrics: dict[str, tuple[ValueType, str | None]] = field(default_factory=dict)
    initiative_codes: set[str] = field(default_factory=set)


def _names(kind: type[enum.Enum]) -> dict[str, enum.Enum]:
    return {member.name: member for member in kind}


class Checker:
    kind = ""
    columns: tuple[Column, ...] = ()
    #: The staging table's columns after ``line``, with their types (TEXT, INT, DATE, FLOAT).
    stage: tuple[tuple[str, str], ...] = ()

    def __init__(self, lookups: Lookups, sink: ErrorSink, file: str):
        self.lookups = lookups
        self.sink = sink
        self.file = file
        self.index: list[int] = []
        self.width = 0
        self.ok = True
        self.rows = 0
        self.externals: set[str] = set()

    # --- helpers -----------------------------------------------------------------------------

    def bad(self, line: int | None, column: str | None, code: str, message: str) -> None:
        self.ok = False
        self.sink.add(self.file, line, column, code, message)

    def header(self, cells: list[str]) -> bool:
        """Map the header's columns; report unknown and missing ones. False: skip the file."""
        names = [c.strip().lower() for c in cells]
        known = {c.name for c in self.columns}
        good = True
        for position, name in enumerate(names):
            if name and name not in known:
                self.sink.add(
                    self.file,
                    1,
                    name,
                    "INVALID",
                    f"unknown column {name!r}; the columns of {self.kind} are "
                    + ", ".join(c.name for c in self.columns),
                )
                good = False
            elif name and names.index(name) != position:
                self.sink.add(self.file, 1, name, "DUPLICATE", f"column {name!r} appears twice")
                good = False
        for column in self.columns:
            if column.required and column.name not in names:
                self.sink.add(
                    self.file, 1, column.name, "REQUIRED", f"the column {column.name!r} is missing"
                )
                good = False
        self.index = [names.index(c.name) if c.name in names else -1 for c in self.columns]
        self.width = len(names)
        return good

    def values(self, cells: list[str]) -> list[str]:
        n = len(cells)
        return [cells[i].strip() if 0 <= i < n else "" for i in self.index]

    def once(self, line: int, external: str | None) -> None:
        """An external id may appear once in a file (units and metrics; the larger files are
        checked in SQL)."""
        if external is not None:
            if external in self.externals:
                self.bad(
                    line, "external_id", "DUPLICATE", f"external_id {external!r} appears twice"
                )
            self.externals.add(external)

    def text(self, line: int, column: str, value: str, max_length: int, required: bool = False):
        if not value:
            if required:
                self.bad(line, column, "REQUIRED", f"{column} must not be empty")
            return None
        if len(value) > max_length:
            self.bad(line, column, "INVALID", f"{column} is longer than {max_length} characters")
            return None
        if "\x00" in value:
            self.bad(line, column, "INVALID", f"{column} must not contain NUL characters")
            return None
        return value

    def enum(self, line: int, column: str, value: str, members: dict, default=None):
        if not value:
            if default is None:
                self.bad(line, column, "REQUIRED", f"{column} must not be empty")
            return default.value if isinstance(default, enum.Enum) else default
        member = members.get(value.upper())
        if member is None:
            shown = value if len(value) <= 40 else value[:40] + "…"
            self.bad(
                line,
                column,
                "INVALID",
                f"unknown {column} {shown!r}; one of {', '.join(members)}",
            )
            return None
        return member.value

    def day(self, line: int, column: str, value: str, required: bool = False) -> date | None:
        if not value:
            if required:
                self.bad(line, column, "REQUIRED", f"{column} must not be empty")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            shown = value if len(value) <= 40 else value[:40] + "…"
            self.bad(line, column, "INVALID", f"{column} {shown!r} is not a date (YYYY-MM-DD)")
            return None

    def unit(self, line: int, column: str, code: str | None) -> None:
        if code is not None and code not in self.lookups.unit_codes:
            self.bad(line, column, "NOT_FOUND", f"no unit has the code {code!r}")

    def initiative(self, line: int, column: str, code: str | None) -> None:
        if code is not None and code not in self.lookups.initiative_codes:
            self.bad(line, column, "NOT_FOUND", f"no initiative has the code {code!r}")

    def check(self, cells: list[str], line: int) -> tuple | None:  # pragma: no cover
        raise NotImplementedError

    def finish(self) -> None:
        """Checks that need the whole file (a unit's parent may come after it)."""


# --- units ---------------------------------------------------------------------------------------

UNIT_KINDS = _names(UnitKind)


class UnitChecker(Checker):
    kind = "units"
    columns = (
        Column("external_id", True, "the unit's id in the source system"),
        Column("code", True, "unique: the division code (GB/T 2260) or the parent's code + suffix"),
        Column("name", True, "up to 200 characters"),
        Column("kind", True, ", ".join(UNIT_KINDS)),
        Column(
            "parent_code", False, "the parent's code (in this file or the database); empty: a root"
        ),
    )
    stage = (
        ("external_id", "TEXT"),
        ("code", "TEXT"),
        ("name", "TEXT"),
        ("kind", "TEXT"),
        ("parent_code", "TEXT"),
    )

    def __init__(self, *args):
        super().__init__(*args)
        lookups = self.lookups
        # codes of database units this file does not re-import: they stay
        lookups.unit_codes = set(lookups.db_unit_by_code)

    def check(self, cells: list[str], line: int) -> tuple | None:
        self.ok = True
        external, code, name, kind, parent = self.values(cells)
        external = self.text(line, "external_id", external, 100, True)
        code = self.text(line, "code", code, 32, True)
        name = self.text(line, "name", name, 200, True)
        kind = self.enum(line, "kind", kind, UNIT_KINDS)
        parent = self.text(line, "parent_code", parent, 32)
        lookups = self.lookups
        self.once(line, external)
        if code is not None:
            if code in lookups.file_units:
                first = lookups.file_units[code][1]
                self.bad(
                    line, "code", "DUPLICATE", f"the code {code!r} is used on line {first} too"
                )
            else:
                matched = lookups.db_unit_by_external.get(external) if external else None
                holder = lookups.db_unit_by_code.get(code)
                if holder is not None and holder != matched:
                    self.bad(
                        line,
                        "code",
                        "DUPLICATE",
                        f"a unit with the code {code!r} exists that is not {external!r} of "
                        f"source {lookups.source!r}",
                    )
                lookups.file_units[code] = (parent, line, external or "")
        if not self.ok:
            return None
        return (external, code, name, kind, parent)

    def finish(self) -> None:
        lookups = self.lookups
        matched = {
            lookups.db_unit_by_external[ext]
            for _p, _l, ext in lookups.file_units.values()
            if ext in lookups.db_unit_by_external
        }
        # a re-imported unit may change its code: its old code goes away
        for unit_id in matched:
            lookups.unit_codes.discard(lookups.db_units[unit_id][0])
        lookups.unit_codes.update(lookups.file_units)
        new_code = {
            lookups.db_unit_by_external[ext]: code
            for code, (_p, _l, ext) in lookups.file_units.items()
            if ext in lookups.db_unit_by_external
        }

        def parent_of(code: str) -> str | None:
            if code in lookups.file_units:
                return lookups.file_units[code][0]
            unit_id = lookups.db_unit_by_code.get(code)
            if unit_id is None:
                return None
            parent_id = lookups.db_units[unit_id][1]
            if parent_id is None:
                return None
            return new_code.get(parent_id, lookups.db_units[parent_id][0])

        done: set[str] = set()
        for code, (parent, line, _ext) in lookups.file_units.items():
            if parent is None:
                continue
            if parent not in lookups.unit_codes:
                self.bad(
                    line,
                    "parent_code",
                    "NOT_FOUND",
                    f"unknown parent {parent!r}: no unit has that code, here or in the database",
                )
                continue
            if parent == code:
                self.bad(line, "parent_code", "CYCLE", "a unit cannot be its own parent")
                continue
            path: dict[str, int] = {}
            walk: str | None = code
            while walk is not None and walk not in done:
                if walk in path:
                    members = list(path)[path[walk] :]
                    for member in members:
                        if member in lookups.file_units:
                            self.bad(
                                lookups.file_units[member][1],
                                "parent_code",
                                "CYCLE",
                                f"the parents of {member} come back to it: "
                                + " → ".join(
                                    [
                                        *members[members.index(member) :],
                                        *members[: members.index(member)],
                                        member,
                                    ]
                                ),
                            )
                    break
                path[walk] = len(path)
                walk = parent_of(walk)
            done.update(path)


# --- metrics -------------------------------------------------------------------------------------

AGGREGATIONS = _names(Aggregation)
VALUE_TYPES = _names(ValueType)


class MetricChecker(Checker):
    kind = "metrics"
    columns = (
        Column("external_id", True, "the metric's id in the source system"),
        Column("code", True, "dotted lower-case words, e.g. core.households_visited; unique"),
        Column("name", True, "up to 200 characters"),
        Column("unit_of_measure", True, "户, 人, 次, % …; up to 50 characters"),
        Column("aggregation", True, ", ".join(AGGREGATIONS)),
        Column("value_type", False, ", ".join(VALUE_TYPES) + "; empty: DECIMAL"),
        Column("description", False, "up to 4,000 characters"),
    )
    stage = (
        ("external_id", "TEXT"),
        ("code", "TEXT"),
        ("name", "TEXT"),
        ("unit_of_measure", "TEXT"),
        ("aggregation", "TEXT"),
        ("value_type", "TEXT"),
        ("description", "TEXT"),
    )

    def __init__(self, *args):
        super().__init__(*args)
        self.lines: dict[str, int] = {}

    def check(self, cells: list[str], line: int) -> tuple | None:
        self.ok = True
        external, code, name, measure, aggregation, value_type, description = self.values(cells)
        external = self.text(line, "external_id", external, 100, True)
        code = self.text(line, "code", code, 100, True)
        name = self.text(line, "name", name, 200, True)
        measure = self.text(line, "unit_of_measure", measure, 50, True)
        aggregation = self.enum(line, "aggregation", aggregation, AGGREGATIONS)
        value_type = self.enum(line, "value_type", value_type, VALUE_TYPES, ValueType.DECIMAL)
        description = self.text(line, "description", description, 4000)
        self.once(line, external)
        if code is not None:
            if not METRIC_CODE.match(code):
                self.bad(
                    line,
                    "code",
                    "INVALID",
                    f"metric code {code!r} must be dotted lower-case words, e.g. "
                    "core.households_visited",
                )
            elif code in self.lines:
                self.bad(
                    line,
                    "code",
                    "DUPLICATE",
                    f"the code {code!r} is used on line {self.lines[code]} too",
                )
            else:
                existing = self.lookups.metrics.get(code)
                if existing is not None and existing[1] != external:
                    self.bad(
                        line,
                        "code",
                        "DUPLICATE",
                        f"a metric with the code {code!r} exists that is not {external!r} of "
                        f"source {self.lookups.source!r}",
                    )
                self.lines[code] = line
        if not self.ok:
            return None
        self.lookups.metrics[code] = (ValueType(value_type), external)
        return (external, code, name, measure, aggregation, value_type, description)


# --- people --------------------------------------------------------------------------------------

GENDERS = _names(Gender)
POLITICAL_STATUSES = _names(PoliticalStatus)
RANKS = _names(Rank)


def id_number_problem(value: str) -> str | None:
    """Why ``value`` is not a 居民身份证号码 (GB 11643), or None when it is one."""
    if not ID_NUMBER.match(value):
        return "id_number must be 18 characters: 17 digits then a digit or X"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "id_number holds no valid birth date (characters 7 to 14)"
    check = ID_CHECK[sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True)) % 11]
    if value[17] != check:
        return "id_number has an invalid check digit (GB 11643): it was mistyped"
    return None


class PersonChecker(Checker):
    kind = "people"
    columns = (
        Column("external_id", True, "the person's id in the source system"),
        Column("name", True, "姓名, up to 100 characters"),
        Column("gender", False, ", ".join(GENDERS) + "; empty: UNSPECIFIED"),
        Column("birth_year", False, "1900 to this year"),
        Column("political_status", False, ", ".join(POLITICAL_STATUSES) + "; empty: MASSES"),
        Column("rank", False, ", ".join(RANKS) + "; empty: NONE"),
        Column("home_unit_code", False, "the code of the home unit (本单位)"),
        Column("home_post", False, "本职, up to 200 characters"),
        Column("phone", False, "digits, spaces, dashes, an optional +; 5 to 20"),
        Column("id_number", False, "身份证号: 18 characters with a valid GB 11643 check digit"),
        Column("tags", False, "separated by ;"),
    )
    stage = (
        ("external_id", "TEXT"),
        ("name", "TEXT"),
        ("gender", "TEXT"),
        ("birth_year", "INT"),
        ("political_status", "TEXT"),
        ("rank", "TEXT"),
        ("home_unit_code", "TEXT"),
        ("home_post", "TEXT"),
        ("phone", "TEXT"),
        ("id_number", "TEXT"),
        ("tags", "TEXT"),
    )

    def check(self, cells: list[str], line: int) -> tuple | None:
        self.ok = True
        (external, name, gender, birth, status, rank, home, post, phone, number, tags) = (
            self.values(cells)
        )
        external = self.text(line, "external_id", external, 100, True)
        name = self.text(line, "name", name, 100, True)
        gender = self.enum(line, "gender", gender, GENDERS, Gender.UNSPECIFIED)
        status = self.enum(
            line, "political_status", status, POLITICAL_STATUSES, PoliticalStatus.MASSES
        )
        rank = self.enum(line, "rank", rank, RANKS, Rank.NONE)
        home = self.text(line, "home_unit_code", home, 32)
        self.unit(line, "home_unit_code", home)
        post = self.text(line, "home_post", post, 200)
        year = None
        if birth:
            if birth.isdigit() and 1900 <= int(birth) <= self.lookups.today.year:
                year = int(birth)
            else:
                self.bad(
                    line, "birth_year", "INVALID", "birth_year must be a year from 1900 to now"
                )
        if phone and not PHONE.match(phone):
            self.bad(line, "phone", "INVALID", "phone must be digits (5 to 20)")
        if number:
            number = number.upper()
            problem = id_number_problem(number)
            if problem is not None:
                self.bad(line, "id_number", "INVALID", problem)
            elif year is not None and int(number[6:10]) != year:
                self.bad(
                    line,
                    "id_number",
                    "INVALID",
                    f"id_number says born in {number[6:10]}, birth_year says {year}",
                )
        tag_list = list(dict.fromkeys(t.strip() for t in tags.split(";") if t.strip()))
        if any(len(t) > 50 for t in tag_list):
            self.bad(line, "tags", "INVALID", "a tag is longer than 50 characters")
        if not self.ok:
            return None
        return (
            external,
            name,
            gender,
            year,
            status,
            rank,
            home,
            post,
            phone or None,
            number or None,
            json.dumps(tag_list, ensure_ascii=False),
        )


# --- postings ------------------------------------------------------------------------------------

ROLES = _names(PostingRole)
POSTING_STATUSES = _names(PostingStatus)


class PostingChecker(Checker):
    kind = "postings"
    columns = (
        Column("external_id", True, "the posting's id in the source system"),
        Column("person_external_id", True, "the person's external_id (people file or database)"),
        Column("host_unit_code", True, "the code of the host unit"),
        Column("role", True, ", ".join(ROLES)),
        Column("start_date", True, "YYYY-MM-DD"),
        Column("end_date", False, "YYYY-MM-DD, not before start_date"),
        Column(
            "status",
            False,
            ", ".join(POSTING_STATUSES) + "; empty: PLANNED if start_date lies ahead, else ACTIVE",
        ),
        Column("title", False, "up to 200 characters"),
        Column("initiative_code", False, "the code of an initiative in the database"),
        Column("recall_reason", False, "required when status is RECALLED"),
    )
    stage = (
        ("external_id", "TEXT"),
        ("person_external_id", "TEXT"),
        ("host_unit_code", "TEXT"),
        ("role", "TEXT"),
        ("start_date", "DATE"),
        ("end_date", "DATE"),
        ("status", "TEXT"),
        ("title", "TEXT"),
        ("initiative_code", "TEXT"),
        ("recall_reason", "TEXT"),
    )

    def check(self, cells: list[str], line: int) -> tuple | None:
        self.ok = True
        (external, person, host, role, start, end, status, title, initiative, reason) = self.values(
            cells
        )
        external = self.text(line, "external_id", external, 100, True)
        person = self.text(line, "person_external_id", person, 100, True)
        host = self.text(line, "host_unit_code", host, 32, True)
        self.unit(line, "host_unit_code", host)
        role = self.enum(line, "role", role, ROLES)
        start = self.day(line, "start_date", start, True)
        end = self.day(line, "end_date", end)
        if start is not None and end is not None and end < start:
            self.bad(
                line,
                "end_date",
                "DATE_ORDER",
                f"end_date {end.isoformat()} lies before start_date {start.isoformat()}",
            )
        if status:
            status = self.enum(line, "status", status, POSTING_STATUSES)
        elif start is not None:
            status = "PLANNED" if start > self.lookups.today else "ACTIVE"
        title = self.text(line, "title", title, 200)
        initiative = self.text(line, "initiative_code", initiative, 64)
        self.initiative(line, "initiative_code", initiative)
        reason = self.text(line, "recall_reason", reason, 2000)
        if status == "RECALLED" and reason is None:
            self.bad(line, "recall_reason", "REQUIRED", "a recall needs a reason")
        if status in ("COMPLETED", "RECALLED") and end is None:
            self.bad(line, "end_date", "REQUIRED", f"a {status} posting needs its end_date")
        if not self.ok:
            return None
        return (
            external,
            person,
            host,
            role,
            start,
            end,
            status,
            title,
            initiative,
            reason if status == "RECALLED" else None,
        )


# --- observations --------------------------------------------------------------------------------

PERIODS = _names(Period)


class ObservationChecker(Checker):
    kind = "observations"
    columns = (
        Column("external_id", True, "the observation's id in the source system"),
        Column("metric_code", True, "the metric's code (metrics file or database)"),
        Column("unit_code", True, "the code of the unit the value is for"),
        Column("period", False, ", ".join(PERIODS) + "; empty: MONTH"),
        Column("period_start", True, "YYYY-MM-DD, the first day of the period"),
        Column("value", True, "a number that fits the metric's value_type"),
        Column("person_external_id", False, "a person's external_id"),
        Column("initiative_code", False, "the code of an initiative in the database"),
    )
    stage = (
        ("external_id", "TEXT"),
        ("metric_code", "TEXT"),
        ("unit_code", "TEXT"),
        ("period", "TEXT"),
        ("period_start", "DATE"),
        ("value", "FLOAT"),
        ("person_external_id", "TEXT"),
        ("initiative_code", "TEXT"),
    )

    def check(self, cells: list[str], line: int) -> tuple | None:
        self.ok = True
        external, metric, unit, period, start, value, person, initiative = self.values(cells)
        external = self.text(line, "external_id", external, 100, True)
        unit = self.text(line, "unit_code", unit, 32, True)
        if unit is not None and unit not in self.lookups.unit_codes:
            self.bad(line, "unit_code", "NOT_FOUND", f"no unit has the code {unit!r}")
        kind = None
        if not metric:
            self.bad(line, "metric_code", "REQUIRED", "metric_code must not be empty")
        else:
            known = self.lookups.metrics.get(metric)
            if known is None:
                self.bad(
                    line,
                    "metric_code",
                    "UNKNOWN_METRIC",
                    f"no metric is defined as {metric[:100]!r}",
                )
            else:
                kind = known[0]
        period = self.enum(line, "period", period, PERIODS, Period.MONTH)
        start = self.day(line, "period_start", start, True)
        if start is not None and period is not None and not period_aligned(start, Period(period)):
            self.bad(
                line,
                "period_start",
                "INVALID",
                f"period_start {start.isoformat()} does not open a {period} (weeks start on "
                "Monday, months on the 1st, quarters in January, April, July and October, years "
                "on 1 January)",
            )
        number = None
        if not value:
            self.bad(line, "value", "REQUIRED", "value must not be empty")
        else:
            try:
                number = float(value)
            except ValueError:
                self.bad(line, "value", "INVALID_VALUE", f"value {value[:40]!r} is not a number")
            else:
                if not math.isfinite(number):
                    self.bad(line, "value", "INVALID_VALUE", "value must be a finite number")
                elif kind is ValueType.INTEGER and not number.is_integer():
                    self.bad(
                        line,
                        "value",
                        "INVALID_VALUE",
                        f"{metric} counts whole numbers; {value} is not one",
                    )
                elif kind is ValueType.PERCENT and not 0 <= number <= 100:
                    self.bad(
                        line,
                        "value",
                        "INVALID_VALUE",
                        f"{metric} is a percentage; {value} is not in 0–100",
                    )
        person = self.text(line, "person_external_id", person, 100)
        initiative = self.text(line, "initiative_code", initiative, 64)
        self.initiative(line, "initiative_code", initiative)
        if not self.ok:
            return None
        return (external, metric, unit, period, start, number, person, initiative)


CHECKERS: dict[str, type[Checker]] = {
    c.kind: c
    for c in (UnitChecker, MetricChecker, PersonChecker, PostingChecker, ObservationChecker)
}

__all__ = ["CHECKERS", "Checker", "Column", "Lookups", "id_number_problem"]
