#!/usr/bin/env python3
"""Write the pictures made from the model (``ext4io_teach.pictures``) to docs/img/.

    .venv/bin/python tools/make_pictures.py            # every picture
    .venv/bin/python tools/make_pictures.py waitfor    # only those whose file name contains a word

Deterministic: every run comes from a named scenario, design and schedule (a priority order, the
explorer's counterexample, or the first seed in a fixed range that shows the case); the output
lists each file with the run it shows.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ext4io_teach as e4  # noqa: E402
from ext4io_teach import exercises as ex  # noqa: E402
from ext4io_teach import pictures as P  # noqa: E402

OUT = ROOT / "docs" / "img"
DPI = 100


def worker_second_through_c(max_seed: int = 500):
    """The first seed of fsync-vs-worker (new, N=2) where fsync drains io#0 (QUEUED) and the worker
    passes its own stage C first, so fsync, second through stage C, frees io#0."""
    for seed in range(max_seed):
        res = e4.run("fsync-vs-worker", "new", 2, seed=seed)
        w = res.run.world
        conv = {r.io: r.name for r in res.steps if r.kind == "convert"}
        if conv.get(0) == "fsync" and w.tasks[w.ios[0].freed_by].name == "fsync":
            return seed, res
    raise RuntimeError(f"no seed below {max_seed} shows the worker passing stage C first")


def pictures():
    """(file name, what it shows, a function that builds the picture)."""
    views = P.hang_views()
    fsync_first = ex.priority_schedule("fsync-vs-worker", "new", 2, ["dio", "fsync", "worker"])
    storm = ex.priority_schedule("completion-storm", "new", 2, ["dio", "worker"])
    old_fsync = ex.priority_schedule("fsync-vs-worker", "old", 2, ["dio", "fsync", "worker"])

    def durable():
        from ext4io_teach.explore import explore

        cex = explore("fsync-vs-writeback", "new", 1, property="fsync-durable", progress=False).counterexample
        res = e4.run("fsync-vs-writeback", "new", 1, schedule=cex.schedule, properties=("fsync-durable",))
        return P.sequence(res, title="new, fsync-durable broken: fsync returns while the worker still holds a "
                                     "written-back io_end unconverted (what c278531d fixed)")

    def worker_first():
        seed, res = worker_second_through_c()
        return P.sequence(res, title=f"new, seed {seed}: the worker passes stage C first, so fsync frees io#0")

    return [
        ("waitfor-old-loop.png", "truncate-vs-dio old N=1, round robin, at the 3rd failed trylock", lambda: views[0]),
        ("waitfor-old-blocking.png", "truncate-vs-dio old-blocking N=1, round robin, the deadlock",
         lambda: views[1]),
        ("waitfor-lockdep.png", "lockdep's view of the old hang above", lambda: views[2]),
        ("reclaim-deadlock.png", "schematic: 2581fdc8 / 8c0bec21", P.reclaim_deadlock),
        ("sequence-four-stages.png", "completion-storm new N=2, priority dio > worker",
         lambda: P.sequence(e4.run("completion-storm", "new", 2, schedule=storm),
                            title="new: one work item, one flush: the worker drains both io_ends in stages A-D")),
        ("sequence-truncate.png", "truncate-vs-dio new N=2, round robin",
         lambda: P.sequence(e4.run("truncate-vs-dio", "new", 2),
                            title="new: truncate sleeps in inode_dio_wait until the worker has converted both")),
        ("sequence-fsync-first.png", "fsync-vs-worker new N=2, priority dio > fsync > worker",
         lambda: P.sequence(e4.run("fsync-vs-worker", "new", 2, schedule=fsync_first),
                            title="new: fsync passes stage C first, so the worker frees its own io#0")),
        ("sequence-worker-first.png", "fsync-vs-worker new N=2, the first such seed", worker_first),
        ("sequence-old-fsync.png", "fsync-vs-worker old N=2, priority dio > fsync > worker",
         lambda: P.sequence(e4.run("fsync-vs-worker", "old", 2, schedule=old_fsync),
                            title="old (v3.6): fsync converts, each io_end's own work item frees it")),
        ("sequence-fsync-durable.png", "fsync-vs-writeback new N=1, the explorer's fsync-durable counterexample",
         durable),
    ]


def main(argv=None) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("only", nargs="*", help="words a file name must contain")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, what, build in pictures():
        if args.only and not any(w in name for w in args.only):
            continue
        fig = P.figure(build())
        fig.savefig(OUT / name, dpi=DPI)
        plt.close(fig)
        print(f"{name:28} {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
