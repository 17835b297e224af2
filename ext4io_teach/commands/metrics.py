"""``ext4io-teach metrics``: a timed run of a scenario per design, and its metrics."""

from __future__ import annotations

from ..timed.metrics import flat, metrics
from ._common import EXIT_FOUND, EXIT_OK, print_json
from ._timed_common import add_timed_arguments, echo, report_violations, run_all, violation_json

NAME = "metrics"
HELP = "timed run(s) on simulated CPUs: requeues, wasted worker CPU, latencies, old vs new"


def add_arguments(p) -> None:
    add_timed_arguments(p)
    p.add_argument("--json", action="store_true", help="print one JSON object, one entry per design")


def main(args) -> int:
    runs, load = run_all(args)
    if args.json:
        print_json({d: violation_json(r) if r.violation is not None else metrics(r) for d, r in runs.items()})
        return EXIT_FOUND if any(r.violation is not None for r in runs.values()) else EXIT_OK
    print(echo(NAME, args, runs))
    print(f"# workload: {load.describe()}")
    if report_violations(runs):  # a broken variant: no metrics of a run that stopped on a violation
        return EXIT_FOUND
    ms = {d: metrics(r) for d, r in runs.items()}
    for d, r in runs.items():
        note = {"completed": "finished",
                "time-limit": f"stopped at the time limit ({r.limit_us} us): work unfinished",
                "stuck": f"stuck at {r.sim_time_us} us: no task can ever run again, work unfinished (a hang)",
                }[r.outcome]
        print(f"# {d}: {note}")
    rows = {d: flat(m) for d, m in ms.items()}
    keys = list(next(iter(rows.values())))
    width = max(len(k) for k in keys)
    print(f"{'metric':<{width}}  " + "  ".join(f"{d:>14}" for d in rows))
    for k in keys:
        cells = []
        for d in rows:
            v = rows[d][k]
            cells.append(f"{'null (never)' if v is None else v:>14}")
        print(f"{k:<{width}}  " + "  ".join(cells))
    return EXIT_OK
