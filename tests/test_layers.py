"""The package's layers: a lower layer never imports a higher one, not even lazily inside a function.

``cli`` loads ``commands``, so a command that imported ``cli`` would import the module that loads it (the
exit codes live in ``commands/_common.py``); ``exercises`` is what notebooks import, and the CLI layer is no
business of theirs (a run's one-line outcome is ``RunResult.describe()`` in ``sched``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "ext4io_teach"

# package part -> the parts of the package it must never import
FORBIDDEN = {"commands": ("cli",), "exercises": ("cli", "commands"), "problemset": ("cli", "commands"),
             "notebook_helpers": ("cli", "commands", "exercises"),
             "sched": ("cli", "commands", "exercises", "notebook_helpers")}


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every ``ext4io_teach.*`` module ``path`` imports, anywhere in the file (absolute names)."""
    mod = _module_name(path)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[:len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            found.add(name)
            found |= {f"{name}.{a.name}" for a in node.names}
    return {m for m in found if m == "ext4io_teach" or m.startswith("ext4io_teach.")}


def files_of(part: str) -> list[Path]:
    return sorted((PKG / part).rglob("*.py")) if (PKG / part).is_dir() else [PKG / f"{part}.py"]


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_lower_layers_never_import_higher_ones(part):
    bad = []
    for path in files_of(part):
        for m in sorted(imported_modules(path)):
            hit = [f for f in FORBIDDEN[part] if m == f"ext4io_teach.{f}" or m.startswith(f"ext4io_teach.{f}.")]
            if hit:
                bad.append(f"{path.relative_to(PKG.parent)} imports {m}")
    assert not bad, "\n".join(bad)


def test_the_import_finder_sees_relative_and_lazy_imports(tmp_path):
    pkg = tmp_path / "ext4io_teach" / "sub"
    pkg.mkdir(parents=True)
    f = pkg / "x.py"
    f.write_text("from ..cli import main\ndef g():\n    from .commands.run import y\n    import ext4io_teach.z\n")
    global PKG
    old, PKG = PKG, tmp_path / "ext4io_teach"
    try:
        got = imported_modules(f)
    finally:
        PKG = old
    assert {"ext4io_teach.cli", "ext4io_teach.sub.commands.run", "ext4io_teach.z"} <= got
