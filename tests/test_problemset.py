"""One problem set per student (issue 18, item 6): ``ext4io-teach problemset NOTEBOOK --seeds ... --out DIR``
writes one student notebook per seed, its problem cells executed, its answer cells blank, its checks not run.

The sets differ from seed to seed and contain no answers: no check ran (no ``Correct.``, no ``Unanswered``), no
model answer was printed, no telltale of that seed's problems (``exercises/giveaway.py``) is in any output, and
the answer cells are still nbgrader's placeholder. A slow test grades a problem set with nbgrader: a student's
seed survives ``autograde``, the blank set scores zero and the same notebook answered for its seed full points.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from ext4io_teach import cli
from ext4io_teach import exercises as ex
from ext4io_teach import problemset as ps
from ext4io_teach.exercises import giveaway as g

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def sets(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout")
    assert cli.main(["problemset", "06", "--seeds", "1-3", "--out", str(out)]) == 0
    return out


def outputs(nb) -> str:
    return "\n".join((o.get("text") or o.get("evalue") or str(o.get("data", {}).get("text/plain", "")))
                     for c in nb.cells for o in c.get("outputs", []))


def test_one_notebook_per_seed_and_they_differ(sets):
    paths = [sets / f"seed-{s}" / "06_who_frees_exercises.ipynb" for s in SEEDS]
    nbs = [nbformat.read(p, as_version=4) for p in paths]
    assert len({outputs(nb) for nb in nbs}) == 3
    for seed, nb in zip(SEEDS, nbs):
        params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert params.source.startswith(f"SEED = {seed} ") and params.execution_count is not None
        problem = ex.problem("06-who-frees", seed)
        assert f"random schedule seed {problem.params['seed']}" in outputs(nb)


def test_problem_cells_ran_answers_blank_checks_not_run(sets):
    for seed in SEEDS:
        nb = nbformat.read(sets / f"seed-{seed}" / "06_who_frees_exercises.ipynb", as_version=4)
        ran = ps.problem_cells(nb)
        assert ran and [nb.cells[k].execution_count for k in ran] == list(range(1, len(ran) + 1))
        for k, c in enumerate(nb.cells):
            if c.cell_type != "code" or k in ran:
                continue
            assert c.outputs == [] and c.execution_count is None, c.id  # answers, checks, widgets: not run
            if c.metadata.get("nbgrader", {}).get("solution"):
                assert "= ..." in c.source and "# YOUR CODE HERE" in c.source and "BEGIN SOLUTION" not in c.source


def test_no_answer_in_any_output(sets):
    for seed in SEEDS:
        text = outputs(nbformat.read(sets / f"seed-{seed}" / "06_who_frees_exercises.ipynb", as_version=4))
        assert "Correct." not in text and "Unanswered" not in text and "Answer to" not in text
        problem = ex.problem("06-who-frees", seed)
        for t in ex.get("06-who-frees").telltales(problem.params):
            assert not g.found(t, text), (seed, t.what)
        assert str(problem.answer) not in text and "flush.D free" not in text


def test_the_same_seed_gives_the_same_file(sets, tmp_path):
    again = ps.make(ps.find_notebook("06"), 2, tmp_path)
    assert again.read_bytes() == (sets / "seed-2" / "06_who_frees_exercises.ipynb").read_bytes()


def test_every_seeded_notebook_can_make_a_set(tmp_path):
    """Every student notebook with a SEED parameter (01, 04, 05, 06, 08) makes a set whose problem cells run."""
    found = ps.seeded_notebooks()
    assert {n.split("_")[0] for n in found} == {"01", "04", "05", "06", "08"}
    for path in found.values():
        nb = nbformat.read(ps.make(path, 11, tmp_path), as_version=4)
        assert "Correct." not in outputs(nb) and any("seed 11" in o for o in outputs(nb).splitlines())


@pytest.mark.parametrize("text, seeds", [("1-3", [1, 2, 3]), ("3,7,9", [3, 7, 9]), ("1-3, 2-4", [1, 2, 3, 4]),
                                         (" 5 ", [5]), ("0", [0])])
def test_seeds(text, seeds):
    assert ps.parse_seeds(text) == seeds


@pytest.mark.parametrize("argv, flag", [
    (["06", "--seeds", "x"], "--seeds"), (["06", "--seeds", "3-1"], "--seeds"),
    (["06", "--seeds", "1-5000"], "--seeds"), (["06", "--seeds", "-1"], "--seeds"),
    (["03", "--seeds", "1"], "notebook"), (["nope", "--seeds", "1"], "notebook"),
    (["06", "--seeds", "1", "--from", "/nonexistent"], "--from"),
])
def test_bad_input_is_one_line_exit_2(argv, flag, tmp_path, capsys):
    assert cli.main(["problemset", *argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"ext4io-teach problemset: error: {flag}: ") and "allowed: " in err[0]
    assert list(tmp_path.iterdir()) == []  # nothing written before the inputs were checked


def test_out_must_be_a_directory(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    assert cli.main(["problemset", "06", "--seeds", "1", "--out", str(f)]) == 2
    assert "--out: " in capsys.readouterr().err


@pytest.mark.slow
def test_nbgrader_grades_a_problem_set_by_its_own_seed(tmp_path):
    """The released assignment is the default-SEED notebook; a student's submission keeps SEED 17, and autograde
    checks the seed-17 problems: the blank set scores zero, the same notebook answered for seed 17 full points."""
    sys.path.insert(0, str(ROOT / "tests"))
    import test_notebooks_nbgrader as T

    course = tmp_path / "course"
    (course / "source" / "ps").mkdir(parents=True)
    shutil.copy(ROOT / "tools" / "nbgrader_config.py", course)
    with open(course / "nbgrader_config.py", "a") as f:
        f.write('\nc.ExecutePreprocessor.kernel_manager_class = "kernel_ipc.IpcAsyncKernelManager"\n')
    name = "06_who_frees_exercises.ipynb"
    shutil.copy(ROOT / "notebooks" / "solutions" / name, course / "source" / "ps")
    T.nbgrader(course, "generate_assignment", "ps", "--force")
    blank = ps.make(ps.find_notebook("06"), 17, tmp_path / "handout")
    mine, default = ex.problem("06-who-frees", 17).answer, ex.problem("06-who-frees", 9).answer
    assert mine != default  # so the literal answer below is right only for the student's own seed
    answered = nbformat.read(blank, as_version=4)
    for c, sol in zip(answered.cells, nbformat.read(ROOT / "notebooks" / "solutions" / name, as_version=4).cells):
        if c.metadata.get("nbgrader", {}).get("solution"):
            c.source = sol.source.replace("answer_freed_by = {io.id", f"answer_freed_by = {mine!r}  # {{io.id")
    for student, nb in (("blank", nbformat.read(blank, as_version=4)), ("answered", answered)):
        (course / "submitted" / student / "ps").mkdir(parents=True)
        nbformat.write(nb, course / "submitted" / student / "ps" / name)
        T.nbgrader(course, "db", "student", "add", student)
    T.nbgrader(course, "autograde", "ps")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_submission("ps", "blank").score == 0
        full = gb.find_submission("ps", "answered")
        assert full.score == full.max_score > 0
    graded = course / "autograded" / "answered" / "ps" / name
    assert "SEED = 17" in graded.read_text()
