"""No exercise's answer is printed in a notebook a student reads first (issue 18, "Exercises that make students
think").

Each exercise computes, from the model, its *telltales* at its default problem (its defaults, or for a seeded
exercise the problem of the ``SEED`` its notebook's parameters cell sets): the step lines of the run it is about
that carry the answer, in every form the package prints a step, or the answer in the words a notebook prints it
(``ext4io_teach/exercises/giveaway.py``). The tests search

* every stored output and every cell source of every main notebook, and
* the outputs its own exercise notebook shows before its answer cell (the problem's ``show()`` included, so a
  problem that printed what it asks is caught too)

for them. The search is shown to find what it looks for: the problems the exercises had before this test
existed are found in the notebooks that printed them, and a printout planted into a notebook's text is found.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

from ext4io_teach import exercises as ex
from ext4io_teach import run
from ext4io_teach.exercises import giveaway as g
from ext4io_teach.exercises.registry import params_of
from ext4io_teach.model.flags import describe

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nbtools  # noqa: E402


def texts(path: Path, *, before: int | None = None, sources: bool = True) -> list[tuple[str, str]]:
    """(where, text) for every cell source and every output of a notebook (cells before index ``before``)."""
    nb = nbformat.read(path, as_version=4)
    out = []
    for k, cell in enumerate(nb.cells[:before]):
        if sources:
            out.append((f"{path.name} cell {k} source", cell.source))
        for o in cell.get("outputs", []):
            text = o.get("text") or o.get("data", {}).get("text/plain", "") or o.get("evalue", "")
            out.append((f"{path.name} cell {k} output", text if isinstance(text, str) else "".join(text)))
    return out


MAIN_TEXTS = [t for p in nbtools.main_notebooks() for t in texts(p)]


def solutions(e) -> Path:
    return ROOT / "notebooks" / "solutions" / f"{e.notebook}_exercises.ipynb"


def default_seed(e) -> int:
    nb = nbformat.read(solutions(e), as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    return int(re.match(r"SEED = (\d+)", cell.source).group(1))


def default_params(key: str) -> dict:
    e = ex.get(key)
    return ex.problem(key, default_seed(e)).params if e.seeded else params_of(e, {})


def hits(telltales, where_texts) -> list[str]:
    return [f"{where}: {t.what}" for t in telltales for where, text in where_texts if g.found(t, text)]


@pytest.mark.parametrize("key", list(ex.REGISTRY))
def test_every_exercise_says_what_would_give_it_away(key):
    e = ex.get(key)
    assert (e.telltales is None) != (not e.no_telltale), "telltales, or no_telltale saying why there are none"
    if e.telltales is not None:
        tells = e.telltales(default_params(key))
        assert tells and all(t.patterns for t in tells)


@pytest.mark.parametrize("key", list(ex.REGISTRY))
def test_no_main_notebook_prints_the_answer(key):
    e = ex.get(key)
    if e.telltales is None:
        return
    assert hits(e.telltales(default_params(key)), MAIN_TEXTS) == []


@pytest.mark.parametrize("key", list(ex.REGISTRY))
def test_the_exercise_notebook_shows_no_answer_before_its_answer_cell(key):
    e = ex.get(key)
    if e.telltales is None:
        return
    nb = nbformat.read(solutions(e), as_version=4)
    first = next(k for k, c in enumerate(nb.cells) if f'"{key}"' in c.source)  # its check, or its problem
    answers = [k for k, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution")]
    answer = max(k for k in answers if k < first) if nbtools.is_graded_test(nb.cells[first]) else \
        min(k for k in answers if k > first)
    assert hits(e.telltales(default_params(key)), texts(solutions(e), before=answer, sources=False)) == []


# ------------------------------------------------------------------------------ the search finds what it seeks
def test_the_problems_the_exercises_had_before_are_found_where_they_were_printed():
    """Planted by history: until this test, ex01's flags question was notebook 01's own run, ex06's seeded trace
    defaulted to the run notebook 06 prints, and ex09's fsync-durable answer was notebook 09's counterexample."""
    old01 = run("completion-storm", "new", 2, schedule=[0] * 8)  # the dio task alone, both completions
    where01 = texts(ROOT / "notebooks" / "01_io_end.ipynb")
    assert hits([g.steps("the old question's run", old01.steps)], where01)
    flags = {io.id: io.flags for io in old01.run.world.ios}
    assert hits([g.flags_words(describe, flags)], where01)

    tells = ex.get("06-who-frees").telltales({"ios": 2, "seed": 3})  # SEED 3's problem when ex06 defaulted to it
    assert hits(tells, texts(ROOT / "notebooks" / "06_who_frees.ipynb"))

    old09 = ex.get("09-fsync-durable")
    from ext4io_teach.explore import explore
    cex = explore("fsync-vs-writeback", "new", 1, property="fsync-durable", progress=False).counterexample.schedule
    assert hits([g.steps("the old answer's run", run("fsync-vs-writeback", "new", 1, schedule=cex[:-1]).steps)],
                texts(ROOT / "notebooks" / "09_what_was_left.ipynb"))
    assert old09.telltales is not None


@pytest.mark.parametrize("key", [k for k, e in ex.REGISTRY.items() if e.telltales is not None])
def test_a_planted_printout_of_the_run_or_answer_is_found(key):
    """Each telltale carries printouts of its subject made by the package's own views (``print_steps`` tables with
    and without columns, ``explain()``'s numbered lines) or, for an answer in words, the line a notebook would
    print. Planted into notebook texts that do not give the answer away, each is found, and only there."""
    for t in ex.get(key).telltales(default_params(key)):
        assert t.examples, t.what
        for k, example in enumerate(t.examples):
            assert hits([t], MAIN_TEXTS + [(f"planted {k}", example)]) == [f"planted {k}: {t.what}"], (key, example)
