"""Benchmark (not a test): one stepper click = a model step plus a full re-render, server side.

For each scenario, design and N, a Stepper (real ipywidgets objects, lecture mode, no browser
attached) is clicked "Next" until the run ends or ``--steps`` clicks; every click is timed with
``time.perf_counter`` around ``Button.click()``, i.e. the handler: the model step, the invariant
checks, the HTML of every panel and the widget trait updates. Undo (a replay of the prefix) is timed
separately at the end of the run. Usage:
    .venv/bin/python benchmarks/bench_widgets.py [--steps 300] [--ios 1 2 4 8]
Prints a Markdown table (benchmarks/results_widgets.md holds the committed one).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from machine import describe  # noqa: E402  (benchmarks/machine.py)

from ext4io_teach.widgets import Stepper

CASES = [("truncate-vs-dio", "new"), ("truncate-vs-dio", "old"), ("fsync-vs-worker", "new"),
         ("fsync-vs-worker", "old"), ("completion-storm", "new")]


def machine() -> str:
    return describe(load=False)


def bench(scenario: str, design: str, ios: int, steps: int) -> dict:
    s = Stepper(scenario, design, ios, mode="lecture")
    times, cpu = [], []
    for _ in range(steps):
        if s.ctrl.outcome() is not None:
            break
        t0, c0 = time.perf_counter(), time.thread_time()
        s.click("next")
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    assert not s.errors, s.errors
    t0 = time.perf_counter()
    s.click("undo")
    undo = (time.perf_counter() - t0) * 1000
    times.sort()
    return {"scenario": scenario, "design": design, "ios": ios, "clicks": len(times),
            "median": statistics.median(times), "cpu": statistics.median(cpu),
            "p90": times[int(0.9 * (len(times) - 1))], "max": times[-1],
            "undo": undo}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--ios", type=int, nargs="+", default=[1, 2, 4, 8])
    args = ap.parse_args()
    print(f"Machine: {machine()}; load average before the run: {os.getloadavg()[0]:.1f}\n")
    print("| scenario | design | N | clicks | median ms | CPU median ms | p90 ms | max ms | undo ms (at the end) |")
    print("|---|---|---|---|---|---|---|---|---|")
    worst = 0.0
    for scenario, design in CASES:
        for n in args.ios:
            r = bench(scenario, design, n, args.steps)
            worst = max(worst, r["median"])
            print(f"| {scenario} | {design} | {n} | {r['clicks']} | {r['median']:.2f} | {r['cpu']:.2f} | "
                  f"{r['p90']:.2f} | {r['max']:.2f} | {r['undo']:.1f} |")
    print(f"\nWorst median: {worst:.2f} ms (budget: 20 ms)")


if __name__ == "__main__":
    main()
