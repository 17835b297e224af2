"""Benchmark (not a test): seeded random runs of the step model, in steps per second, at N = 8.

Every invariant of the design is checked after every step, as in a normal run. Usage:
    .venv/bin/python benchmarks/bench_sched.py [--runs 200] [--ios 8]
    .venv/bin/python benchmarks/bench_sched.py --memory [--steps 1000000]
Prints a Markdown table (paste it into benchmarks/results_sched.md) and the machine it ran on.

``--memory`` measures, instead of speed, the bytes per step of a long run (truncate-vs-dio, old, N = 64,
the livelock, so every run goes to the step limit), each case in a fresh interpreter
(``machine.memory_of``): the run with its trace kept (what ``run`` needs, and what bounds
``sched.MAX_STEPS_CAP``), and the whole ``run`` command with its text and its ``--json`` output sent to
/dev/null.
"""

from __future__ import annotations

import argparse
import statistics
import time

from machine import describe, memory_of  # noqa: E402  (benchmarks/machine.py)

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


MEMORY_CASES = (
    ("the run, trace kept (sched.run)", "from ext4io_teach import sched", """
        r = sched.run("truncate-vs-dio", "old", 64, max_steps={steps})
        result = len(r.schedule)
        """),
    ("`run` command, text to /dev/null", "import os, sys\nfrom ext4io_teach import cli", """
        sys.stdout = open(os.devnull, "w")
        cli.main(["run", "truncate-vs-dio", "--design", "old", "--ios", "64", "--max-steps", "{steps}"])
        sys.stdout = sys.__stdout__
        result = {steps}
        """),
    ("`run --json` command, to /dev/null", "import os, sys\nfrom ext4io_teach import cli", """
        sys.stdout = open(os.devnull, "w")
        cli.main(["run", "truncate-vs-dio", "--design", "old", "--ios", "64", "--max-steps", "{steps}", "--json"])
        sys.stdout = sys.__stdout__
        result = {steps}
        """),
)


def memory_table(steps: int) -> None:
    print(f"machine: {machine()}\n")
    print("| what | steps | peak MiB above the imports | bytes per step |")
    print("|---|---:|---:|---:|")
    for what, setup, work in MEMORY_CASES:
        m = memory_of(setup, work.format(steps=steps))
        print(f"| {what} | {m['result']:,} | {m['work_peak_mib']:.1f} | {m['work_peak_mib'] * 2 ** 20 / steps:,.0f} |",
              flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--ios", type=int, default=8)
    ap.add_argument("--memory", action="store_true", help="bytes per step of a long run instead of speed")
    ap.add_argument("--steps", type=int, default=1_000_000, help="steps of the --memory runs")
    args = ap.parse_args()
    if args.memory:
        memory_table(args.steps)
        return
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
