"""``ext4io-teach timeline``: draw the swimlanes of timed runs (old above new) into a PNG."""

from __future__ import annotations

import os

from ..errors import bad_input, shown
from ._common import EXIT_FOUND
from ._timed_common import add_timed_arguments, echo, report_violations, run_all

NAME = "timeline"
HELP = "draw a timeline (swimlanes per task, counters over time) of timed runs into a PNG"


def add_arguments(p) -> None:
    add_timed_arguments(p)
    p.add_argument("--out", required=True, metavar="FILE.png", help="where to write the figure")
    p.add_argument("--csv", default=None, metavar="TRACE.csv", help="also write the activity segments as CSV")
    p.add_argument("--dpi", type=int, default=100, help="resolution of the PNG (default 100)")


def _check_writable(flag: str, path: str) -> None:
    """Before any run: open the file for appending (which neither truncates an existing file nor needs
    more than the right to write it), then close it, and remove it again if it was not there before.
    ``os.access`` would not do: it says yes to root for everything, /proc and /sys included."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise bad_input(flag, f"{shown(folder, 100)} is a file, not a folder", "a file in an existing folder")
    if not os.path.isdir(folder):
        raise bad_input(flag, f"the folder {shown(folder, 100)} does not exist", "a file in an existing folder")
    if os.path.isdir(path):
        raise bad_input(flag, f"{shown(path, 100)} is a folder", "a file this user may write")
    existed = os.path.exists(path)
    try:
        with open(path, "ab"):
            pass
    except OSError as e:
        raise bad_input(flag, f"{shown(path, 100)} cannot be written ({e.strerror})",
                        "a file this user may write") from None
    if not existed:
        os.unlink(path)


def main(args) -> int:
    if not args.out.lower().endswith(".png"):
        raise bad_input("--out", f"{shown(args.out, 100)} is not a .png file name", "a path ending in .png")
    if not 30 <= args.dpi <= 600:
        raise bad_input("--dpi", f"{args.dpi} is out of range", "30..600")
    _check_writable("--out", args.out)
    if args.csv:
        _check_writable("--csv", args.csv)
    runs, load = run_all(args)
    if any(r.violation is not None for r in runs.values()):
        print(echo(NAME, args, runs))
        report_violations(runs)
        print("nothing written: a run stopped on a violation")
        return EXIT_FOUND
    import matplotlib

    matplotlib.use("Agg")
    from ..timed import plot

    n = load.writes + load.reads
    fig = plot.timeline_figure(runs, title=f"{args.scenario}: {n:,} IOs on {args.cpus} simulated CPUs")
    fig.savefig(args.out, dpi=args.dpi, format="png")  # exactly this name (".png" alone stays ".png")
    print(echo(NAME, args, runs) + f" --out {args.out}" + (f" --csv {args.csv}" if args.csv else ""))
    print(f"# workload: {load.describe()}")
    for d, r in runs.items():
        print(f"# {d}: {r.outcome}, simulated {r.sim_time_us} us, {r.n_steps} steps, {r.wall_seconds:.2f} s")
    if args.csv:
        import pandas as pd

        from ..timed.metrics import segments_frame

        frames = []
        for d, r in runs.items():
            df = segments_frame(r)
            df.insert(0, "design", d)
            frames.append(df)
        pd.concat(frames).to_csv(args.csv, index=False)
    print(f"wrote {args.out}" + (f" and {args.csv}" if args.csv else ""))
    return 0
