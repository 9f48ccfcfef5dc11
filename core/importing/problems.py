"""What is wrong with an import: one problem per bad row and column, kept compactly."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import IO


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """A bad file, row or cell. ``line`` is the spreadsheet row (the header is line 1)."""

    file: str
    line: int | None
    column: str | None
    code: str
    message: str

    @property
    def field(self) -> str:
        """``people.csv:12:id_number``: the file, then the line and the column when known."""
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
        if self.column:
            parts.append(self.column)
        return ":".join(parts)


CSV_HEADER = ("file", "line", "column", "code", "message")


class ErrorSink:
    """Collects problems: every one is counted (and written to ``csv_path`` when given), the
    first ``keep`` are kept in memory for the report, so memory stays flat however many rows are
    bad."""

    def __init__(self, keep: int = 1000, csv_path: Path | None = None):
        self.keep = keep
        self.count = 0
        self.kept: list[ImportProblem] = []
        self._file: IO[str] | None = None
        self._writer = None
        if csv_path is not None:
            self._file = open(csv_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._file)
            self._writer.writerow(CSV_HEADER)

    def add(self, file: str, line: int | None, column: str | None, code: str, message: str) -> None:
        problem = ImportProblem(file, line, column, code, message)
        self.count += 1
        if len(self.kept) < self.keep:
            self.kept.append(problem)
        if self._writer is not None:
            self._writer.writerow((file, "" if line is None else line, column or "", code, message))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
