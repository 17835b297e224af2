"""The compiled-engine experiment (benchmarks/bench_compiled.py) still fits the engine it types.

The experiment itself needs Cython and minutes of compiling, so it is not run here. These tests catch
the engine drifting away from it: a slot or a typed local renamed, or the lines it edits rewritten.
Either would make the experiment type nothing, or stop with an error."""

import ast
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_compiled  # noqa: E402  (benchmarks/bench_compiled.py)

from ext4io_teach.timed import _Engine  # noqa: E402


def _run_method(source: str) -> ast.FunctionDef:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.name == "_Engine":
            return next(f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "run")
    raise AssertionError("no _Engine.run")


def test_the_pxd_declares_every_slot_and_helper_of_the_engine(tmp_path):
    shutil.copy(ROOT / "ext4io_teach" / "timed.py", tmp_path / "timed.py")
    bench_compiled.typed_engine_copy(str(tmp_path))
    pxd = (tmp_path / "timed.pxd").read_text().splitlines()
    declared = [line.split()[-1] for line in pxd if line.startswith("    cdef public ")]
    assert declared == list(_Engine.__slots__)
    assert set(bench_compiled.ATTR_TYPES) <= set(declared), set(bench_compiled.ATTR_TYPES) - set(declared)
    methods = re.findall(r"cpdef \w+ (\w+)\(", bench_compiled.METHODS)
    assert len(methods) == 10 and all(callable(getattr(_Engine, m, None)) for m in methods), methods
    edited = (tmp_path / "timed.py").read_text()
    assert "\nimport cython\n" in edited and "__slots__" not in edited


def test_every_typed_local_is_a_local_of_the_run_loop(tmp_path):
    run = _run_method((ROOT / "ext4io_teach" / "timed.py").read_text())
    assigned = {n.id for n in ast.walk(run) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    assert set(bench_compiled.C_LOCALS) <= assigned, set(bench_compiled.C_LOCALS) - assigned
    shutil.copy(ROOT / "ext4io_teach" / "timed.py", tmp_path / "timed.py")
    bench_compiled.typed_engine_copy(str(tmp_path))
    decorators = _run_method((tmp_path / "timed.py").read_text()).decorator_list
    assert len(decorators) == 1
    assert {k.arg for k in decorators[0].keywords} == set(bench_compiled.C_LOCALS)


def test_a_changed_engine_stops_the_experiment_with_a_message(tmp_path):
    source = (ROOT / "ext4io_teach" / "timed.py").read_text()
    (tmp_path / "timed.py").write_text(source.replace("    def run(self) -> None:", "    def loop(self):"))
    with pytest.raises(SystemExit, match="changed shape"):
        bench_compiled.typed_engine_copy(str(tmp_path))
