"""Benchmark (not a test): the explorer's speed, states per second and time to verdict.

For old and new at N = 1..6: truncate-vs-dio with property liveness (the verdict the issue is about:
old = livelock, new = ok, which needs the whole state graph) and fsync-vs-worker with property safety
(the scenario whose state space grows fastest). Every invariant of the design's family is checked in
every state, exactly as in a normal run; nothing is switched off. Each run is bounded by
``--max-seconds`` / ``--max-states`` and then reports ``bounded`` with what it explored.

    .venv/bin/python benchmarks/bench_explore.py [--max-ios 6] [--max-seconds 120] [--max-states 3000000]
        [--memory]

``--memory`` measures, instead of time, each case's memory at N = ``--max-ios`` in a fresh interpreter:
the search's peak resident size above what the imports took, and that per state explored.

Prints a Markdown table (paste it into benchmarks/results_explore.md) and the machine it ran on. Wall
seconds are what a user waits; CPU seconds (``time.process_time``) show the cost when the machine is
shared.
"""

from __future__ import annotations

import argparse
import sys
import time

from machine import describe, memory_of, speed_reference_ms  # noqa: E402  (benchmarks/machine.py)

from ext4io_teach.explore import explore

CASES = (("truncate-vs-dio", "liveness"), ("fsync-vs-worker", "safety"))
# memory: a liveness search also keeps every state's edges and then finds the cycles, the costliest case
MEMORY_CASES = CASES + (("fsync-vs-worker", "liveness"),)


def machine() -> str:
    return describe(load=True)


def memory_table(n: int, max_states: int) -> None:
    print(f"machine: {machine()}\n")
    print("| scenario | property | design | N | verdict | states | transitions | peak MiB above the imports | "
          "peak bytes per state |")
    print("|---|---|---|---|---|---:|---:|---:|---:|")
    for scenario, prop in MEMORY_CASES:
        for design in ("old", "new"):
            m = memory_of("from ext4io_teach.explore import explore", f"""
                res = explore({scenario!r}, {design!r}, {n}, property={prop!r}, max_states={max_states},
                              progress=False)
                result = [res.verdict + (f" ({{res.stopped}})" if res.stopped else ""), res.states, res.transitions]
                """)
            verdict, states, transitions = m["result"]
            print(f"| {scenario} | {prop} | {design} | {n} | {verdict} | {states:,} | {transitions:,} | "
                  f"{m['work_peak_mib']:.1f} | {m['work_peak_mib'] * 2 ** 20 / states:,.0f} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-ios", type=int, default=6)
    ap.add_argument("--max-seconds", type=float, default=120.0)
    ap.add_argument("--max-states", type=int, default=3_000_000)
    ap.add_argument("--memory", action="store_true", help="measure memory at N = --max-ios instead of time")
    args = ap.parse_args()
    if args.memory:
        memory_table(args.max_ios, args.max_states)
        return
    print(f"machine: {machine()}; speed reference at the start {speed_reference_ms():.0f} ms (lower is faster; "
          "benchmarks/machine.py)\n")
    print("| scenario | property | design | N | verdict | states | transitions | seconds | CPU s | states/s | "
          "transitions/s | states per CPU s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for scenario, prop in CASES:
        for design in ("old", "new"):
            for n in range(1, args.max_ios + 1):
                c0 = time.process_time()
                res = explore(scenario, design, n, property=prop, max_seconds=args.max_seconds,
                              max_states=args.max_states, progress=False)
                cpu = time.process_time() - c0
                v = res.verdict + (f" ({res.stopped})" if res.stopped else "")
                sps = res.states / res.seconds if res.seconds else 0
                tps = res.transitions / res.seconds if res.seconds else 0
                cps = res.states / cpu if cpu else 0
                print(f"| {scenario} | {prop} | {design} | {n} | {v} | {res.states} | {res.transitions} | "
                      f"{res.seconds:.3f} | {cpu:.3f} | {sps:,.0f} | {tps:,.0f} | {cps:,.0f} |", flush=True)
                if res.verdict == "bounded":
                    print(f"(bounded at N={n}: larger N skipped)", file=sys.stderr)
                    break
    print(f"\nspeed reference at the end {speed_reference_ms():.0f} ms")


if __name__ == "__main__":
    main()
