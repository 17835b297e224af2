"""DESIGN.md's "Map of the package" lists every module of ext4io_teach/, each once, and nothing else.

When a module is added, moved or removed, the failure message gives the lines to paste into the map (with
the module's docstring as a first draft of its description) and the lines to delete.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "ext4io_teach"
SECTION = "## Map of the package"
LINE = re.compile(r"^- `([\w/]+\.py)`: (\S.*)$")


def map_lines(design: str) -> list[tuple[str, str]]:
    """(module path, description) for each line of the map section, in order."""
    if SECTION not in design:
        raise AssertionError(f"DESIGN.md has no {SECTION!r} section")
    body = design.split(SECTION, 1)[1].split("\n## ", 1)[0]
    return [(m.group(1), m.group(2)) for line in body.splitlines() if (m := LINE.match(line))]


def modules() -> list[str]:
    return sorted(str(p.relative_to(PKG)) for p in PKG.rglob("*.py") if "__pycache__" not in p.parts)


def draft(module: str) -> str:
    """A line for the map: the first sentence of the module's docstring, to edit."""
    doc = ast.get_docstring(ast.parse((PKG / module).read_text())) or "(what it is for)"
    first = " ".join(doc.split("\n\n")[0].split()).replace("``", "`")
    first = re.split(r"(?<=\.)\s", first)[0]
    return f"- `{module}`: {first[0].lower() + first[1:] if first[:2] != first[:2].upper() else first}"


def differences(listed: list[tuple[str, str]], files: list[str]) -> list[str]:
    names = [m for m, _ in listed]
    problems = []
    add = [f for f in files if f not in names]
    if add:
        problems.append("add these lines to DESIGN.md's map:\n" + "\n".join(draft(f) for f in add))
    gone = [f"- `{m}`: {d}" for m, d in listed if m not in files]
    if gone:
        problems.append("remove these lines (no such module):\n" + "\n".join(gone))
    twice = sorted({m for m in names if names.count(m) > 1})
    if twice:
        problems.append("listed more than once: " + ", ".join(twice))
    return problems


def test_the_map_lists_every_module_once_and_nothing_else():
    problems = differences(map_lines((ROOT / "DESIGN.md").read_text()), modules())
    assert not problems, "\n\n".join(problems)


def test_the_map_says_something_of_each_module():
    short = [m for m, d in map_lines((ROOT / "DESIGN.md").read_text()) if len(d.split()) < 4]
    assert not short, f"say in a few words what these are for: {short}"


def test_a_changed_tree_gets_the_lines_to_add_and_remove():
    listed = [("cli.py", "the command."), ("timed.py", "the timed engine."), ("cli.py", "again.")]
    problems = differences(listed, ["cli.py", "errors.py"])
    assert problems[0].startswith("add these lines") and "- `errors.py`: the two kinds of failure" in problems[0]
    assert problems[1] == "remove these lines (no such module):\n- `timed.py`: the timed engine."
    assert problems[2] == "listed more than once: cli.py"
