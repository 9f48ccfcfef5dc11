"""Bulk import of units, people, postings, metrics and observations from CSV or XLSX files.

``yixian import DIR`` and the ``importFiles`` mutation both call :func:`run_import`. Columns and
behaviour: docs/import.md.
"""

from core.importing.kinds import CHECKERS, id_number_problem
from core.importing.problems import ErrorSink, ImportProblem
from core.importing.reading import KINDS, ImportFile, files_in, kind_of
from core.importing.run import FileReport, ImportReport, Reporter, run_import

__all__ = [
    "CHECKERS",
    "KINDS",
    "ErrorSink",
    "FileReport",
    "ImportFile",
    "ImportProblem",
    "ImportReport",
    "Reporter",
    "files_in",
    "id_number_problem",
    "kind_of",
    "run_import",
]
