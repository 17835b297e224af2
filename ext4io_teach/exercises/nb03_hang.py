"""Notebook 03 (the hang): predict each design's outcome, make truncate hang, and why lockdep said nothing."""

from __future__ import annotations

from ..notebook_helpers import priority_schedule
from ..sched import Run, run
from .feedback import Incorrect
from .registry import Exercise, add
from .replay import replay_safe


def _outcomes(p):
    return {d: run("truncate-vs-dio", d, p["ios"], max_steps=p["max_steps"]).outcome
            for d in ("old", "old-blocking", "new")}


add(Exercise(
    "03-outcomes", "03_hang", "mapping",
    "truncate-vs-dio, N=2, round robin, max_steps=1000: predict the outcome for each design "
    "'old', 'old-blocking' (the counterfactual: v3.6 with the trylock turned back into mutex_lock) and 'new' "
    "(one of completed, deadlock, running, stopped, violation).",
    "'running' means the step limit was hit while some task kept stepping; 'deadlock' means no task "
    "could run at all. Which designs leave a task that can always step?",
    "old: 'running' (the worker requeues and yields forever: a livelock, so the limit is hit); old-blocking: "
    "'deadlock' (the worker sleeps on i_mutex, truncate sleeps on i_dio_count; a counterfactual: no released "
    "kernel had a sleeping worker once truncate waited for the conversion); new: 'completed'.",
    _outcomes, defaults={"ios": 2, "max_steps": 1000}))


def _hung(r: Run) -> bool:
    w = r.world
    return (w.inode.i_mutex.holder == 2 and w.inode.dio_count > 0 and w.stats["trylock_failed"] >= 1)


def _goal_hang(p, schedule):
    r = replay_safe("truncate-vs-dio", "old", p["ios"], schedule)
    w = r.world
    if w.inode.i_mutex.holder != 2:
        who = "nobody" if w.inode.i_mutex.holder is None else w.tasks[w.inode.i_mutex.holder].name
        raise Incorrect(f"at the end of your schedule i_mutex is held by {who}, not by truncate.")
    if w.inode.dio_count == 0:
        raise Incorrect("i_dio_count is already 0, so inode_dio_wait returns: truncate will finish.")
    if w.stats["trylock_failed"] < 1:
        raise Incorrect("the worker has not yet failed a mutex_trylock: step it until it does.")
    return (f"truncate holds i_mutex and waits for i_dio_count == 0 (now {w.inode.dio_count}); the worker "
            f"failed trylock {w.stats['trylock_failed']} time(s) and will requeue forever.")


add(Exercise(
    "03-hang", "03_hang", "schedule",
    "Old design, truncate-vs-dio, N=1 (tasks 0 dio, 1 worker, 2 truncate): find a schedule after which the "
    "hang is certain: truncate holds i_mutex, i_dio_count is still above 0, and the worker has failed "
    "mutex_trylock at least once.",
    "truncate needs just one step to take i_mutex. Give it that step before the worker converts io#0, then "
    "let the dio task complete io#0 and the worker try.",
    "With i_mutex held by a task that waits for i_dio_count, and i_dio_count dropping only after a conversion "
    "that needs i_mutex, no schedule can ever finish truncate.",
    lambda p: priority_schedule("truncate-vs-dio", "old", p["ios"], ["truncate", "dio", "worker"], stop=_hung),
    goal=_goal_hang, defaults={"ios": 1}))

# The facts behind these statements: docs/claims.md K11 (the v3.6 worker trylocks with the spinlock held),
# K21 (inode_dio_wait sleeps uninterruptibly), K24 (why lockdep is silent), K25 (the counterfactual).
LOCKDEP_STATEMENTS = {
    "a": "mutex_trylock never sleeps, so lockdep adds no dependency edge for the worker's try.",
    "b": "truncate waits in inode_dio_wait for a counter (i_dio_count), which is not a lock lockdep tracks.",
    "c": "had lockdep been enabled, it would have reported the hang, since truncate holds i_mutex while it sleeps.",
    "d": "the worker drops i_completed_io_lock before it tries i_mutex, so no lock is held across the try.",
    "e": "no task ever sleeps in the hang: the worker stays runnable, requeueing and yielding.",
    "f": "there is no cycle among the locks lockdep tracks: the try adds no edge and truncate waits on a counter.",
    "g": "had the worker slept in mutex_lock(i_mutex) (the old-blocking counterfactual), lockdep would have "
         "reported a cycle.",
}

add(Exercise(
    "03-lockdep", "03_hang", "set",
    "lockdep said nothing about the hang. Which statements in LOCKDEP_STATEMENTS are true "
    "(answer a set of letters)?",
    "lockdep reports cycles in a graph of lock classes; an edge A -> B is added when a task blocks to acquire B "
    "while holding A. Which waits in the hang are blocking lock acquisitions, and who is asleep?",
    "True: (a) a trylock adds no edge, (b) truncate waits for a counter, not a lock, hence (f) no cycle among "
    "the tracked locks. False: (c) enabled, lockdep would still have found no cycle; (d) v3.6's "
    "ext4_end_io_work calls mutex_trylock with i_completed_io_lock held, and even so the try adds no edge; "
    "(e) truncate sleeps in inode_dio_wait, uninterruptibly, so the hung-task detector reports it (only the "
    "worker never sleeps); (g) a sleeping mutex_lock would add an edge into i_mutex (from the workqueue's "
    "lockdep maps held around the work function), but truncate's half of the circle is still a counter: "
    "lockdep would have missed the counterfactual too, and the hung-task detector would have reported both tasks.",
    lambda p: {"a", "b", "f"}, universe=tuple(LOCKDEP_STATEMENTS)))
