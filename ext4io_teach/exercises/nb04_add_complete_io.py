"""Notebook 04 (ext4_add_complete_io): one work item for four io_ends, and the fewest and most work items."""

from __future__ import annotations

from ..notebook_helpers import priority_schedule
from ..sched import run
from .feedback import Incorrect
from .registry import Exercise, add
from .replay import replay_safe


def _goal_one_work_item(p, schedule):
    r = replay_safe("completion-storm", "new", p["ios"], schedule)
    if r.outcome() != "completed":
        raise Incorrect(f"your schedule stops after {len(schedule)} steps, before every io_end was freed.")
    n = r.world.stats["work_items_queued"]
    if n != 1:
        raise Incorrect(f"your schedule queued {n} work items: the worker emptied the list before the "
                        "next completion, so that completion found the list empty and queued work again.")
    return f"one work item converted all {p['ios']} io_ends."


add(Exercise(
    "04-one-work-item", "04_add_complete_io", "schedule",
    "New design, completion-storm, N=4 (tasks 0 dio, 1 worker): find a complete schedule in which a single "
    "work item drains all four io_ends.",
    "Work is queued only when a completion finds the list empty. Keep the list non-empty until every "
    "io_end has been added.",
    "ext4_add_complete_io queues work only on the empty-to-non-empty transition; if all completions arrive "
    "before the worker's stage A, one drain takes them all.",
    lambda p: priority_schedule("completion-storm", "new", p["ios"], ["dio", "worker"]),
    goal=_goal_one_work_item, defaults={"ios": 4}))


def _queued_counts(p):
    n = p["ios"]
    old = run("completion-storm", "old", n).stats["work_items_queued"]
    lo, hi = n, 0
    for seed in range(p["seeds"]):
        q = run("completion-storm", "new", n, seed=seed).stats["work_items_queued"]
        lo, hi = min(lo, q), max(hi, q)
    for order in (["dio", "worker"], ["worker", "dio"]):  # all completions first; drain after each one
        q = run("completion-storm", "new", n,
                schedule=priority_schedule("completion-storm", "new", n, order)).stats["work_items_queued"]
        lo, hi = min(lo, q), max(hi, q)
    return {"old": old, "new_min": lo, "new_max": hi}


add(Exercise(
    "04-work-items", "04_add_complete_io", "mapping",
    "completion-storm, N=4: how many work items are queued in the old design (any schedule), and what are the "
    "fewest and the most the new design can queue? Answer {'old': ., 'new_min': ., 'new_max': .}.",
    "Old: each completion queues its own io_end's work. New: one queue_work per empty-to-non-empty "
    "transition of the list; how few and how many such transitions can four completions make?",
    "Old: 4, one per io_end (more if the worker requeues, which it cannot here: nobody holds i_mutex). "
    "New: 1 if all four arrive before the worker drains, 4 if the worker empties the list each time.",
    _queued_counts, defaults={"ios": 4, "seeds": 40}))
