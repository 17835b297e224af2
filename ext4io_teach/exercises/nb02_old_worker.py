"""Notebook 02 (the old worker): count the v3.6 worker's requeues, and make the old fsync convert an io_end."""

from __future__ import annotations

from ..notebook_helpers import priority_schedule
from ..sched import run
from .feedback import Incorrect
from .registry import Exercise, add
from .replay import converted_by, freed_by, replay_safe

add(Exercise(
    "02-requeues", "02_old_worker", "value",
    "Old design, truncate-vs-dio, N=1, round robin for 200 steps: how many times does the worker "
    "requeue itself? Compute it with ext4io_teach.run.",
    "run(...) returns a RunResult; its .stats counts 'requeues'. Round robin is the default policy; "
    "pass max_steps=200.",
    "Once truncate holds i_mutex and waits for i_dio_count, every pass of the worker is dequeue, spin_lock, "
    "failed trylock, set QUEUED, spin_unlock, requeue (and yield): about one requeue every six or seven steps.",
    lambda p: run("truncate-vs-dio", "old", 1, max_steps=p["max_steps"]).stats["requeues"],
    defaults={"max_steps": 200}))


def _goal_old_fsync_converts(p, schedule):
    r = replay_safe("fsync-vs-worker", "old", 1, schedule)
    if r.outcome() != "completed":
        raise Incorrect(f"your schedule stops before the run is finished (after {len(schedule)} steps); "
                        "run it to the end.")
    conv, freed = converted_by(r), freed_by(r)
    if conv.get(0) != "fsync":
        raise Incorrect(f"io#0 was converted by {conv.get(0)}, not by fsync.")
    return (f"fsync converted io#0 (IN_FSYNC kept the work item away) and {freed[0]} freed it, "
            "as the old design intends.")


add(Exercise(
    "02-fsync-converts", "02_old_worker", "schedule",
    "Old design, fsync-vs-worker, N=1 (tasks 0 dio, 1 worker, 2 fsync): find a complete schedule in which "
    "fsync converts io#0. Who frees it then?",
    "fsync must take i_mutex and pop io#0 from the list before the worker's trylock succeeds: let the dio "
    "task complete io#0, then let fsync run as far as it can, and finish with whatever is runnable.",
    "The old fsync flush converts under i_mutex but never frees: io#0's own work item is still queued; it "
    "finds io#0 off the list and frees it.",
    lambda p: priority_schedule("fsync-vs-worker", "old", 1, ["dio", "fsync", "worker"]),
    goal=_goal_old_fsync_converts))
