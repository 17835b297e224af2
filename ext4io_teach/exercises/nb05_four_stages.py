"""Notebook 05 (the four stages): which flush stages hold i_completed_io_lock."""

from __future__ import annotations

from ..sched import run
from .registry import Exercise, add, answer_for


def _stage_locks(p):
    r = run("completion-storm", "new", 2, schedule=answer_for("04-one-work-item", ios=2))
    held: dict[str, bool] = {}
    for rec in r.steps:
        if rec.name == "worker" and rec.stage and rec.kind not in ("spin_lock", "spin_unlock"):
            held[rec.stage] = held.get(rec.stage, True) and rec.spin_holder == "worker"
    return {s: held[s] for s in "ABCD" if s in held}


add(Exercise(
    "05-stage-locks", "05_four_stages", "mapping",
    "For each flush stage A, B, C, D: does the drainer hold i_completed_io_lock while it does that stage's "
    "work? Answer {'A': True/False, ...}.",
    "Only work on shared state needs the spinlock: the inode list and the io_end flags. A conversion "
    "may sleep (it starts a journal handle), and nobody may sleep holding a spinlock.",
    "A (splice the list) and C (clear UNWRITTEN/QUEUED, sort into to_free) are locked; B (convert) and D "
    "(free what is on the private to_free list) run unlocked.",
    _stage_locks))
