"""Arguments shared by the ``timeline`` and ``metrics`` commands."""

from __future__ import annotations

from ..designs import design_names
from ..errors import bad_input, shown
from ..sched import SEED_MAX, SEED_MIN
from ..timed.costs import DEFAULT_COSTS
from ..timed.run import MAX_CPUS, MAX_TIME_LIMIT_US, run_timed
from ..timed.workload import DEFAULT_IOS, MAX_TIMED_IOS, make_workload, workload_names


def add_timed_arguments(p) -> None:
    p.add_argument("scenario", metavar="SCENARIO", help="a timed scenario: " + ", ".join(workload_names()))
    p.add_argument("--design", default="both", help="old, new, both (default) or any design name")
    p.add_argument("--ios", type=int, default=None, metavar="N",
                   help=f"number of IOs (aio-stress -I; 1..{MAX_TIMED_IOS}); default depends on the scenario")
    p.add_argument("--cpus", type=int, default=2, metavar="K", help=f"simulated CPUs (1..{MAX_CPUS}; default 2)")
    p.add_argument("--seed", type=int, default=0, metavar="S",
                   help=f"seed of the device-timing jitter ({SEED_MIN}..{SEED_MAX}; default 0)")
    p.add_argument("--time-limit-us", type=int, default=None, metavar="T",
                   help=f"stop at this simulated time (1..{MAX_TIME_LIMIT_US}; default: twice the expected IO time "
                        "+ 20 ms)")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar (by default one appears on stderr when a run takes over a second)")


def designs_of(arg: str) -> list[str]:
    if arg == "both":
        return ["old", "new"]
    names = design_names()
    if arg not in names:
        raise bad_input("design", f"unknown design {shown(arg)}", "both, " + ", ".join(names))
    return [arg]


def run_all(args) -> tuple[dict, object]:
    if args.scenario not in workload_names():
        raise bad_input("scenario", f"unknown timed scenario {shown(args.scenario)}", ", ".join(workload_names()))
    designs = designs_of(args.design)
    ios = DEFAULT_IOS[args.scenario] if args.ios is None else args.ios
    load = make_workload(args.scenario, ios)
    progress = False if (args.no_progress or getattr(args, "json", False)) else None
    runs = {d: run_timed(load, d, cpus=args.cpus, seed=args.seed, costs=DEFAULT_COSTS,
                         time_limit_us=args.time_limit_us, progress=progress) for d in designs}
    return runs, load


def report_violations(runs) -> bool:
    """One line per run that broke an invariant (``TimedRun.describe_violation``); True if any did."""
    broken = {d: r for d, r in runs.items() if r.violation is not None}
    for d, r in broken.items():
        print(f"# {d}: {r.describe_violation()}")
    return bool(broken)


def violation_json(run) -> dict:
    """What ``--json`` says of a run that broke an invariant instead of its metrics."""
    v = run.violation
    return {"outcome": "violation", "violation": {"invariant": v.invariant, "message": v.message,
                                                  "step": run.violation_step, "task": run.names[run.violation_task],
                                                  "where": run.violation_at, "sim_time_us": run.sim_time_us}}


def echo(name: str, args, runs) -> str:
    ios = next(iter(runs.values())).workload
    n = ios.writes + ios.reads
    words = ["ext4io-teach", name, args.scenario, "--design", args.design, "--ios", str(n), "--cpus", str(args.cpus),
             "--seed", str(args.seed)]
    if args.time_limit_us is not None:
        words += ["--time-limit-us", str(args.time_limit_us)]
    return "# " + " ".join(words)
