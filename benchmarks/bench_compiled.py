"""Experiment (not a test, not in ``make bench``): would compiling the timed engine reach issue 4's 5 s?

    .venv/bin/pip install cython setuptools        # once; neither is a dependency of the package
    .venv/bin/python benchmarks/bench_compiled.py [--ios 100000] [--rounds 3] [--design new] [--out FILE.md]

It compiles scratch copies of the package with Cython in a temporary directory (the package itself is
not changed) and times the same run interpreted and compiled:

* ``engine``: ``timed.py`` compiled in Cython's pure-Python mode: ``_Engine`` becomes a cdef class whose
  attributes are C integers or typed containers and whose helpers (``dispatch``, ``wake``, ...) are cpdef
  methods with C-typed arguments (a generated ``timed.pxd``); the locals of ``_Engine.run`` are typed
  likewise (a ``cython.locals`` decorator added to the copy). Annotations are not read as types;
* ``engine+model``: that, and also the design steps, the timed world, the state check and the model
  classes, compiled as they are (plain Python classes, untyped).

Every variant must end in the very same run as the interpreted package (all its metrics but the wall
time), or the experiment stops. Each run is a fresh interpreter; the rounds interleave the variants so
that a slow phase of this shared machine hits them alike; the best CPU seconds of the rounds count.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from importlib.machinery import EXTENSION_SUFFIXES

sys.path.insert(0, os.path.dirname(__file__))

from machine import describe, speed_reference_ms  # noqa: E402  (benchmarks/machine.py)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
MODEL_MODULES = ["timed_roles.py", "world.py", "invariants.py", "designs/base.py", "designs/new.py",
                 "designs/old.py", "model/io_end.py", "model/locks.py", "model/task.py", "model/workqueue.py",
                 "model/inode.py"]
VARIANTS = {"engine": ["timed.py"], "engine+model": ["timed.py", *MODEL_MODULES]}
# the types of _Engine's attributes in the compiled engine: C long long, or a Python container Cython
# can index directly; the others stay plain Python objects
ATTR_TYPES = {**{name: "long long" for name in (
    "K", "ctx_us", "slice_us", "limit", "n", "sample_us", "next_sample", "n_steps", "now", "inv_start", "inv_book",
    "worker")},
    **{name: "list" for name in (
        "state", "cpu_of", "busy_to", "slice_from", "ready_since", "gen", "timer_at", "timer_gen", "yielding",
        "cpu_task", "cpu_free", "cpu_last", "events", "segs", "tot", "tot_order", "cpu_wait", "holds", "samples",
        "is_dio", "why", "why_arg", "ffs", "totals")},
    "sleepers": "set", "spinners": "set", "cost": "dict", "act_cache": "dict"}
# the engine's helper methods, compiled as cpdef methods with C-typed arguments (pxd declarations)
METHODS = """
    cpdef void seg(self, Py_ssize_t tid, long long start, long long end, long long act, Py_ssize_t cpu)
    cpdef void charge(self, Py_ssize_t tid, long long act, long long us)
    cpdef void schedule(self, Py_ssize_t tid, long long at)
    cpdef void arm(self, Py_ssize_t tid, long long at)
    cpdef void make_ready(self, Py_ssize_t tid, long long now)
    @cython.locals(c=Py_ssize_t, i=Py_ssize_t, K=Py_ssize_t, tid=Py_ssize_t, f=cython.longlong, at=cython.longlong,
                   g=cython.longlong, cpu_task=list, cpu_last=list, cpu_free=list)
    cpdef void dispatch(self, long long now)
    @cython.locals(c=Py_ssize_t)
    cpdef void release(self, Py_ssize_t tid, long long at)
    cpdef void go_to_sleep(self, Py_ssize_t tid, long long at)
    @cython.locals(s=Py_ssize_t, why=list, why_arg=list, woken=list, start=cython.longlong, at=cython.longlong,
                   c=Py_ssize_t)
    cpdef void wake(self, long long now)
    cpdef bint look(self, Py_ssize_t s, long long now, bint timers)
"""
# the run loop's locals (``_Engine.run`` keeps a closure, so it stays a def method with typed locals)
C_LOCALS = {**{name: "cython.longlong" for name in (
    "now", "end", "cost", "seg_a", "seg_end", "pend", "stop_at", "n_steps", "next_sample", "sample_us", "ctx_us",
    "slice_us", "limit", "a", "h_at", "t_ev", "t_dev", "g")},
    **{name: "cython.Py_ssize_t" for name in ("tid", "c", "n_ev", "n_dev")},
    **{name: "cython.bint" for name in ("first", "switch", "stay", "yld", "is_dio", "is_worker")},
    "st": "cython.int",
    **{name: "list" for name in (
        "state", "gen", "yielding", "cpu_of", "cpu_last", "slice_from", "events", "segs", "tl", "order", "samples",
        "holds", "start_at", "complete_at", "is_dio_of", "per_task", "last", "dev")},
    **{name: "dict" for name in ("kinds", "ent", "cost_of")},
    "e": "tuple"}

RUN_ONE = """
import json, sys, time
from ext4io_teach.metrics import metrics
from ext4io_teach.timed import run_timed
from ext4io_teach.workload import make_workload
import ext4io_teach.timed as timed
load = make_workload({scenario!r}, ios={ios})
c0 = time.process_time()
run = run_timed(load, {design!r}, progress=False)
cpu = time.process_time() - c0
m = metrics(run)
m.pop("wall_seconds", None)
print(json.dumps({{"cpu_s": cpu, "metrics": m, "compiled": timed.__file__.endswith(".so")}}, default=str))
"""

BUILD = """
from setuptools import setup
from Cython.Build import cythonize
directives = {{"language_level": 3, "annotation_typing": False}}
setup(ext_modules=cythonize({modules!r}, compiler_directives=directives, quiet=True),
      script_args=["build_ext", "--inplace", "-j", "2"])
"""


def engine_slots(source: str) -> list[str]:
    """The names in ``_Engine.__slots__`` of ``timed.py``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.name == "_Engine":
            for item in node.body:
                if isinstance(item, ast.Assign) and getattr(item.targets[0], "id", "") == "__slots__":
                    return list(ast.literal_eval(item.value))
    raise SystemExit("timed.py: no _Engine.__slots__ found; this experiment needs updating")


def typed_engine_copy(pkg: str) -> None:
    """Turn the scratch copy's ``timed.py`` into a typed pure-mode Cython module (see the docstring)."""
    path = os.path.join(pkg, "timed.py")
    with open(path) as f:
        src = f.read()
    slots = engine_slots(src)
    pxd = ["cimport cython", "", "cdef class _Engine:"] + [
        f"    cdef public {ATTR_TYPES.get(s, 'object')} {s}" for s in slots]
    with open(os.path.join(pkg, "timed.pxd"), "w") as f:
        f.write("\n".join(pxd) + "\n" + METHODS)
    decorator = "    @cython.locals(" + ", ".join(f"{k}={v}" for k, v in C_LOCALS.items()) + ")\n"
    src, n1 = re.subn(r"\n    __slots__ = \(", "\n    _slot_names = (", src, count=1)  # a cdef class has no __slots__
    src, n2 = re.subn(r"\nimport heapq\n", "\nimport heapq\n\nimport cython\n", src, count=1)
    src, n3 = re.subn(r"\n    def run\(self\) -> None:\n", "\n" + decorator + "    def run(self) -> None:\n", src,
                      count=1)
    if (n1, n2, n3) != (1, 1, 1):
        raise SystemExit("timed.py changed shape (__slots__, import heapq, def run); this experiment needs updating")
    with open(path, "w") as f:
        f.write(src)


def build(variant: str, where: str) -> None:
    """Make ``where`` a compiled scratch copy of the package for ``variant`` (the directory to put on the path)."""
    shutil.copytree(os.path.join(ROOT, "ext4io_teach"), os.path.join(where, "ext4io_teach"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    pkg = os.path.join(where, "ext4io_teach")
    typed_engine_copy(pkg)
    modules = [f"ext4io_teach/{m}" for m in VARIANTS[variant]]
    done = subprocess.run([sys.executable, "-c", BUILD.format(modules=modules)], cwd=where, capture_output=True,
                          text=True)
    if done.returncode:
        raise SystemExit(f"building {variant} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    missing = [m for m in modules if not os.path.exists(os.path.join(where, m[:-3] + EXTENSION_SUFFIXES[0]))]
    if missing:
        raise SystemExit(f"{variant}: compiled modules missing: {missing}")


def run_one(path: str, ios: int, design: str, scenario: str) -> dict:
    env = dict(os.environ, PYTHONPATH=path)
    done = subprocess.run([sys.executable, "-c", RUN_ONE.format(ios=ios, design=design, scenario=scenario)],
                          env=env, capture_output=True, text=True, cwd=path)
    if done.returncode:
        raise SystemExit(f"the run under {path} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ios", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--design", default="new")
    p.add_argument("--scenario", default="seed")
    p.add_argument("--out", default=None)
    a = p.parse_args(argv)
    try:
        import Cython  # noqa: F401
    except ImportError:
        print("needs Cython and setuptools in this interpreter: .venv/bin/pip install cython setuptools",
              file=sys.stderr)
        return 2
    where = f"{describe(load=True)}; speed reference at the start {speed_reference_ms():.0f} ms"
    print(where)
    with tempfile.TemporaryDirectory(prefix="ext4io-compiled-") as tmp:
        paths = {"interpreted": ROOT}
        for variant in VARIANTS:
            print(f"compiling {variant} ...", flush=True)
            paths[variant] = os.path.join(tmp, variant.replace("+", "_"))
            build(variant, paths[variant])
        times: dict = {name: [] for name in paths}
        reference = None
        for r in range(a.rounds):
            for name, path in paths.items():
                got = run_one(path, a.ios, a.design, a.scenario)
                if got["compiled"] != (name != "interpreted"):
                    raise SystemExit(f"{name}: imported the wrong timed module")
                if reference is None:
                    reference = got["metrics"]
                elif got["metrics"] != reference:
                    raise SystemExit(f"{name}: the run differs from the interpreted one; not comparable")
                times[name].append(got["cpu_s"])
                print(f"round {r + 1}: {name} {got['cpu_s']:.2f} s", flush=True)
    base = min(times["interpreted"])
    lines = [f"Machine: {where}; speed reference at the end {speed_reference_ms():.0f} ms", "",
             f"{a.scenario}, {a.ios:,} IOs, design {a.design}; CPU seconds of `run_timed`, best of {a.rounds} "
             "interleaved rounds (same run in every variant, checked)", "",
             "| variant | CPU s (best) | every round | best vs interpreted |", "|---|---:|---|---:|"]
    for name, ts in times.items():
        lines.append(f"| {name} | {min(ts):.2f} | {', '.join(f'{t:.2f}' for t in ts)} | {min(ts) / base:.2f} |")
    print("\n".join(lines))
    if a.out:
        with open(a.out, "w") as f:
            f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
