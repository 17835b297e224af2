"""Benchmark (not a test): two checkouts of the package, measured in one interleaved run.

    git worktree add /tmp/base <commit>
    .venv/bin/python benchmarks/bench_compare.py /tmp/base . [--repeat 3] [--ios 100000]

Each measurement runs in a fresh interpreter with ``PYTHONPATH`` pointing at one checkout, and the
two checkouts alternate (base, new, base, new, ...), so a slow phase of the machine hits both alike.
Measured:

* the explorer at N = 6, states per CPU second: truncate-vs-dio ``liveness`` and fsync-vs-worker
  ``safety``, old and new (the cases of ``bench_explore.py``);
* one timed run of the ``seed`` workload at ``--ios`` IOs (2 CPUs, seed 0) for each design a timed
  run accepts that is no broken variant: CPU seconds.

Prints the best and the worst of ``--repeat`` for each side, the ratio of the bests, and the speed
reference (``machine.py``) at the start and the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from machine import describe, speed_reference_ms  # noqa: E402  (benchmarks/machine.py)

EXPLORE = """
import json, time
from ext4io_teach.explore import explore
c0 = time.process_time()
r = explore({scenario!r}, {design!r}, 6, property={prop!r}, max_states=3_000_000, progress=False)
cpu = time.process_time() - c0
print(json.dumps({{"states": r.states, "transitions": r.transitions, "cpu": cpu, "verdict": r.verdict}}))
"""

TIMED = """
import json, time
from ext4io_teach.timed import run_timed
try:
    from ext4io_teach.timed.workload import make_workload
except ImportError:
    from ext4io_teach.workload import make_workload
w = make_workload("seed", {ios})
c0 = time.process_time()
r = run_timed(w, {design!r}, cpus=2, seed=0, progress=False)
cpu = time.process_time() - c0
print(json.dumps({{"steps": r.n_steps, "cpu": cpu, "outcome": r.outcome}}))
"""

EXPLORE_CASES = [("truncate-vs-dio", "liveness", "old"), ("truncate-vs-dio", "liveness", "new"),
                 ("fsync-vs-worker", "safety", "old"), ("fsync-vs-worker", "safety", "new")]
TIMED_DESIGNS = ("old", "old-blocking", "new", "c278531d")


def measure(root: str, code: str) -> dict:
    env = dict(os.environ, PYTHONPATH=os.path.abspath(root))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd="/")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base")
    ap.add_argument("new")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--ios", type=int, default=100_000)
    ap.add_argument("--only", choices=("explore", "timed"), default=None)
    args = ap.parse_args()
    print(f"machine: {describe(load=True)}; speed reference at the start {speed_reference_ms():.0f} ms\n")
    cases = []
    if args.only != "timed":
        cases += [(f"explore {s} {p} {d} N=6", EXPLORE.format(scenario=s, prop=p, design=d)) for s, p, d in
                  EXPLORE_CASES]
    if args.only != "explore":
        cases += [(f"timed seed {args.ios:,} {d}", TIMED.format(ios=args.ios, design=d)) for d in TIMED_DESIGNS]
    print("| case | count | base: best CPU s (worst) | new: best CPU s (worst) | new / base | base states per CPU s "
          "| new states per CPU s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, code in cases:
        runs = {"base": [], "new": []}
        for _ in range(args.repeat):
            for side, root in (("base", args.base), ("new", args.new)):
                runs[side].append(measure(root, code))
        b, n = runs["base"], runs["new"]
        count_b = {k: v for k, v in b[0].items() if k != "cpu"}
        count_n = {k: v for k, v in n[0].items() if k != "cpu"}
        if count_b != count_n:
            print(f"| {name} | DIFFERENT RESULTS: base {count_b}, new {count_n} |")
            continue
        bb, bw = min(r["cpu"] for r in b), max(r["cpu"] for r in b)
        nb, nw = min(r["cpu"] for r in n), max(r["cpu"] for r in n)
        count = b[0].get("states", b[0].get("steps"))
        sps = (f"{count / bb:,.0f} | {count / nb:,.0f}" if "states" in b[0] else " | ")
        print(f"| {name} | {count:,} | {bb:.2f} ({bw:.2f}) | {nb:.2f} ({nw:.2f}) | {nb / bb:.2f} | {sps} |", flush=True)
    print(f"\nspeed reference at the end {speed_reference_ms():.0f} ms")


if __name__ == "__main__":
    main()
