"""``yixian plugin new``: write a plugin distribution whose own test passes right away.

The files are ``string.Template`` texts under ``scaffold_template/`` (``$key``, ``${camel}``…;
``$$`` is a plain dollar). Their layout is the output's, with ``package/`` standing for the
plugin's package and ``0001_records.py`` for its first revision file.
"""

from __future__ import annotations

import datetime
import hashlib
import keyword
import re
import sys
from pathlib import Path
from string import Template

from strawberry.utils.str_converters import to_camel_case

from core.contributions import PluginInfo
from core.plugins import KEY_PATTERN

TEMPLATES = Path(__file__).parent / "scaffold_template"
LOCALITY_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,31}$")
#: Longest package name: table and constraint names fit in PostgreSQL, code lines in 100.
MAX_PACKAGE = 30
#: Alembic keeps revision ids in a VARCHAR(32).
MAX_REVISION = 32
#: Packages of yixian itself, which a plugin package must not shadow.
RESERVED = {"core", "schema", "plugins", "yixian", "tests"}


class ScaffoldError(ValueError):
    """The key, locality or target folder cannot be used; the message says what to fix."""


def check_key(key: str) -> str:
    """Return the plugin's package name, or raise ScaffoldError saying what to change."""
    if not KEY_PATTERN.match(key):
        raise ScaffoldError(
            f"plugin key {key!r} must be lower-case dotted words (letters, digits and underscores, "
            "each word starting with a letter), e.g. 'taishun.joint_review'"
        )
    package = key.replace(".", "_")
    if len(package) > MAX_PACKAGE:
        raise ScaffoldError(
            f"plugin key {key!r} is too long: use at most {MAX_PACKAGE} characters, so that "
            "its table names fit in PostgreSQL"
        )
    if keyword.iskeyword(package) or package in RESERVED or package in sys.stdlib_module_names:
        raise ScaffoldError(
            f"plugin key {key!r} would make a package {package!r} that hides another module: "
            f"name the district first, e.g. 'taishun.{package}'"
        )
    return package


def check_locality(locality: str) -> str:
    if not LOCALITY_PATTERN.match(locality):
        raise ScaffoldError(
            f"--locality {locality!r} must be a unit code of at most 32 letters, digits, '-' or "
            "'_', e.g. 330329 for 泰顺县"
        )
    return locality


def names(key: str, locality: str) -> dict[str, str]:
    """Every name the templates use, derived from the key so that two plugins never clash."""
    package = check_key(key)
    words = [word for word in re.split(r"[._]+", key) if word]
    camel = to_camel_case(package)  # as strawberry spells the package inside field names
    revision = f"{package}_0001"
    if len(revision) > MAX_REVISION:
        digest = hashlib.sha1(key.encode()).hexdigest()[:8]
        revision = f"{package[: MAX_REVISION - 14]}_{digest}_0001"
    prefix = PluginInfo(key=key, title_zh="", title_en="", version="0").table_prefix
    return {
        "key": key,
        "package": package,
        "dist": "yixian-" + "-".join(words),
        "title": " ".join(words).capitalize(),
        "camel": camel[0].upper() + camel[1:],
        "query_field": to_camel_case(f"{package}_records"),
        "add_field": to_camel_case(f"add_{package}_record"),
        "table_prefix": prefix,
        "table": f"{prefix}record",
        "revision": revision,
        "create_date": datetime.date.today().isoformat(),
        "locality": check_locality(locality),
        "outside": "000000" if locality != "000000" else "999999",
    }


def output_path(template: Path, values: dict[str, str]) -> Path:
    """Where a template's output goes, relative to the distribution folder."""
    parts = list(template.with_suffix("").parts)  # drops ".tmpl"
    if parts[0] == "package":
        parts[0] = values["package"]
    if parts[-1] == "0001_records.py":
        parts[-1] = f"{values['revision']}_records.py"
    return Path(*parts)


def render(values: dict[str, str]) -> dict[Path, str]:
    files = {}
    for template in sorted(TEMPLATES.rglob("*.tmpl")):
        relative = template.relative_to(TEMPLATES)
        text = Template(template.read_text(encoding="utf-8")).substitute(values)
        files[output_path(relative, values)] = text
    return files


def scaffold(key: str, locality: str, path: Path) -> Path:
    """Write the plugin distribution of ``key`` for the unit ``locality`` under ``path``.

    Returns the new folder, ``path / "yixian-<key in dashes>"``.

    Raises:
        ScaffoldError: a bad key or locality, or a target folder that exists and is not empty.
    """
    values = names(key, locality)
    target = Path(path) / values["dist"]
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ScaffoldError(
            f"{target} exists and is not empty: choose another --path, or remove it first"
        )
    files = render(values)  # all of them first: a template error writes nothing
    for relative, text in files.items():
        out = target / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return target
