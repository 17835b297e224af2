"""``ext4io-teach metrics``: a timed run of a scenario per design, and its metrics."""

from __future__ import annotations

from ..metrics import flat, metrics
from ._common import print_json
from ._timed_common import add_timed_arguments, echo, run_all

NAME = "metrics"
HELP = "timed run(s) on simulated CPUs: requeues, wasted worker CPU, latencies, old vs new"


def add_arguments(p) -> None:
    add_timed_arguments(p)
    p.add_argument("--json", action="store_true", help="print one JSON object, one entry per design")


def main(args) -> int:
    runs, load = run_all(args)
    ms = {d: metrics(r) for d, r in runs.items()}
    if args.json:
        print_json(ms)
        return 0
    print(echo(NAME, args, runs))
    print(f"# workload: {load.describe()}")
    for d, r in runs.items():
        note = "finished" if r.completed else f"stopped at the time limit ({r.limit_us} us): work unfinished"
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
    return 0
