"""Notebook 02 (the old worker): count the v3.6 worker's requeues, make the old fsync convert an io_end, and
say in words who freed it and why that was safe."""

from __future__ import annotations

from ..notebook_helpers import priority_schedule
from ..sched import run
from . import giveaway as g
from .feedback import Incorrect
from .freetext import Discussion, add_text
from .registry import Exercise, add, answer_for
from .replay import converted_by, freed_by, replay_safe


def _requeues(p):
    return run("truncate-vs-dio", "old", p["ios"], max_steps=p["max_steps"]).stats["requeues"]


add(Exercise(
    "02-requeues", "02_old_worker", "value",
    "Old design, truncate-vs-dio, N=3, round robin for 500 steps: how many times does the worker requeue itself? "
    "Predict first from notebook 02's table for N=1 (do three io_ends make it requeue three times as often?), "
    "then compute it with ext4io_teach.run.",
    "run(...) returns a RunResult; its .stats counts 'requeues'. Round robin is the default policy; pass "
    "max_steps=500. For the prediction: how many workers are there, and what does one pass of the loop cost?",
    hint2="There is one worker, and one pass of its loop (dequeue, spin_lock, failed trylock, set QUEUED, "
    "spin_unlock, requeue, yield) requeues one work item whichever io_end it belongs to: the count grows with the "
    "steps, not with N. Notebook 02's table gives about one requeue per seven steps.",
    explain="About the same as with one io_end: one worker runs one work item at a time, and each pass of its "
    "loop requeues one item (the items of the three io_ends take turns at the back of the queue). Once truncate "
    "holds i_mutex, the requeues count the worker's passes, about one every seven steps, whatever N is "
    "[K13] [K32].",
    solve=_requeues, defaults={"ios": 3, "max_steps": 500},
    telltales=lambda p: [g.words("the count next to its step limit",
                                 rf"\b{p['max_steps']}\b[^\n]*requeues\s*[=:]?\s*{_requeues(p)}\b",
                                 example=f"{p['max_steps']} steps: requeues={_requeues(p)}")]))


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
    goal=_goal_old_fsync_converts,
    hint2="The worker converts only after its mutex_trylock(i_mutex) succeeds, so fsync must hold i_mutex first: "
    "complete io#0 (task 0), then step fsync (task 2) until it has popped io#0, converted it and returned; only "
    "then give the worker its steps.",
    telltales=lambda p: [g.steps("the model schedule's run", run(
        "fsync-vs-worker", "old", 1, schedule=answer_for("02-fsync-converts")).steps)]))


def _why_safe(p):
    r = run("fsync-vs-worker", "old", 1, schedule=answer_for("02-fsync-converts"))
    conv, freed = converted_by(r.run), freed_by(r.run)
    return (f"In the model schedule {r.schedule}, {conv[0]} converted io#0 (under i_mutex, with IN_FSYNC set) and "
            f"{freed[0]} freed it: io#0's own work item, still queued when fsync converted it, ran later, found "
            "io#0 off the list (a flusher had converted it) and freed it. That was safe because the v3.6 fsync flush "
            "only converts and never frees, so exactly one task, the work item that io#0 embeds, frees it, and only "
            "after the workqueue has taken that item off the queue and called it: nothing can touch io#0 after the "
            "free. (The new design lets a flusher free, and needs QUEUED to decide who: notebook 06.)")


add_text(Discussion(
    "02-why-safe", "02_old_worker",
    "In your schedule of exercise 2: who freed io#0, and why was that safe in v3.6?",
    _why_safe,
    ("who: the worker, running io#0's own work item (not fsync, which converted it)",
     "the v3.6 fsync flush converts under i_mutex but never frees [K15]",
     "so only the work item io#0 embeds frees it, after the workqueue has dequeued and called that item: no "
     "pending work item is left inside freed memory [K35]")))
