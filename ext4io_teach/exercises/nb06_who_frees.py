"""Notebook 06 (who frees): a seeded trace to say who frees each io_end, and a schedule in which fsync frees io#1."""

from __future__ import annotations

import random

from ..notebook_helpers import priority_schedule
from ..sched import run
from .feedback import Incorrect
from .registry import Exercise, add
from .replay import converted_by, freed_by, replay_safe


def _make_who_frees(seed):
    rng = random.Random(seed)
    return {"ios": rng.randint(2, 3), "seed": seed}


def _who_frees_run(p):
    return run("fsync-vs-worker", "new", p["ios"], seed=p["seed"])


def _show_who_frees(p):
    r = _who_frees_run(p)
    lines = [f"  {rec.i:3} {rec.name:7} {rec.label}" for rec in r.steps if rec.kind != "free"]
    return (f"fsync-vs-worker, design new, N={p['ios']}, random schedule seed {p['seed']} "
            f"(the 'free' steps are hidden):\n" + "\n".join(lines))


add(Exercise(
    "06-who-frees", "06_who_frees", "mapping",
    "Read the trace of stage C (the free steps are hidden) and say who frees each io_end: a dict "
    "{io number: 'worker' or 'fsync'}.",
    "In stage C a QUEUED io_end is only unlinked (its own worker puts it on its to_free list in its stage C if "
    "UNWRITTEN is clear by then); any other io_end goes to the drainer's to_free list. Stage D frees what is on "
    "to_free. Look for 'move to to_free' and 'onto to_free'.",
    "Whoever takes an io_end in stage A converts it; if it is not QUEUED that drainer frees it; if it is "
    "QUEUED, whichever of drainer and owning worker passes stage C second frees it.",
    lambda p: freed_by(_who_frees_run(p).run), make=_make_who_frees, show=_show_who_frees,
    defaults={"ios": 2, "seed": 0}))


def _goal_fsync_frees(p, schedule):
    r = replay_safe("fsync-vs-worker", "new", p["ios"], schedule)
    if r.outcome() != "completed":
        raise Incorrect(f"your schedule stops after {len(schedule)} steps, before the run is finished.")
    freed = freed_by(r)
    k = p["io"]
    if freed[k] != "fsync":
        conv = converted_by(r).get(k)
        raise Incorrect(f"io#{k} was converted by {conv} and freed by {freed[k]}.")
    return f"fsync freed io#{k}."


add(Exercise(
    "06-fsync-frees", "06_who_frees", "schedule",
    "New design, fsync-vs-worker, N=2 (tasks 0 dio, 1 worker, 2 fsync): find a complete schedule in which "
    "fsync frees io#1.",
    "io#1 is not QUEUED if it joins a non-empty list. Let dio complete both io_ends first, then let fsync "
    "drain and settle the list before the worker gets its stage A.",
    "A flusher frees only io_ends that are not QUEUED (or whose worker already cleared QUEUED): io#1 joined "
    "a non-empty list, so it never had a work item of its own.",
    lambda p: priority_schedule("fsync-vs-worker", "new", p["ios"], ["dio", "fsync", "worker"]),
    goal=_goal_fsync_frees, defaults={"ios": 2, "io": 1}))
