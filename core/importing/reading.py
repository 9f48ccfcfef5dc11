"""Finding the files of an import and streaming their rows, CSV or XLSX, as lists of text."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

#: The kinds of file, in the order they are imported (each may refer to the ones before).
KINDS = ("units", "metrics", "people", "postings", "observations")
SUFFIXES = (".csv", ".xlsx")

#: Called as rows are read: (rows read so far, bytes read so far) of the current file.
Progress = Callable[[int, int], None]


class UnreadableFile(Exception):
    """The file is not UTF-8 CSV or not an XLSX workbook."""


@dataclass(frozen=True)
class ImportFile:
    name: str
    path: Path
    kind: str

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def kind_of(name: str) -> str | None:
    """``units.csv`` → ``units``; None for a name that is not a kind with a known suffix."""
    path = Path(name)
    stem, suffix = path.stem.lower(), path.suffix.lower()
    return stem if stem in KINDS and suffix in SUFFIXES else None


def files_in(folder: Path) -> tuple[list[ImportFile], list[str]]:
    """The importable files of ``folder`` and the names of the others (skipped)."""
    found: list[ImportFile] = []
    skipped: list[str] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file():
            continue
        kind = kind_of(path.name)
        if kind is None:
            skipped.append(path.name)
        else:
            found.append(ImportFile(path.name, path, kind))
    return found, skipped


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Counting(io.RawIOBase):
    """A binary file that counts the bytes read through it (for the progress bar)."""

    def __init__(self, raw: io.BufferedReader):
        self.raw = raw
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = self.raw.readinto(buffer)
        self.read_bytes += n or 0
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


def rows(file: ImportFile, progress: Progress | None = None) -> Iterator[list[str]]:
    """Every row of the file, header first, as stripped text cells."""
    if file.path.suffix.lower() == ".xlsx":
        yield from _xlsx_rows(file.path, progress)
    else:
        yield from _csv_rows(file.path, progress)


def _csv_rows(path: Path, progress: Progress | None) -> Iterator[list[str]]:
    counting = _Counting(open(path, "rb"))  # noqa: SIM115 - closed below
    text = io.TextIOWrapper(io.BufferedReader(counting, 1 << 16), encoding="utf-8-sig", newline="")
    n = 0
    try:
        for n, row in enumerate(csv.reader(text), 1):
            if progress is not None and n % 5000 == 0:
                progress(n, counting.read_bytes)
            yield row
        if progress is not None:
            progress(n, counting.read_bytes)
    except UnicodeDecodeError as exc:
        raise UnreadableFile("the file is not UTF-8 text (save the CSV as UTF-8)") from exc
    except csv.Error as exc:
        raise UnreadableFile(f"the file is not valid CSV: {exc}") from exc
    finally:
        text.close()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(path: Path, progress: Progress | None) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
        raise UnreadableFile("the file is not an XLSX workbook") from exc
    try:
        sheet = workbook.worksheets[0]
        total_rows = sheet.max_row or 0
        size = path.stat().st_size
        n = 0
        for n, row in enumerate(sheet.iter_rows(values_only=True), 1):
            if progress is not None and n % 5000 == 0:
                progress(n, size * n // total_rows if total_rows else 0)
            yield [_cell(v) for v in row]
        if progress is not None:
            progress(n, size)
    finally:
        workbook.close()
