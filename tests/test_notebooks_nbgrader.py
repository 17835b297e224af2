"""The nbgrader round trip, in a temporary course directory.

What a lecturer does with the committed notebooks and tools/nbgrader_config.py: generate_assignment on the
solution notebooks gives the committed student versions (cell for cell, metadata included, except the
``raises-exception`` tag the build adds for nbval); autograding the solutions gives full points,
autograding the student versions zero.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nbtools  # noqa: E402

BIN = Path(sys.executable).parent
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))


def nbgrader(course: Path, *args: str) -> None:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")  # nbgrader runs `alembic`
    env["PYTHONPATH"] = str(ROOT / "tests") + os.pathsep + env.get("PYTHONPATH", "")  # for kernel_ipc
    env.pop("NBGRADER_EXECUTION", None)
    p = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-4000:]


@pytest.mark.slow
def test_round_trip(tmp_path):
    course = tmp_path / "course"
    (course / "source" / "ext4io").mkdir(parents=True)
    shutil.copy(ROOT / "tools" / "nbgrader_config.py", course)
    with open(course / "nbgrader_config.py", "a") as f:  # autograde's kernels over IPC (tests/kernel_ipc.py)
        f.write('\nc.ExecutePreprocessor.kernel_manager_class = "kernel_ipc.IpcAsyncKernelManager"\n')
    for sol in SOLUTIONS:
        shutil.copy(sol, course / "source" / "ext4io")
    nbgrader(course, "generate_assignment", "ext4io", "--force")
    release = course / "release" / "ext4io"
    for sol in SOLUTIONS:
        generated = nbformat.read(release / sol.name, as_version=4)
        committed = nbformat.read(nbtools.student_path(sol), as_version=4)
        assert [c.source for c in generated.cells] == [c.source for c in committed.cells], sol.name
        for g, c in zip(generated.cells, committed.cells):
            tags = [t for t in c.metadata.get("tags", []) if t != "raises-exception"]
            assert dict(g.metadata) == {k: v for k, v in c.metadata.items() if k != "tags"} | (
                {"tags": tags} if tags else {}), (sol.name, c.id)
    for student, src in (("full", course / "source" / "ext4io"), ("blank", release)):
        (course / "submitted" / student / "ext4io").mkdir(parents=True)
        for sol in SOLUTIONS:
            shutil.copy(src / sol.name, course / "submitted" / student / "ext4io")
        nbgrader(course, "db", "student", "add", student)
    nbgrader(course, "autograde", "ext4io")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        full = gb.find_submission("ext4io", "full")
        blank = gb.find_submission("ext4io", "blank")
        assert full.max_score > 0
        assert full.score == full.max_score, [(n.name, n.score, n.max_score) for n in full.notebooks]
        assert blank.score == 0, [(n.name, n.score) for n in blank.notebooks]
        per_nb = {n.name: n.max_score for n in full.notebooks}
        assert set(per_nb) == {p.stem for p in SOLUTIONS}
