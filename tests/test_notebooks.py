"""The notebooks: in sync with their sources (and back), shaped as the design card asks, student versions that
are nbgrader's own, and each one re-executes within its time budget with the same text outputs.

nbval (strict) runs separately over notebooks/: ``pytest --nbval --nbval-current-env notebooks/``.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nbsrc_to_myst  # noqa: E402
import nbtools  # noqa: E402
import run_notebooks  # noqa: E402

MAIN = nbtools.main_notebooks()
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "notebooks" / "exercises").glob("*.ipynb"))
ALL = MAIN + SOLUTIONS + EXERCISES


def ids(paths):
    return [str(p.relative_to(ROOT / "notebooks")) for p in paths]


def read(p):
    return nbformat.read(p, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_the_path_is_there():
    names = [p.stem for p in MAIN]
    numbered = [n[:2] for n in names if n[2] == "_"]
    assert numbered == [f"{k:02d}" for k in range(len(numbered))] and len(numbered) >= 8
    assert all(re.fullmatch(r"\d\d[a-z]?_[a-z0-9_]+", n) for n in names), names  # 00b_primer: after 00, before 01
    assert len(SOLUTIONS) >= 6 and [p.name for p in EXERCISES] == [p.name for p in SOLUTIONS]


@pytest.mark.parametrize("src", nbtools.sources(), ids=lambda p: p.name)
def test_committed_notebook_matches_its_source(src):
    path, fresh = nbtools.build(src)
    assert path.exists(), f"{path} missing: run tools/build_notebooks.py"
    assert nbtools.same_cells(read(path), fresh) == [], "out of date: run tools/build_notebooks.py"


@pytest.fixture(scope="module")
def generated():
    """nbgrader's generate_assignment on the committed solutions (one run for all: about 4 s)."""
    return nbtools.student_versions({sol.name: read(sol) for sol in SOLUTIONS})


@pytest.mark.parametrize("sol", SOLUTIONS, ids=ids(SOLUTIONS))
def test_student_version_is_nbgraders_output(sol, generated):
    student = read(nbtools.student_path(sol))
    assert nbtools.same_cells(student, generated[sol.name]) == [], "out of date: run tools/build_notebooks.py"
    for c in code_cells(student):  # the answer stays the placeholder; the solution became nbgrader's code stub
        g = c.metadata.get("nbgrader", {})
        assert nbtools.BEGIN not in c.source and nbtools.END not in c.source
        if g.get("solution"):
            assert "= ..." in c.source and "# YOUR CODE HERE" in c.source, c.id
            assert c.metadata["deletable"] is False, c.id
        if nbtools.is_graded_test(c):
            assert "raises-exception" in c.metadata["tags"] and c.metadata["editable"] is False, c.id


# ---------------------------------------------------------------- shape (DESIGN.md "Notebook shape")
@pytest.mark.parametrize("path", MAIN, ids=ids(MAIN))
def test_main_path_shape(path):
    nb = read(path)
    assert len(nb.cells) <= 30, f"{len(nb.cells)} cells"
    first, last = nb.cells[0], nb.cells[-1]
    assert first.cell_type == "markdown" and "What you will see" in first.source
    assert last.cell_type == "markdown" and "What changed / next" in last.source
    assert any(c.cell_type == "markdown" and "Vocabulary" in c.source for c in nb.cells)
    assert any(c.cell_type == "markdown" and "question" in c.source.lower() for c in nb.cells)
    for c in nb.cells:
        assert c.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide", "fragment", "-", "skip",
                                                                      "notes"), c.id


@pytest.mark.parametrize("path", MAIN + SOLUTIONS, ids=ids(MAIN + SOLUTIONS))
def test_code_cells_short_and_checked(path):
    for c in code_cells(read(path)):
        lines = c.source.strip().split("\n")
        assert len(lines) <= 10, f"cell {c.id} has {len(lines)} lines"
        answer = c.metadata.get("nbgrader", {}).get("solution")  # an answer may be a variant class (ex04)
        variant = "variant" in c.metadata.get("tags", [])  # a design variant written in a cell (designs/custom.py)
        assert answer or variant or not re.search(r"^\s*def |^\s*class ", c.source, re.M), \
            f"cell {c.id} defines a function"
        if variant:
            assert "register_variant(" in c.source, f"cell {c.id} is tagged variant but registers none"
        # exempt: the import cell, the papermill parameters cell, and answer cells (their check cell follows)
        imports = all(re.match(r"(import|from) ", ln) for ln in lines if ln.strip())
        exempt = imports or "parameters" in c.metadata.get("tags", []) or \
            c.metadata.get("nbgrader", {}).get("solution")
        visible = c.outputs or "assert" in c.source
        assert exempt or visible, f"cell {c.id} shows nothing and asserts nothing"


@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_stored_outputs_are_clean(path):
    nb = read(path)
    counts = [c.execution_count for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1)), "not executed top to bottom in one fresh kernel"
    for c in code_cells(nb):
        tagged = "raises-exception" in c.metadata.get("tags", [])
        errors = [o for o in c.outputs if o.output_type == "error"]
        assert bool(errors) == tagged, f"cell {c.id}: error output {'missing' if tagged else 'unexpected'}"
        for o in c.outputs:
            text = (o.get("text") or "") + str(o.get("data", {}).get("text/plain", ""))
            assert not re.search(r"0x[0-9a-f]{6,}", text), f"cell {c.id} shows a memory address"
            assert "Traceback" not in (o.get("text") or ""), f"cell {c.id} printed a traceback"


# ---------------------------------------------------------------- exercises and nbgrader metadata
@pytest.mark.parametrize("sol", SOLUTIONS, ids=ids(SOLUTIONS))
def test_exercise_notebooks_grade(sol):
    nb, st = read(sol), read(nbtools.student_path(sol))
    cells = code_cells(nb)
    tests = [c for c in cells if nbtools.is_graded_test(c)]
    solutions = [c for c in cells if c.metadata.get("nbgrader", {}).get("solution")]
    after = {c.id: cells[k + 1] for k, c in enumerate(cells[:-1])}
    graded = [c for c in solutions if nbtools.is_graded_test(after[c.id])]
    words = [c for c in solutions if "check" in after[c.id].metadata.get("tags", [])
             and "ex.discuss(" in after[c.id].source]
    assert tests and len(graded) == len(tests) and len(graded) + len(words) == len(solutions)
    for c in cells:  # an ungraded check (ex.discuss) is tagged check, a live widget widget: a problem set skips both
        assert ("ex.discuss(" in c.source) == ("check" in c.metadata.get("tags", [])), c.id
        assert ("Stepper(" in c.source) == ("widget" in c.metadata.get("tags", [])), c.id
    for c in tests:
        assert c.metadata.nbgrader["points"] > 0 and c.metadata.nbgrader["locked"]
        out = "".join(o.get("text", "") for o in c.outputs)
        assert out.startswith("Correct"), f"solution cell {c.id} does not pass: {out[:200]}"
    for c in solutions:
        assert nbtools.BEGIN in c.source and "= ..." in c.source.split(nbtools.BEGIN)[0]
    for c in code_cells(nb):  # widgets stay out of graded cells; ungraded ones only when not grading
        if "widgets" in c.source or "Stepper(" in c.source:
            assert "nbgrader" not in c.metadata and "ex.grading()" in c.source, c.id
    for c in code_cells(st):
        if nbtools.is_graded_test(c):
            errs = [o for o in c.outputs if o.output_type == "error"]
            assert errs and errs[0].ename == "Unanswered" and "Hint:" in errs[0].evalue, c.id


def test_at_least_twelve_graded_exercises():
    graded = [c for p in SOLUTIONS for c in code_cells(read(p)) if nbtools.is_graded_test(c)]
    assert len(graded) >= 12


@pytest.mark.parametrize("path", SOLUTIONS, ids=ids(SOLUTIONS))
def test_seeded_problem_notebooks_have_a_parameters_cell(path):
    nb = read(path)
    if any("ex.problem(" in c.source for c in code_cells(nb)):
        params = [c for c in code_cells(nb) if "parameters" in c.metadata.get("tags", [])]
        assert len(params) == 1 and re.match(r"SEED = \d+", params[0].source)


# ---------------------------------------------------------------- the tools
def test_parse_sources():
    target, cells = nbtools.parse('---\ntarget: solutions/x.ipynb\n---\n# T\ntext\n+++ {"slide": "skip"}\nmore\n'
                                  '```{code-cell} ipython3\n:tags: [parameters]\n\nSEED = 1\n```\n', "x")
    assert target == "solutions/x.ipynb"
    assert [(c["type"], c["source"], c["meta"]) for c in cells] == [
        ("markdown", "# T\ntext", {}), ("markdown", "more", {"slide": "skip"}),
        ("code", "SEED = 1", {"tags": ["parameters"]})]


def test_the_earlier_source_format_is_refused_with_the_way_out():
    for text in ('# T\n```python\nx = 1\n```\n', '<!-- target: solutions/x.ipynb -->\n# T\n'):
        with pytest.raises(ValueError, match="nbsrc_to_myst.py"):
            nbtools.parse(text, "x")


def test_unknown_cell_options_are_refused(tmp_path):
    src = tmp_path / "x.md"
    src.write_text("# T\n```{code-cell} ipython3\n:tag: [parameters]\n\nSEED = 1\n```\n")
    with pytest.raises(ValueError, match=r"unknown cell options \['tag'\]"):
        nbtools.build(src)


def test_the_converter_keeps_every_cell():
    old = ('<!-- target: solutions/x.ipynb -->\n# T\n\n```python\nimport a\n```\n\n+++ {"slide": "skip"}\nmore\n'
           '```python {"nbgrader": "tests", "id": "x-check", "points": 2}\nex.check("k", a)\n```\n'
           '```python {"slide": "-", "tags": ["parameters", "x"]}\nSEED = 1\n```\n')
    new = nbsrc_to_myst.convert(old)
    assert nbsrc_to_myst.convert(new) == new  # a converted file is left as it is
    target, cells = nbtools.parse(new, "x")
    assert target == "solutions/x.ipynb"
    assert [(c["type"], c["source"], c["meta"]) for c in cells] == [
        ("markdown", "# T", {}), ("code", "import a", {}), ("markdown", "more", {"slide": "skip"}),
        ("code", 'ex.check("k", a)', {"nbgrader": "tests", "grade_id": "x-check", "points": 2}),
        ("code", "SEED = 1", {"slide": "-", "tags": ["parameters", "x"]})]


@pytest.mark.parametrize("src", nbtools.sources(), ids=lambda p: p.name)
def test_a_notebook_goes_back_to_a_source_that_builds_it(src, tmp_path):
    path, nb = nbtools.build(src)
    back = tmp_path / src.name
    back.write_text(nbtools.to_source(nb, str(path.relative_to(nbtools.NOTEBOOKS))))
    again_path, again = nbtools.build(back)
    assert again_path == path and again == nb  # cells, metadata, ids and attachments
    assert nbsrc_to_myst.convert(src.read_text()) == src.read_text()  # every source is in the current format


# ---------------------------------------------------------------- run time and reproducibility
@pytest.mark.slow
@pytest.mark.parametrize("path", ALL, ids=ids(ALL))
def test_reexecutes_with_identical_text(path, tmp_path):
    # the run time against the 10 s budget is measured by benchmarks/bench_notebooks.py, not asserted here
    copy = tmp_path / path.relative_to(ROOT / "notebooks")
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, copy)
    nbtools.execute(copy)
    assert run_notebooks.text_outputs(copy) == run_notebooks.text_outputs(path)
    # whole files, error outputs included (a failed exercise check renders as one line, without paths)
    assert read(copy) == read(path), "re-executing changes the file (a non-text output or metadata differs)"
