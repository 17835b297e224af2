"""A behaviour fingerprint of the model: write it before a refactoring, compare after each step.

    .venv/bin/python tools/fingerprint.py write /tmp/fp_before.json
    .venv/bin/python tools/fingerprint.py write /tmp/fp_after.json
    .venv/bin/python tools/fingerprint.py compare /tmp/fp_before.json /tmp/fp_after.json

It records, through the public entry points only (so it runs on an older checkout as well, e.g.
``PYTHONPATH=/tmp/base python tools/fingerprint.py write ...``):

* ``explore``: every design (variants included) x scenario x N = 1, 2 x split-rmw, for ``safety`` and
  ``all``: verdict, violation, state, transition and depth counts, the counterexample and its cycle;
* ``run``: seeded random runs of the same designs and scenarios (N = 2, three seeds, split-rmw both
  ways): every step record, the outcome, the results, the statistics;
* ``timed``: every design a timed run accepts x every workload x two sizes x two seeds: the steps
  (labels included), segments, samples, i_mutex holds, per-task totals and CPU waits, the statistics,
  fast-forwards, the outcome, the violation and the final state of the World.

``compare`` names each entry that differs and the first difference in it. A difference only in step
labels (a corrected label) is reported apart from every other kind.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time

TIMED_SIZES = (16, 1000)
SEEDS = (0, 1)
RUN_SEEDS = (0, 1, 2)


def _timed_api():
    from ext4io_teach.timed import run_timed, timed_design_names

    try:
        from ext4io_teach.timed.workload import make_workload, workload_names
    except ImportError:  # before the timed package
        from ext4io_teach.workload import make_workload, workload_names
    return run_timed, timed_design_names, make_workload, workload_names


def _plain(x):
    """JSON-ready: tuples to lists, Counters and dicts to sorted dicts."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in sorted(x.items(), key=lambda kv: str(kv[0]))}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x


def _digest(x) -> str:
    return hashlib.sha256(json.dumps(_plain(x)).encode()).hexdigest()[:16]


def explore_part() -> dict:
    from ext4io_teach.designs import design_names
    from ext4io_teach.explore import applicable_properties, explore
    from ext4io_teach.scenarios import scenario_names

    out = {}
    for design in design_names():
        for scenario in scenario_names():
            for ios in (1, 2):
                for split in (False, True):
                    for prop in ("safety", "all"):
                        if prop not in applicable_properties(scenario):
                            continue
                        r = explore(scenario, design, ios, property=prop, split_rmw=split, progress=False)
                        cex = r.counterexample
                        out[f"{design}|{scenario}|{ios}|{int(split)}|{prop}"] = {
                            "verdict": r.verdict, "violation": r.violation, "states": r.states,
                            "transitions": r.transitions, "depth": r.depth, "cycles": r.cycles,
                            "acyclic": r.acyclic, "notes": r.notes,
                            "cex": None if cex is None else [cex.schedule, cex.cycle_start],
                            "explain": r.explain()}
    return out


def run_part() -> dict:
    from ext4io_teach import run
    from ext4io_teach.designs import design_names
    from ext4io_teach.scenarios import scenario_names

    out = {}
    for design in design_names():
        for scenario in scenario_names():
            for split in (False, True):
                for seed in RUN_SEEDS:
                    r = run(scenario, design, 2, seed=seed, split_rmw=split, max_steps=400)
                    v = r.violation
                    out[f"{design}|{scenario}|{int(split)}|{seed}"] = {
                        "outcome": r.outcome, "schedule": r.schedule, "results": r.results, "stats": r.stats,
                        "blocked": r.blocked, "cycling": r.cycling,
                        "violation": None if v is None else [v.invariant, v.message],
                        "labels": [s.label for s in r.steps],
                        "records": [[s.i, s.task, s.kind, s.io, s.spin_holder, s.mutex_holder, s.list_len,
                                     s.dio_count, s.pending] for s in r.steps],
                        "text": str(r.run)}
    return out


def timed_part() -> dict:
    run_timed, timed_design_names, make_workload, workload_names = _timed_api()
    out = {}
    for design in timed_design_names():
        for name in workload_names():
            for ios in TIMED_SIZES:
                for seed in SEEDS:
                    t0 = time.process_time()
                    r = run_timed(make_workload(name, ios), design, seed=seed, keep_steps=True, progress=False)
                    v = r.violation
                    steps = [list(s) for s in r.steps]
                    entry = {
                        "outcome": r.outcome, "n_steps": r.n_steps, "sim_time_us": r.sim_time_us,
                        "violation": None if v is None else [v.invariant, v.message, r.violation_step,
                                                             r.violation_task, r.violation_at],
                        "stats": dict(r.stats), "totals": [dict(c) for c in r.totals],
                        "totals_order": [list(c) for c in r.totals], "cpu_wait": r.cpu_wait,
                        "fast_forwards": r.fast_forwards, "final": r.world.snapshot(),
                        "segments": _digest(r.segments), "samples": _digest(r.samples), "holds": _digest(r.holds),
                        "steps_nolabel": _digest([s[:7] for s in steps]), "labels": _digest([s[7] for s in steps]),
                        "cpu_s": round(time.process_time() - t0, 3)}
                    if ios == TIMED_SIZES[0]:  # small: keep everything, to show a difference in full
                        entry.update(segments_full=r.segments, samples_full=r.samples, holds_full=r.holds,
                                     steps_full=steps)
                    out[f"{design}|{name}|{ios}|{seed}"] = _plain(entry)
    return out


def write(path: str, parts) -> None:
    import ext4io_teach

    data = {"module": ext4io_teach.__file__}
    for part in parts:
        t0 = time.perf_counter()
        data[part] = {"explore": explore_part, "run": run_part, "timed": timed_part}[part]()
        print(f"{part}: {len(data[part])} entries, {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    with open(path, "w") as f:
        json.dump(_plain(data), f)


LABEL_KEYS = {"labels", "steps_full", "explain", "text", "violation"}
IGNORED = {"cpu_s"}


def _first_diff(a, b, where=""):
    if type(a) is not type(b):
        return f"{where}: {str(a)[:200]} != {str(b)[:200]}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k in IGNORED:
                continue
            if k not in a or k not in b:
                return f"{where}.{k}: only in {'after' if k in b else 'before'}"
            d = _first_diff(a[k], b[k], f"{where}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = _first_diff(x, y, f"{where}[{i}]")
            if d:
                return d
        if len(a) != len(b):
            return f"{where}: length {len(a)} != {len(b)}"
        return None
    return None if a == b else f"{where}: {str(a)[:300]!r} != {str(b)[:300]!r}"


def compare(before: str, after: str) -> int:
    with open(before) as f:
        a = json.load(f)
    with open(after) as f:
        b = json.load(f)
    bad = labels = same = 0
    for part in ("explore", "run", "timed"):
        if part not in a or part not in b:
            continue
        for key in sorted(set(a[part]) | set(b[part])):
            x, y = a[part].get(key), b[part].get(key)
            if x is None or y is None:
                print(f"{part} {key}: only {'after' if x is None else 'before'}")
                bad += 1
                continue
            d = _first_diff(x, y)
            if d is None:
                same += 1
                continue
            rest = _first_diff({k: v for k, v in x.items() if k not in LABEL_KEYS},
                               {k: v for k, v in y.items() if k not in LABEL_KEYS})
            if rest is None:
                labels += 1
                print(f"LABEL {part} {key}{d}")
            else:
                bad += 1
                print(f"DIFF  {part} {key}{rest}")
    print(f"{same} entries identical, {labels} differ in labels or texts only, {bad} differ otherwise")
    return 1 if bad else 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("path")
    w.add_argument("--parts", default="explore,run,timed")
    c = sub.add_parser("compare")
    c.add_argument("before")
    c.add_argument("after")
    args = p.parse_args(argv)
    if args.cmd == "write":
        write(args.path, args.parts.split(","))
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
