"""``yixian import DIR`` and ``yixian demo generate``: bulk loads and files to try them on."""

from __future__ import annotations

import asyncio
import getpass
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from core.settings import Settings

demo_app = typer.Typer(help="Demo data at scale.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)
SHOWN_ERRORS = 50


class RowsPerSecond(ProgressColumn):
    """``12,345 rows · 48,000 rows/s`` for the task's file."""

    def render(self, task) -> Text:
        rows = task.fields.get("rows", 0)
        elapsed = task.elapsed or 0
        rate = rows / elapsed if elapsed > 0 else 0
        return Text(f"{rows:>9,} rows {rate:>8,.0f} rows/s", style="progress.data.speed")


class ProgressReporter:
    """Draws one bar per file (bytes read) with rows and rows per second."""

    def __init__(self, progress: Progress):
        self.progress = progress
        self.task = None

    def file(self, file) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[-1].total)
        self.task = self.progress.add_task(file.name, total=file.size, rows=0)

    def advance(self, rows: int, read_bytes: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=read_bytes, rows=rows)

    def phase(self, message: str) -> None:
        self.progress.console.print(f"[dim]{escape(message)}…[/dim]")


def import_command(
    folder: Path = typer.Argument(
        ...,
        metavar="DIR",
        help="A folder of units, metrics, people, postings and observations files (.csv or "
        ".xlsx); other files are skipped.",
    ),
    source: str = typer.Option(
        "default",
        help="The source system the files' external ids belong to; importing again from the "
        "same source updates its rows.",
    ),
    errors_file: Path | None = typer.Option(
        None, "--errors", help="Write every problem found to this CSV file."
    ),
    actor: str | None = typer.Option(
        None, help="Who imports, for the audit trail (default: cli:<your login>)."
    ),
) -> None:
    """Import CSV/XLSX files: every row is checked first; with any problem nothing is written."""
    from core.db import create_engine, create_sessionmaker
    from core.importing import ErrorSink, files_in, run_import
    from core.migrate import upgrade
    from yixian.cli import _registry

    if not folder.is_dir():
        errors.print(f"[red]{escape(str(folder))} is not a folder.[/red]")
        raise typer.Exit(2)
    files, skipped = files_in(folder)
    for name in skipped:
        console.print(f"[yellow]skipped[/yellow] {escape(name)} (not a file yixian imports)")
    settings = Settings()
    registry = _registry(settings)
    sink = ErrorSink(keep=SHOWN_ERRORS, csv_path=errors_file)
    who = actor or f"cli:{getpass.getuser()}"

    async def run():
        await upgrade(settings.database_url, registry)
        engine = create_engine(settings.database_url)
        try:
            columns = (
                TextColumn("{task.description:<18}"),
                BarColumn(),
                DownloadColumn(),
                RowsPerSecond(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=console) as progress:
                return await run_import(
                    create_sessionmaker(engine),
                    files,
                    source=source,
                    actor=who,
                    channel="cli",
                    sink=sink,
                    reporter=ProgressReporter(progress),
                )
        finally:
            await engine.dispose()

    started = time.monotonic()
    try:
        report = asyncio.run(run())
    finally:
        sink.close()
    if not report.ok:
        _print_problems(report)
        if errors_file is not None:
            console.print(f"Every problem is listed in {escape(str(errors_file))}.")
        raise typer.Exit(1)
    table = Table("file", "rows", "sha256", title=f"Imported from source {source!r}")
    for file in report.files:
        table.add_row(file.name, f"{file.rows:,}", file.sha256[:16] + "…")
    console.print(table)
    counts = Table("kind", "created", "updated")
    for kind, n in report.tables.items():
        counts.add_row(kind, f"{n['created']:,}", f"{n['updated']:,}")
    console.print(counts)
    elapsed = time.monotonic() - started
    console.print(
        f"{report.rows:,} rows in {elapsed:.1f} s ({report.rows / max(elapsed, 0.001):,.0f} "
        f"rows/s); audit event {report.audit_seq}."
    )


def _print_problems(report) -> None:
    table = Table("file", "line", "column", "code", "problem", title="Nothing was imported")
    for problem in report.errors:
        table.add_row(
            escape(problem.file),
            "" if problem.line is None else str(problem.line),
            escape(problem.column or ""),
            problem.code,
            escape(problem.message),
        )
    errors.print(table)
    more = report.error_count - len(report.errors)
    tail = f" (the first {len(report.errors)} are shown)" if more > 0 else ""
    errors.print(f"[red]{report.error_count:,} problems{tail}; nothing was written.[/red]")


@demo_app.command("generate")
def demo_generate(
    scale: str = typer.Option("small", help="small (≈100 units), city or province (10× city)."),
    seed: int = typer.Option(1, help="The same seed writes byte-identical files."),
    out: Path = typer.Option(..., help="The folder to write the CSV files in."),
) -> None:
    """Write units, metrics, people, postings and observations CSV files to import."""
    from core.demo.generate import SCALES, generate

    if scale not in SCALES:
        errors.print(f"[red]--scale must be one of {', '.join(SCALES)}[/red]")
        raise typer.Exit(2)
    started = time.monotonic()
    counts = generate(scale, seed, out)
    table = Table("file", "rows")
    for kind, n in counts.items():
        table.add_row(f"{kind}.csv", f"{n:,}")
    console.print(table)
    console.print(
        f"Wrote {escape(str(out))} in {time.monotonic() - started:.1f} s; "
        f"import it with `yixian import {escape(str(out))}`."
    )


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``demo`` to the command line."""
    app.command("import")(import_command)
    app.add_typer(demo_app, name="demo")
