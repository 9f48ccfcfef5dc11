"""The docs stay true: the hook reference is current, every hook is documented and tested, and
every relative link leads somewhere."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from yixian.hookdocs import generated_part, hooks, render_hook_reference

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_DOCS = ROOT / "docs" / "plugins.md"
HOOKS = hooks()
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
EXTERNAL = ("http://", "https://", "mailto:", "#")


def test_the_hookspec_module_has_hooks():
    """The reference is not vacuously current: the hookspecs are found, in source order."""
    assert [hook.name for hook in HOOKS][:2] == ["plugin_info", "register_models"]
    assert len(HOOKS) >= 10


def test_the_hook_reference_in_the_plugin_guide_is_current():
    """docs/plugins.md holds exactly what core/hookspecs.py renders to."""
    committed = generated_part(PLUGIN_DOCS.read_text(encoding="utf-8"))
    assert committed == render_hook_reference(), (
        "docs/plugins.md's hook reference is stale: run `python -m yixian.hookdocs`"
    )


@pytest.mark.parametrize("hook", HOOKS, ids=lambda hook: hook.name)
def test_every_hook_is_documented(hook):
    """A summary line, and every argument named in the text."""
    doc = inspect.getdoc(hook.function)
    assert doc, f"core/hookspecs.py: {hook.name} has no docstring"
    assert doc.splitlines()[0].strip(), f"{hook.name}: the docstring must start with a summary"
    missing = [
        name
        for name in inspect.signature(hook.function).parameters
        if not re.search(rf"\b{re.escape(name)}\b", doc)
    ]
    assert not missing, f"{hook.name}: the docstring does not mention {', '.join(missing)}"


def test_every_hook_is_exercised_by_a_test_or_the_example_plugin():
    """A hook whose name appears in no test and not in the example plugin has never run."""
    sources = [
        path
        for path in [*(ROOT / "tests").glob("*.py"), *(ROOT / "examples").rglob("*.py")]
        if path.resolve() != Path(__file__).resolve()
    ]
    text = "\n".join(path.read_text(encoding="utf-8") for path in sources)
    untested = [hook.name for hook in HOOKS if not re.search(rf"\b{hook.name}\b", text)]
    assert not untested, (
        f"hooks no test exercises: {', '.join(untested)} "
        "(add a test_hook_<name> in tests/, or use the hook in examples/)"
    )


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("document", _markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_lead_to_existing_files(document):
    """Every relative link of README.md and docs/*.md names a file or folder of the repository."""
    text = re.sub(r"```.*?```", "", document.read_text(encoding="utf-8"), flags=re.DOTALL)
    broken = [
        target
        for target in LINK.findall(text)
        if not target.startswith(EXTERNAL)
        and not (document.parent / target.split("#", 1)[0]).exists()
    ]
    assert not broken, f"{document.relative_to(ROOT)} links to missing files: {', '.join(broken)}"
