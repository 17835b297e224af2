"""Notebook 04 (ext4_add_complete_io): two batches with chosen heads, and a seeded trace to read which io_ends
were QUEUED. (The variant exercise of this notebook is in ``nb04_variant``.)"""

from __future__ import annotations

import random

from ..notebook_helpers import step_until
from ..sched import Run, run
from . import giveaway as g
from .feedback import Incorrect
from .registry import Exercise, add
from .replay import replay_safe


def queued_ios(records) -> list[int]:
    """The io_ends whose own work item was queued, in order (``ext4_add_complete_io`` found the list empty)."""
    return [rec.io for rec in records if rec.kind == "queue_work"]


HEADS = (0, 2)  # the io_ends whose work items 04-two-batches asks for


def _goal_batches(p, schedule):
    r = replay_safe("completion-storm", "new", p["ios"], schedule)
    if r.outcome() != "completed":
        raise Incorrect(f"your schedule stops after {len(schedule)} steps, before every io_end was freed.")
    got, want = queued_ios(r.trace), list(HEADS)
    if got != want:
        said = ", ".join(f"io#{k}" for k in got)
        raise Incorrect(f"your schedule queued the work items of {said} ({len(got)} work item"
                        f"{'s' if len(got) != 1 else ''}), not of {', '.join(f'io#{k}' for k in want)}.")
    return f"two batches: {', '.join(f'io#{k}' for k in got)} found the list empty and queued work."


def _two_batches(p):
    """Complete every io_end before the second head; let the worker take the list; complete the rest."""
    second = HEADS[1]
    r = Run("completion-storm", "new", p["ios"])
    dio = r.world.tasks[0]
    step_until(r, 0, lambda w: dio.io == second)
    step_until(r, 1, lambda w: r.trace[-1].stage == "A" and r.trace[-1].kind == "spin_unlock")
    step_until(r, 0, lambda w: dio.pc == "done")
    step_until(r, 1, lambda w: r.outcome() is not None)
    return list(r.schedule)


add(Exercise(
    "04-two-batches", "04_add_complete_io", "schedule",
    "New design, completion-storm, N=4 (tasks 0 dio, 1 worker): find a complete schedule in which exactly two work "
    "items are queued, io#0's and io#2's.",
    "A completion queues its own io_end's work only when it finds the list empty. What must have happened to the "
    "list between io#1's completion and io#2's?",
    hint2="Complete io#0 and io#1 (task 0); then step the worker until its stage A has taken the whole list and "
    "dropped the spinlock; then complete io#2 and io#3, and let the worker finish.",
    explain="io#0 finds the list empty (a work item), io#1 joins it; the worker's stage A empties the list, so io#2 "
    "finds it empty again (a second work item) and io#3 joins io#2. The first work item drains io#0 and io#1, the "
    "second io#2 and io#3 [K41] [K47].",
    solve=_two_batches, goal=_goal_batches, defaults={"ios": 4},
    telltales=lambda p: [g.steps("the model schedule's run", run(
        "completion-storm", "new", p["ios"], schedule=_two_batches(p)).steps)]))


def _make_which(seed):
    """A seeded completion-storm run of 3 or 4 io_ends in which at least two work items were queued."""
    rng = random.Random(seed)
    ios = rng.randint(3, 4)
    for _ in range(60):
        s = rng.randrange(100_000)
        if len(queued_ios(run("completion-storm", "new", ios, seed=s).steps)) >= 2:
            break
    return {"ios": ios, "seed": s}


def _which_run(p):
    return run("completion-storm", "new", p["ios"], seed=p["seed"])


def _hidden(rec) -> bool:
    """The lines that say which completion found the list empty (or whose work item runs)."""
    return rec.kind in ("flag", "queue_work", "dequeue") or "list not empty" in rec.label


def _decides(rec) -> bool:
    """The step of ext4_add_complete_io that tests the list (and sets QUEUED, or only adds)."""
    return rec.func == "add_complete_io" and (rec.kind == "flag" or "list not empty" in rec.label)


def _show_which(p):
    lines = []
    for rec in _which_run(p).steps:
        if _decides(rec):
            lines.append(f"  dio     io#{rec.io} is added to the completed list (ext4_add_complete_io decides here)")
        elif rec.kind == "dequeue":
            lines.append("  worker  wq runs a work item")
        elif rec.stage == "A" and rec.kind == "list":
            lines.append(f"  worker  {rec.label}")
    return (f"completion-storm, design new, N={p['ios']}, random schedule seed {p['seed']}: the completions and the "
            "worker's stage A only, in order (which completion queued work is hidden):\n" + "\n".join(lines))


add(Exercise(
    "04-which-queued", "04_add_complete_io", "set",
    "Read the events (seeded): which io_ends were marked QUEUED, i.e. had their own work item queued? Answer a set "
    "of io_end numbers.",
    "An io_end is marked QUEUED when its completion finds the completed list empty. When is the list empty?",
    hint2="The list is empty at the start and right after a worker's stage A has taken the whole list, until the "
    "next completion adds to it. Walk the events in order and keep track of what is on the list.",
    explain="ext4_add_complete_io, under i_completed_io_lock, marks an io_end QUEUED and queues its work item only "
    "when the list is empty: io#0 always, and after that the first completion after each stage A that took every "
    "io_end on the list [K41].",
    solve=lambda p: set(queued_ios(_which_run(p).steps)), make=_make_which, show=_show_which,
    defaults={"ios": 3, "seed": 0},
    telltales=lambda p: [g.steps("the lines that say which completion queued work",
                                 [rec for rec in _which_run(p).steps if _hidden(rec)])]))
