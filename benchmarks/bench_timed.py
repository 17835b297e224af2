"""Benchmark (not a test): timed runs of the seed case, seconds per design, and growth with IOs.

    .venv/bin/python benchmarks/bench_timed.py [--sizes 10000,30000,100000] [--repeat 3] [--out FILE.md]
        [--figure docs/img/scaling_seed.png] [--timeline /tmp/timeline.png]

Invariant checking stays on (incremental). Reports the process's CPU time (``time.process_time()``)
and wall time of each run, best of ``--repeat`` runs with the range: the machine may be shared (and
its virtual CPUs with other machines), and CPU time is the steadier figure. ``--figure`` writes the
scaling figure; ``--timeline`` draws the timeline figure of the largest size from the run objects
(``plot.timeline_figure``, as ``ext4io-teach timeline`` does) and reports its CPU time, building the
figure and building plus saving it (matplotlib imported and warmed up first).

``--memory`` measures, instead of time, each size and design's memory in a fresh interpreter: the peak
resident size while the run ran, above what the imports took, and what the finished run object keeps.

``--floor N`` measures what no engine can save: the new design's steps of an N-IO run replayed in
the order the engine ran them, each step with its local control flow and its state check, and nothing
else (no scheduling, no time, no accounting). The replay is checked to end in the same state with the
same statistics as the real run; what remains of the real run's CPU time is the engine's share.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from machine import describe, memory_of, speed_reference_ms  # noqa: E402  (benchmarks/machine.py)

from ext4io_teach.step import step  # noqa: E402
from ext4io_teach.timed import run_timed  # noqa: E402
from ext4io_teach.timed.metrics import flat, metrics  # noqa: E402
from ext4io_teach.timed.roles import roles_for, timed_design  # noqa: E402
from ext4io_teach.timed.workload import make_workload  # noqa: E402
from ext4io_teach.timed.world import TimedWorld  # noqa: E402


def machine() -> str:
    return describe(load=True)


def bench(sizes, designs=("old", "new"), scenario="seed", repeat=1):
    """One row per size and design: the best CPU time of ``repeat`` runs and its range. Also returns
    the run objects of the largest size."""
    rows = []
    last = {}
    for n in sizes:
        load = make_workload(scenario, n)
        for d in designs:
            cpus, walls = [], []
            for _ in range(repeat):
                r = None  # the previous run's objects go before the next run starts
                c0, t0 = time.process_time(), time.perf_counter()
                r = run_timed(load, d, cpus=2, seed=0, progress=False)
                cpus.append(time.process_time() - c0)
                walls.append(time.perf_counter() - t0)
            cpu, wall = min(cpus), walls[cpus.index(min(cpus))]
            row = {"design": d, "ios": n, "outcome": r.outcome, "steps": r.n_steps, "cpu_s": cpu, "wall_s": wall,
                   "cpu_max_s": max(cpus), **flat(metrics(r))}
            row["wall_seconds"] = round(wall, 2)
            rows.append(row)
            if n == max(sizes):
                last[d] = r
            print(f"{scenario} {n:>7} {d:<4} {r.outcome:<10} steps {r.n_steps:>9,} cpu {cpu:6.2f} s "
                  f"(of {len(cpus)}: up to {max(cpus):.2f}) wall {wall:6.2f} s "
                  f"({r.n_steps / max(cpu, 1e-9) / 1000:.0f}k steps/s CPU)", flush=True)
    return rows, last


def replay_floor(n: int, design: str = "new", scenario: str = "seed", repeat: int = 1) -> dict:
    """CPU seconds of the design code alone for an ``n``-IO run (see the module docstring), best of
    ``repeat``, with the real run's for comparison."""
    load = make_workload(scenario, n)
    real = []
    for _ in range(repeat):
        c0 = time.process_time()
        run_timed(load, design, cpus=2, seed=0, progress=False)  # its objects go at once
        real.append(time.process_time() - c0)
    run = run_timed(load, design, cpus=2, seed=0, keep_steps=True, progress=False)
    order = [(s[0], s[3]) for s in run.steps]
    want = (run.world.snapshot(), dict(run.world.stats))
    run = None
    gc.collect()
    best = None
    for _ in range(repeat):
        w = TimedWorld(timed_design(design), roles_for(load), load, random.Random(0))
        c0 = time.process_time()
        for now, tid in order:
            w.now = now
            w.complete_reads(now)  # the device's reads due by now, as the engine does before a step
            step(w, tid)  # the step, the local control flow after it, the state check
        cpu = time.process_time() - c0
        w.complete_reads(1 << 62)
        if (w.snapshot(), dict(w.stats)) != want:
            raise SystemExit("the replay did not end where the run did: the floor would be meaningless")
        best = cpu if best is None else min(best, cpu)
    return {"ios": n, "design": design, "steps": len(order), "run_cpu_s": min(real), "design_cpu_s": best}


def memory_rows(sizes, designs=("old", "new"), scenario="seed") -> list[str]:
    """Markdown rows: the peak memory of each run (above the imports) and what its TimedRun keeps."""
    rows = ["| scenario | IOs | design | steps | peak MiB above the imports | MiB the run object keeps | "
            "peak bytes per IO |", "|---|---:|---|---:|---:|---:|---:|"]
    for n in sizes:
        for d in designs:
            m = memory_of(f"""
                from ext4io_teach.timed import run_timed
                from ext4io_teach.timed.workload import make_workload
                load = make_workload({scenario!r}, {n})
                """, f"""
                run = run_timed(load, {d!r}, cpus=2, seed=0, progress=False)
                result = run.n_steps
                """)
            steps = m["result"]
            rows.append(f"| {scenario} | {n:,} | {d} | {steps:,} | {m['work_peak_mib']:.1f} | "
                        f"{m['after_mib'] - m['start_mib']:.1f} | {m['work_peak_mib'] * 2 ** 20 / n:,.0f} |")
            print(rows[-1], flush=True)
    return rows


def time_timeline(runs, path: str, scenario: str, repeat: int = 1) -> tuple[float, float]:
    """CPU seconds to build the timeline figure of ``runs`` and to build and save it (best of ``repeat``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ext4io_teach.timed import plot

    warm = plt.figure()  # fonts and the Agg canvas, loaded once per process
    warm.savefig(path, dpi=30)
    plt.close(warm)
    n = max(r.workload.writes + r.workload.reads for r in runs.values())
    builds, totals = [], []
    for _ in range(repeat):
        c0 = time.process_time()
        fig = plot.timeline_figure(runs, title=f"{scenario}: {n:,} IOs on 2 simulated CPUs")
        builds.append(time.process_time() - c0)
        fig.savefig(path, dpi=100)
        totals.append(time.process_time() - c0)
        plt.close(fig)
    return min(builds), min(totals)


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="10000,30000,100000")
    p.add_argument("--scenario", default="seed")
    p.add_argument("--repeat", type=int, default=1, help="runs per size and design; the best CPU time is reported")
    p.add_argument("--out", default=None)
    p.add_argument("--figure", default=None, help="write the scaling figure (PNG) here")
    p.add_argument("--timeline", default=None, help="draw the largest size's timeline (PNG) here and time it")
    p.add_argument("--floor", type=int, default=None, metavar="N",
                   help="only measure the design code's share of an N-IO new-design run (see above)")
    p.add_argument("--memory", action="store_true", help="measure memory instead of time (see above)")
    a = p.parse_args(argv)
    if a.memory:
        print(machine())
        rows = memory_rows([int(s) for s in a.sizes.split(",")], scenario=a.scenario)
        if a.out:
            with open(a.out, "w") as f:
                f.write(f"Machine: {machine()}\n\n" + "\n".join(rows) + "\n")
        return 0
    if a.floor:
        print(f"{machine()}; speed reference {speed_reference_ms():.0f} ms")
        f = replay_floor(a.floor, scenario=a.scenario, repeat=a.repeat)
        rest = f["run_cpu_s"] - f["design_cpu_s"]
        print(f"{a.scenario} {f['ios']:,} IOs, {f['design']}: {f['steps']:,} steps; "
              f"the run {f['run_cpu_s']:.2f} s CPU, "
              f"its design steps and state checks alone {f['design_cpu_s']:.2f} s "
              f"({f['design_cpu_s'] / f['steps'] * 1e6:.2f} µs per step), the engine {rest:.2f} s "
              f"({rest / f['steps'] * 1e6:.2f} µs per step); speed reference {speed_reference_ms():.0f} ms")
        return 0
    sizes = [int(s) for s in a.sizes.split(",")]
    where = (f"{machine()}; speed reference at the start {speed_reference_ms():.0f} ms (lower is faster; "
             "benchmarks/machine.py)")
    print(where)
    rows, last = bench(sizes, scenario=a.scenario, repeat=a.repeat)
    lines = [f"Machine: {where}; load average at the end {os.getloadavg()[0]:.1f}, speed reference at the end "
             f"{speed_reference_ms():.0f} ms", "",
             "| scenario | IOs | design | outcome | steps (incl. fast-forwarded) | "
             "CPU s (best) | CPU s (worst) | wall s | µs CPU per step |", "|---|---:|---|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {a.scenario} | {r['ios']:,} | {r['design']} | {r['outcome']} | {r['steps']:,} | "
                     f"{r['cpu_s']:.2f} | {r['cpu_max_s']:.2f} | {r['wall_s']:.2f} | "
                     f"{r['cpu_s'] / max(1, r['steps']) * 1e6:.1f} |")
    if a.timeline:
        build, total = time_timeline(last, a.timeline, a.scenario, repeat=max(1, a.repeat))
        lines += ["", f"Timeline figure of {max(sizes):,} IOs (old and new, from the run objects): "
                  f"{build:.2f} s CPU to build, {total:.2f} s CPU to build and save ({a.timeline})"]
    if a.out:
        with open(a.out, "w") as f:
            f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    if a.figure:
        import matplotlib

        matplotlib.use("Agg")
        from ext4io_teach.timed import plot

        fig = plot.scaling_figure(rows, title=f"{a.scenario}: cost and latency against IOs (old vs new)")
        fig.savefig(a.figure, dpi=90)
    return 0


if __name__ == "__main__":
    sys.exit(main())
