"""``importFiles``: an admin uploads CSV/XLSX files (multipart) and they are imported at once."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import strawberry
from strawberry.file_uploads import Upload

from core.access.scope import Scope
from core.commands import AuditNote, record_refusal
from core.errors import Problem
from core.importing import ErrorSink, ImportFile, kind_of, run_import
from schema.errors import UserError

#: Problems kept for the payload; the rest are counted in ``errorCount``.
MAX_ERRORS = 500


@strawberry.type(description="A file of an import: what it held, its digest and its data rows.")
class ImportedFile:
    name: str
    kind: str = strawberry.field(description="units, metrics, people, postings or observations.")
    sha256: str
    rows: int


@strawberry.type(description="How many rows of one kind an import created and updated.")
class ImportedTable:
    kind: str
    created: int
    updated: int


@strawberry.type
class ImportFilesPayload:
    files: list[ImportedFile] | None = None
    tables: list[ImportedTable] | None = None
    audit_seq: int | None = strawberry.field(
        default=None, description="The audit event that records the import."
    )
    error_count: int = strawberry.field(
        default=0, description="Every problem found; `errors` holds the first 500."
    )
    errors: list[UserError]


def _error(code: str, message: str, field: str | None) -> UserError:
    return UserError(field=field, message=message, code_name=code)


@strawberry.type
class ImportMutations:
    @strawberry.mutation(
        description="Import CSV or XLSX files named after what they hold (units, metrics, people, "
        "postings, observations; docs/import.md). Every row is checked first: with any problem "
        "nothing is written and `errors` names each file, line and column "
        "(`people.csv:12:id_number`). Re-importing from the same `source` updates its rows. "
        "Admins only."
    )
    async def import_files(
        self, info: strawberry.Info, files: list[Upload], source: str = "default"
    ) -> ImportFilesPayload:
        context = info.context
        principal = context.principal
        names = [Path(getattr(f, "filename", None) or "").name for f in files]
        if principal is None or not principal.admin:
            problem = Problem("PERMISSION_DENIED", "only an admin may import files")
            await record_refusal(
                lambda: context.sessionmaker(info={"scope": Scope.everything()}),
                context.actor or "anonymous",
                AuditNote(name="importFiles", variables={"files": names, "source": source}),
                [problem],
                units=principal.read_roots if principal is not None else (),
            )
            return ImportFilesPayload(errors=[UserError.from_problem(problem)])
        problems = []
        for index, name in enumerate(names):
            if kind_of(name) is None:
                problems.append(
                    _error(
                        "INVALID",
                        f"{name or 'a file without a name'}: name the file units, metrics, "
                        "people, postings or observations, with .csv or .xlsx",
                        f"files.{index}",
                    )
                )
        if not files:
            problems.append(_error("REQUIRED", "give at least one file", "files"))
        if problems:
            return ImportFilesPayload(errors=problems, error_count=len(problems))
        with tempfile.TemporaryDirectory(prefix="yixian-import-") as folder:
            imported = [
                await _save(upload, name, Path(folder) / f"{i}{Path(name).suffix.lower()}")
                for i, (upload, name) in enumerate(zip(files, names, strict=True))
            ]
            sink = ErrorSink(keep=MAX_ERRORS)
            report = await run_import(
                lambda: context.sessionmaker(info={"scope": Scope.everything()}),
                imported,
                source=source,
                actor=context.actor or "anonymous",
                channel="graphql",
                sink=sink,
            )
        files_out = [
            ImportedFile(name=f.name, kind=f.kind, sha256=f.sha256, rows=f.rows)
            for f in report.files
        ]
        if not report.ok:
            errors = [_error(p.code, p.message, p.field) for p in report.errors]
            return ImportFilesPayload(
                files=files_out, errors=errors, error_count=report.error_count
            )
        return ImportFilesPayload(
            files=files_out,
            tables=[
                ImportedTable(kind=kind, created=n["created"], updated=n["updated"])
                for kind, n in report.tables.items()
            ],
            audit_seq=report.audit_seq,
            errors=[],
        )


async def _save(upload: Any, name: str, path: Path) -> ImportFile:
    """Spool an upload to a file in chunks (never whole in memory)."""
    with open(path, "wb") as out:
        while chunk := await upload.read(1 << 20):
            out.write(chunk)
    return ImportFile(name=name, path=path, kind=kind_of(name) or "")
