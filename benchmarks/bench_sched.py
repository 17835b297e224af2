"""Benchmark (not a test): seeded random runs of the step model, in steps per second, at N = 8.

Every invariant of the design is checked after every step, as in a normal run. Usage:
    .venv/bin/python benchmarks/bench_sched.py [--runs 200] [--ios 8]
Prints a Markdown table (paste it into benchmarks/results_sched.md) and the machine it ran on.
"""

from __future__ import annotations

import argparse
import statistics
import time

from machine import describe  # noqa: E402  (benchmarks/machine.py)

from ext4io_teach import Run, scenario_names
from ext4io_teach.sched import run


def machine() -> str:
    return describe(load=True)


def seeded_steps_per_second(scenario: str, design: str, ios: int, runs: int, keep_trace: bool) -> tuple[float, int]:
    steps = 0
    t0 = time.perf_counter()
    for seed in range(runs):
        res = run(scenario, design, ios, seed=seed, max_steps=5000, keep_trace=keep_trace)
        steps += len(res.schedule)
    return steps / (time.perf_counter() - t0), steps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--ios", type=int, default=8)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    print(f"N = {args.ios}, {args.runs} seeded runs per row, every invariant checked\n")
    print("| scenario | design | steps | steps/s (trace kept) | steps/s (no trace) |")
    print("|---|---|---:|---:|---:|")
    rates = []
    for design in ("new", "old"):
        for scenario in scenario_names():
            with_trace, steps = seeded_steps_per_second(scenario, design, args.ios, args.runs, True)
            bare, _ = seeded_steps_per_second(scenario, design, args.ios, args.runs, False)
            rates.append(bare)
            print(f"| {scenario} | {design} | {steps} | {with_trace:,.0f} | {bare:,.0f} |")
    print(f"\nmedian (no trace): {statistics.median(rates):,.0f} steps/s")
    r = Run("truncate-vs-dio", "new", args.ios)
    assert r.runnable(), "sanity"


if __name__ == "__main__":
    main()
