"""Every ``ex.NAME`` the notebooks, their sources and the docs use exists in ``ext4io_teach.exercises``.

The exercises are a package of small modules re-exported by ``exercises/__init__.py``; a name left out of
the re-exports would only show when a notebook runs that cell. Here ``ex`` is always the module
(``from ext4io_teach import exercises as ex``), never a loop variable.
"""

from __future__ import annotations

import re
from pathlib import Path

from ext4io_teach import exercises as ex

ROOT = Path(__file__).resolve().parent.parent
WHERE = ["tools/nbsrc/*.md", "notebooks/*.ipynb", "notebooks/*/*.ipynb", "docs/*.md", "README.md", "DESIGN.md"]


def used_names() -> dict[str, str]:
    found = {}
    for pattern in WHERE:
        for path in sorted(ROOT.glob(pattern)):
            for name in re.findall(r"\bex\.([A-Za-z_]\w*)", path.read_text()):
                found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def test_the_search_finds_the_names_notebooks_use():
    assert {"check", "print_steps", "priority_schedule", "problem", "BROKEN_PLACE"} <= set(used_names())


def test_every_used_name_exists():
    missing = {name: where for name, where in used_names().items() if not hasattr(ex, name)}
    assert not missing, f"used but not in ext4io_teach.exercises (first use): {missing}"


def test_all_lists_only_names_that_exist():
    assert [n for n in ex.__all__ if not hasattr(ex, n)] == []
