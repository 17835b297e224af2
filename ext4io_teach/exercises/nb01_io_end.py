"""Notebook 01 (the io_end): which flags io_ends carry after the worker emptied the list in between, and a
seeded trace to read ``i_dio_count`` from."""

from __future__ import annotations

import random

from ..model.flags import NAMES, describe
from ..notebook_helpers import step_until
from ..sched import Run, run
from . import giveaway as g
from .registry import Exercise, add

FLAG_NAMES = tuple(NAMES[b] for b in NAMES)


def _flags_run(p) -> Run:
    """completion-storm, new design: io#0 completes; the worker takes the list in its stage A (and unlocks) and stops;
    then every other io_end completes."""
    r = Run("completion-storm", "new", p["ios"])
    dio, worker = r.world.tasks
    step_until(r, 0, lambda w: dio.io == 1)
    step_until(r, 1, lambda w: r.trace[-1].stage == "A" and r.trace[-1].kind == "spin_unlock")
    step_until(r, 0, lambda w: dio.pc == "done")
    return r


def _flags(p):
    return {io.id: {NAMES[b] for b in NAMES if io.flags & b} for io in _flags_run(p).world.ios}


def _flags_telltales(p):
    r = _flags_run(p)
    flags = {io.id: io.flags for io in r.world.ios}
    return [g.steps("the run's steps", r.trace),
            g.flags_words(describe, flags)]


add(Exercise(
    "01-flags-on-list", "01_io_end", "mapping",
    "New design, completion-storm, N=3 (tasks 0 dio, 1 worker). io#0 completes; then the worker runs until it has "
    "taken the list in its stage A (and dropped the spinlock again), and stops there; then io#1 and io#2 "
    "complete. Which flags does each io_end carry now? Answer a dict {0: {...}, 1: {...}, 2: {...}} of flag "
    "names (UNWRITTEN, QUEUED, DIRECT, IN_FSYNC).",
    "ext4_add_complete_io marks an io_end QUEUED when it finds the list empty. Is the list empty when io#1 "
    "completes? When io#2 does?",
    hint2="The worker's stage A took the whole list, io#0 with it, so io#1 found the list empty again (QUEUED, a "
    "second work item) and io#2 found io#1 there. Nothing clears a flag before stage C: io#0 keeps UNWRITTEN and "
    "QUEUED.",
    explain="All three are UNWRITTEN|DIRECT (direct writes into fallocated space, none converted yet). io#0 found "
    "the list empty: QUEUED. The worker's stage A then emptied the list, so io#1 found it empty too: QUEUED, its "
    "own work item queued. io#2 found io#1 on the list and only joined it. The worker, stopped after stage A, has "
    "cleared nothing: flags change only in stage C [K41] [K42].",
    solve=_flags, defaults={"ios": 3}, choices=FLAG_NAMES, telltales=_flags_telltales))


def _make_dio_count(seed):
    """A seeded run of truncate-vs-dio cut after at least one conversion and before the end."""
    rng = random.Random(seed)
    ios = rng.randint(2, 4)
    full = run("truncate-vs-dio", "new", ios, seed=seed)
    first = next(rec.i for rec in full.steps if rec.kind == "dio_done")
    cut = rng.randint(first + 1, len(full.schedule) - 1)
    return {"ios": ios, "schedule": full.schedule[:cut]}


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
    "inode_dio_done runs only after the conversion. Count the inode_dio_done lines.",
    hint2="i_dio_count starts at N and drops by one at each 'flush.B inode_dio_done' line, nowhere else: not at a "
    "completion, not at a free. The answer is N minus the number of those lines.",
    explain="i_dio_count drops once per conversion (flush.B inode_dio_done), never at completion: that is what "
    "makes truncate's inode_dio_wait wait for the worker.",
    solve=lambda p: _prefix_run(p).world.inode.dio_count, make=_make_dio_count, show=_show_dio_count,
    defaults={"ios": 2, "schedule": []},
    telltales=lambda p: [g.steps("the trace with its i_dio_count figures",
                                 [rec for rec in _prefix_run(p).trace if rec.kind == "dio_done"])]))
