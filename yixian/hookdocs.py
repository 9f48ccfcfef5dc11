"""The hook reference of ``docs/plugins.md``, rendered from the docstrings of ``core/hookspecs.py``.

The hookspecs are the contract and their docstrings are the reference: this module turns them into
Markdown and writes it between two markers of ``docs/plugins.md``. ``tests/test_docs.py`` fails
when the committed text is stale; ``python -m yixian.hookdocs`` brings it up to date.

The docstrings use a small part of reST and Google style, converted here:

- ``Example::`` followed by an indented block becomes ``Example:`` and a fenced Python block;
- ``Args:`` becomes a list of arguments, ``Returns:`` / ``Raises:`` a labelled paragraph;
- ``double backticks`` and ``:class:`name``` become Markdown code spans.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from core import hookspecs

START = "<!-- hook-reference:start -->"
END = "<!-- hook-reference:end -->"
DEFAULT_DOCS = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"

SECTION = re.compile(r"^# -{3} (?P<title>.+?) -+\s*$")
LABELLED = {"Args": "Arguments", "Arguments": "Arguments", "Returns": "Returns", "Raises": "Raises"}
GOOGLE_SECTION = re.compile(rf"^(?P<label>{'|'.join(LABELLED)}):\s*$")
ROLE = re.compile(r":[a-z]+:`~?([^`]+)`")
LITERAL = re.compile(r"``(.+?)``")
ARGUMENT = re.compile(r"^(?P<name>\w+)(?: \([^)]*\))?:\s*(?P<text>.*)$")


@dataclass(frozen=True)
class Hook:
    name: str
    function: Callable[..., Any]
    line: int
    section: str | None


def hooks(module: ModuleType = hookspecs) -> list[Hook]:
    """Every hookspec of ``module`` in source order, with the ``# --- Title ---`` it sits under."""
    source, _ = inspect.getsourcelines(module)
    sections = [
        (number, match["title"])
        for number, line in enumerate(source, start=1)
        if (match := SECTION.match(line))
    ]
    found = []
    for name, function in vars(module).items():
        if not (inspect.isfunction(function) and hasattr(function, "yixian_spec")):
            continue
        line = inspect.getsourcelines(function)[1]
        above = [title for number, title in sections if number < line]
        found.append(Hook(name, function, line, above[-1] if above else None))
    return sorted(found, key=lambda hook: hook.line)


def _annotation(annotation: Any) -> str:
    # hookspecs.py uses ``from __future__ import annotations``: annotations are the source text.
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def signature(function: Callable[..., Any]) -> str:
    """``def name(arg: Type, …) -> Return``, annotations as written in the source."""
    sig = inspect.signature(function)
    params = []
    for param in sig.parameters.values():
        text = param.name
        if param.annotation is not inspect.Parameter.empty:
            text += f": {_annotation(param.annotation)}"
        if param.default is not inspect.Parameter.empty:
            text += f" = {param.default!r}"
        params.append(text)
    returns = ""
    if sig.return_annotation is not inspect.Signature.empty:
        returns = f" -> {_annotation(sig.return_annotation)}"
    return f"def {function.__name__}({', '.join(params)}){returns}"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _inline(text: str) -> str:
    return LITERAL.sub(r"`\1`", ROLE.sub(r"`\1`", text))


def _block(lines: list[str], start: int, indent: int) -> tuple[list[str], int]:
    """The lines after ``start`` indented deeper than ``indent`` (blank lines included)."""
    end = start
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > indent):
        end += 1
    block = lines[start:end]
    while block and not block[0].strip():
        block.pop(0)
    while block and not block[-1].strip():
        block.pop()
    return block, end


def _dedent(lines: list[str]) -> list[str]:
    margin = min((_indent(line) for line in lines if line.strip()), default=0)
    return [line[margin:] if line.strip() else "" for line in lines]


def _labelled(label: str, body: list[str]) -> Iterator[str]:
    body = _dedent(body)
    if LABELLED[label] != "Arguments":
        text = [_inline(line.strip()) for line in body if line]
        yield f"**{LABELLED[label]}:** " + "\n".join(text)
        return
    yield "**Arguments:**"
    yield ""
    for line in body:
        if not line:
            continue
        match = ARGUMENT.match(line) if _indent(line) == 0 else None
        if match:
            yield f"- `{match['name']}`: {_inline(match['text'])}".rstrip()
        else:
            yield f"  {_inline(line.strip())}"


def docstring_markdown(doc: str) -> str:
    """A hookspec docstring (already dedented by ``inspect.getdoc``) as Markdown."""
    lines = doc.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.rstrip()
        if stripped.endswith("::"):
            lead = stripped[:-1] if stripped.strip() != "::" else ""
            code, i = _block(lines, i + 1, _indent(line))
            if lead:
                out += [_inline(lead), ""]
            out += ["```python", *_dedent(code), "```", ""]
            continue
        section = GOOGLE_SECTION.match(stripped)
        if section:
            body, i = _block(lines, i + 1, _indent(line))
            out += ["", *_labelled(section["label"], body), ""]
            continue
        out.append(_inline(stripped))
        i += 1
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def render_hook_reference(module: ModuleType = hookspecs) -> str:
    """The Markdown reference of every hook of ``module``, grouped by its source sections."""
    parts = [
        "<!-- Generated from core/hookspecs.py by `python -m yixian.hookdocs`: "
        "edit the docstrings there, not this text. -->"
    ]
    current: str | None = None
    for hook in hooks(module):
        if hook.section is not None and hook.section != current:
            current = hook.section
            parts.append(f"## {current}")
        doc = inspect.getdoc(hook.function) or ""
        parts.append(f"### {hook.name}")
        parts.append(f"```python\n{signature(hook.function)}\n```")
        if doc:
            parts.append(docstring_markdown(doc))
    return "\n\n".join(parts) + "\n"


def replace_reference(text: str, reference: str) -> str:
    """``text`` with everything between the markers replaced by ``reference``."""
    start, end = text.find(START), text.find(END)
    if start == -1 or end == -1 or end < start:
        raise ValueError(f"the markers {START} and {END} must both be present, in this order")
    return f"{text[: start + len(START)]}\n\n{reference}\n{text[end:]}"


def generated_part(text: str) -> str:
    """What lies between the markers of ``text`` (as :func:`replace_reference` writes it)."""
    start, end = text.find(START), text.find(END)
    if start == -1 or end == -1 or end < start:
        raise ValueError(f"the markers {START} and {END} must both be present, in this order")
    return text[start + len(START) : end].strip("\n") + "\n"


def update_docs(path: Path = DEFAULT_DOCS) -> bool:
    """Write the current hook reference between the markers of ``path``; True if it changed."""
    text = path.read_text(encoding="utf-8")
    updated = replace_reference(text, render_hook_reference())
    if updated == text:
        return False
    path.write_text(updated, encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_DOCS
    changed = update_docs(path)
    print(f"{path}: {'hook reference updated' if changed else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
