"""The project's own promises: README commands, CI, docker-compose wiring, lint."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)


def test_readme_has_the_two_commands_and_ci_runs_the_test_one():
    run, test = readme_commands()[:2]
    assert run.endswith("yixian serve")
    assert test.endswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test in ci.splitlines()
    assert "YIXIAN_TEST_DATABASE_URL" in ci


def test_docker_compose_wires_the_app_through_real_settings():
    """Every YIXIAN_ variable compose sets is a setting; the command is a real CLI command."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) >= {"app", "postgres", "redis"}
    assert services["postgres"]["image"].startswith("postgres:15")
    app = services["app"]
    fields = {f"YIXIAN_{name.upper()}" for name in Settings.model_fields}
    assert set(app["environment"]) <= fields
    db = app["environment"]["YIXIAN_DATABASE_URL"]
    pg = services["postgres"]["environment"]
    assert db == (
        f"postgresql+asyncpg://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}"
        f"@postgres:5432/{pg['POSTGRES_DB']}"
    )
    assert app["environment"]["YIXIAN_REDIS_URL"].startswith("redis://redis:")
    settings = Settings(**{k[len("YIXIAN_") :].lower(): v for k, v in app["environment"].items()})
    assert settings.database_url == db
    command = app["command"]
    assert command[:2] == ["yixian", "serve"]
    from typer.testing import CliRunner

    from yixian.cli import app as cli

    help_text = CliRunner().invoke(cli, ["serve", "--help"]).output
    for option in (c for c in command[2:] if c.startswith("--")):
        assert option in help_text, option


def test_lint_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run(
        [ruff, "check", "core", "schema", "plugins", "yixian", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
