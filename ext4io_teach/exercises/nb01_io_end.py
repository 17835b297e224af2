"""Notebook 01 (the io_end): which flags an io_end carries on the list, and a seeded trace to read
``i_dio_count`` from."""

from __future__ import annotations

import random

from ..model.flags import NAMES
from ..sched import Run, run
from .registry import Exercise, add


def _flags_after_completions(p):
    r = Run("completion-storm", "new", p["ios"])
    while r.world.tasks[0].pc != "done":
        r.step(0)
    return {io.id: {NAMES[b] for b in NAMES if io.flags & b} for io in r.world.ios}


add(Exercise(
    "01-flags-on-list", "01_io_end", "mapping",
    "New design, completion-storm, N=2: let only the dio task run until it has completed both io_ends. "
    "Which flags does each io_end carry then? Answer a dict {0: {...}, 1: {...}} of flag names "
    "(UNWRITTEN, QUEUED, DIRECT, IN_FSYNC).",
    "Every io_end here is an AIO direct write into an unwritten extent. ext4_add_complete_io marks an io_end "
    "QUEUED only when it finds the list empty.",
    "Both are UNWRITTEN|DIRECT (a direct write into fallocated space). io#0 found the list empty, so its work "
    "was queued and it is QUEUED; io#1 found io#0 there and only joined the list.",
    _flags_after_completions, defaults={"ios": 2}))


def _make_dio_count(seed):
    rng = random.Random(seed)
    ios = rng.randint(2, 4)
    full = run("truncate-vs-dio", "new", ios, seed=seed).schedule
    cut = rng.randint(len(full) // 3, 2 * len(full) // 3)
    return {"ios": ios, "schedule": full[:cut]}


def _prefix_run(p, scenario="truncate-vs-dio", design="new"):
    r = Run(scenario, design, p["ios"])
    r.replay(p["schedule"])
    return r


def _show_dio_count(p):
    r = _prefix_run(p)
    lines = [f"  {rec.i:3} {rec.name:8} {rec.label}" for rec in r.trace]
    lines = [ln.split(" (i_dio_count=")[0] for ln in lines]
    return f"truncate-vs-dio, design new, N={p['ios']}, i_dio_count starts at {p['ios']}:\n" + "\n".join(lines)


add(Exercise(
    "01-dio-count", "01_io_end", "value",
    "Read the trace (the i_dio_count figures are hidden). What is i_dio_count after its last step?",
    "A completion (add_complete_io) does not drop i_dio_count: for a write into an unwritten extent "
    "inode_dio_done runs only after the conversion, in ext4_end_io. Count the inode_dio_done lines.",
    "i_dio_count drops once per conversion (flush.B inode_dio_done), never at completion: that is what "
    "makes truncate's inode_dio_wait wait for the worker.",
    lambda p: _prefix_run(p).world.inode.dio_count, make=_make_dio_count, show=_show_dio_count,
    defaults={"ios": 2, "schedule": []}))
