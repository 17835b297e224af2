"""One step routine: ``can_run``, the settle loop and the step label are defined once in the package,
and a stepped trace and a timed trace of the same steps read the same."""

import ast
import pathlib
import re

import pytest

import ext4io_teach
from ext4io_teach import run
from ext4io_teach.timed import run_timed
from ext4io_teach.timed.workload import make_workload

PACKAGE = pathlib.Path(ext4io_teach.__file__).parent


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text())


def _defined(name: str) -> list[str]:
    return [f"{mod}:{node.lineno}" for mod, tree in _modules() for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name]


@pytest.mark.parametrize("name, home", [
    ("can_run", "world.py"),  # whether a task may take its next step (World.blocker decides)
    ("blocker", "world.py"),
    ("settle", "step.py"),  # the local control flow after a step
    ("where", "step.py"),  # the first word of every step label
    ("label_at", "designs/table.py"),  # a step's function and flush stage
])
def test_defined_once(name, home):
    found = _defined(name)
    assert [d.split(":")[0] for d in found] == [home], found


def test_only_the_step_routine_runs_the_local_control_flow():
    """``design.locals`` (the @local methods) is read by step.py alone; a second settle loop would."""
    readers = sorted({mod for mod, tree in _modules() for node in ast.walk(tree)
                      if isinstance(node, ast.Attribute) and node.attr == "locals"
                      and isinstance(node.ctx, ast.Load)})
    assert readers == ["step.py"]


def test_no_second_label_builder():
    """No f-string outside ``step.where`` joins a function and a stage into a label."""
    found = []
    for mod, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = ast.unparse(node)
                if re.search(r"\{[^}]*func[^}]*\}\.\{[^}]*stage[^}]*\}", text):
                    found.append((mod, node.lineno, text))
    assert [m for m, _, _ in found] == ["step.py"], found


def _norm(label: str) -> str:
    return re.sub(r"\d+", "#", label)


@pytest.mark.parametrize("design", ["new", "old"])
def test_a_timed_trace_reads_like_a_stepped_one(design):
    """Each step a timed run's worker, truncate or fsync takes is labelled as in a stepped run (numbers
    aside): the conversion the worker runs is ``flush.B convert io#0`` in both (it read ``end_io convert
    io#0`` in timed runs once)."""
    stepped = set()
    for scenario in ("fsync-vs-worker", "truncate-vs-dio"):
        for seed in range(30):
            stepped |= {(r.name, _norm(r.label)) for r in run(scenario, design, 2, seed=seed).steps}
    timed = run_timed(make_workload("seed", 6), design, progress=False, keep_steps=True)
    labels = {(s[4], _norm(s[7])) for s in timed.steps if s[4] in ("worker", "truncate", "fsync")}
    assert labels and labels <= stepped, sorted(labels - stepped)
    if design == "new":
        assert ("worker", "flush.B convert io##") in labels
