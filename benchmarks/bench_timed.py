"""Benchmark (not a test): timed runs of the seed case, seconds per design, and growth with IOs.

    .venv/bin/python benchmarks/bench_timed.py [--sizes 10000,30000,100000] [--out benchmarks/results_timed.md]

Invariant checking stays on (incremental). Reports wall time and the process's CPU time: the machine
may be shared, and CPU time is the steadier figure. Also writes the metrics table (1k/10k/100k) and
the scaling figure when asked (``--table``, ``--figure``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from machine import describe  # noqa: E402  (benchmarks/machine.py)

from ext4io_teach.metrics import flat, metrics  # noqa: E402
from ext4io_teach.timed import run_timed  # noqa: E402
from ext4io_teach.workload import make_workload  # noqa: E402


def machine() -> str:
    return describe(load=True)


def bench(sizes, designs=("old", "new"), scenario="seed"):
    rows = []
    for n in sizes:
        load = make_workload(scenario, n)
        for d in designs:
            c0, t0 = time.process_time(), time.perf_counter()
            r = run_timed(load, d, cpus=2, seed=0)
            cpu, wall = time.process_time() - c0, time.perf_counter() - t0
            row = {"design": d, "ios": n, "outcome": r.outcome, "steps": r.n_steps, "cpu_s": cpu, "wall_s": wall,
                   **flat(metrics(r))}
            rows.append(row)
            print(f"{scenario} {n:>7} {d:<4} {r.outcome:<10} steps {r.n_steps:>9,} cpu {cpu:6.2f} s wall {wall:6.2f} s "
                  f"({r.n_steps / max(cpu, 1e-9) / 1000:.0f}k steps/s CPU)", flush=True)
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="10000,30000,100000")
    p.add_argument("--scenario", default="seed")
    p.add_argument("--out", default=None)
    p.add_argument("--figure", default=None, help="write the scaling figure (PNG) here")
    a = p.parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",")]
    print(machine())
    rows = bench(sizes, scenario=a.scenario)
    lines = [f"Machine: {machine()}", "", "| scenario | IOs | design | outcome | steps (incl. fast-forwarded) | "
             "CPU s | wall s | µs CPU per step |", "|---|---:|---|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {a.scenario} | {r['ios']:,} | {r['design']} | {r['outcome']} | {r['steps']:,} | "
                     f"{r['cpu_s']:.2f} | {r['wall_s']:.2f} | {r['cpu_s'] / max(1, r['steps']) * 1e6:.1f} |")
    if a.out:
        with open(a.out, "w") as f:
            f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    if a.figure:
        import matplotlib

        matplotlib.use("Agg")
        from ext4io_teach import plot

        fig = plot.scaling_figure(rows, title=f"{a.scenario}: cost and latency against IOs (old vs new)")
        fig.savefig(a.figure, dpi=90)
    return 0


if __name__ == "__main__":
    sys.exit(main())
