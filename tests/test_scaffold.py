"""`yixian plugin new`: a district's plugin distribution whose own test passes right away."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from yixian.cli import app
from yixian.scaffold import TEMPLATES

ROOT = Path(__file__).resolve().parent.parent


def plugin_new(key: str, path: Path, locality: str = "330329"):
    return CliRunner().invoke(
        app,
        ["plugin", "new", key, "--locality", locality, "--path", str(path)],
        env={"COLUMNS": "300"},
    )


def run_python(args: list[str], cwd: Path, *paths: Path) -> subprocess.CompletedProcess:
    pythonpath = [str(p) for p in paths] + [os.environ.get("PYTHONPATH", "")]
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, pythonpath))},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory) -> Path:
    """taishun.joint_review for 泰顺县 (330329), written through the command line."""
    folder = tmp_path_factory.mktemp("districts")
    result = plugin_new("taishun.joint_review", folder)
    assert result.exit_code == 0, result.output
    return folder / "yixian-taishun-joint-review"


def test_the_scaffolded_plugin_passes_its_own_test(scaffolded):
    """Right after `yixian plugin new`, the plugin's own test passes on yixian's test kit."""
    # Given a freshly scaffolded plugin distribution
    assert (scaffolded / "taishun_joint_review" / "plugin.py").is_file()
    assert (
        scaffolded / "taishun_joint_review/migrations/versions/taishun_joint_review_0001_records.py"
    ).is_file()

    # When its tests run from its folder, as the district team runs them
    run = run_python(
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], scaffolded, scaffolded
    )

    # Then they pass (once per backend: SQLite, and PostgreSQL when configured)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "passed" in output and "failed" not in output
    expected = "2 passed" if os.environ.get("YIXIAN_TEST_DATABASE_URL") else "1 passed"
    assert expected in output


def test_the_scaffolded_plugin_is_clean_for_ruff(scaffolded):
    """The generated code passes ruff with the rules of its own pyproject."""
    # Given a freshly scaffolded plugin distribution
    ruff = Path(sys.executable).parent / "ruff"

    # When ruff checks it
    run = subprocess.run(
        [str(ruff), "check", "--no-cache", str(scaffolded)], capture_output=True, text=True
    )

    # Then it finds nothing
    assert run.returncode == 0, run.stdout + run.stderr


def test_two_scaffolded_plugins_compose_into_one_schema(tmp_path):
    """Names come from the key: two scaffolded plugins load together without clashing."""
    # Given two plugins of the same scheme in two districts
    assert plugin_new("taishun.joint_review", tmp_path).exit_code == 0
    assert plugin_new("lucheng.joint_review", tmp_path, locality="330302").exit_code == 0
    dirs = [tmp_path / "yixian-taishun-joint-review", tmp_path / "yixian-lucheng-joint-review"]

    # When yixian composes its schema with both
    script = """
import importlib
from core.settings import Settings
from yixian.app import build_schema
from yixian.registry import create_registry
settings = Settings(database_url="sqlite+aiosqlite://")
modules = [importlib.import_module(m) for m in ("taishun_joint_review.plugin",
                                                "lucheng_joint_review.plugin")]
print(build_schema(create_registry(settings, extra=modules, discover=False), settings).schema)
"""
    run = run_python(["-c", script], tmp_path, *dirs)

    # Then each brings its own root field and mutation
    assert run.returncode == 0, run.stderr
    for field in (
        "taishunJointReviewRecords(underUnit: String!)",
        "luchengJointReviewRecords(underUnit: String!)",
        "addTaishunJointReviewRecord(input: AddTaishunJointReviewRecordInput!)",
        "addLuchengJointReviewRecord(input: AddLuchengJointReviewRecordInput!)",
    ):
        assert field in run.stdout


def test_a_bad_key_is_refused_naming_the_rule(tmp_path):
    """A key that is not dotted lower-case words exits with code 2 and says what to write."""
    # Given a key with capitals and a dash
    # When a plugin is scaffolded with it
    result = plugin_new("Taishun-Joint", tmp_path)

    # Then it is refused with the rule and an example, and nothing is written
    assert result.exit_code == 2
    assert "'Taishun-Joint' must be lower-case dotted words" in result.output
    assert "e.g. 'taishun.joint_review'" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_non_empty_folder_is_refused(tmp_path):
    """The scaffold never writes over a folder that holds something."""
    # Given the plugin's folder already holds a file
    folder = tmp_path / "yixian-taishun-joint-review"
    folder.mkdir()
    (folder / "notes.txt").write_text("ours", encoding="utf-8")

    # When the plugin is scaffolded there
    result = plugin_new("taishun.joint_review", tmp_path)

    # Then it is refused, saying what to do, and the folder is untouched
    assert result.exit_code == 2
    assert "exists and is not empty" in result.output and "--path" in result.output
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_every_template_ships_as_package_data():
    """The templates are *.tmpl files, a suffix yixian's package data includes."""
    # Given yixian's pyproject and the template folder
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = config["tool"]["setuptools"]["package-data"]["*"]

    # When the template files are listed
    files = [p for p in TEMPLATES.rglob("*") if p.is_file() and "__pycache__" not in p.parts]

    # Then there are some, and each ends in .tmpl, which is shipped
    assert files and all(p.suffix == ".tmpl" for p in files)
    assert "*.tmpl" in shipped
