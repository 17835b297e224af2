"""Notebook 03 (the hang): predict the outcomes when fsync joins truncate, make truncate hang after a conversion,
and why lockdep said nothing."""

from __future__ import annotations

from ..notebook_helpers import step_until
from ..sched import Run, run
from . import giveaway as g
from .feedback import Incorrect
from .nearmiss import RUN_OUTCOMES
from .registry import Exercise, add
from .replay import replay_safe

OUTCOME_DESIGNS = ("old", "old-blocking", "new")


def _outcomes(p):
    return {d: run(p["scenario"], d, p["ios"], max_steps=p["max_steps"]).outcome for d in OUTCOME_DESIGNS}


def _outcome_telltales(p):
    ans = _outcomes(p)
    same = {"running": "livelock", "completed": "ok", "deadlock": "deadlock"}  # a run's outcome, a verdict
    return [g.words("each design next to its outcome (or the explorer's word for it)",
                    *(rf"\b{d}\b(?!-)[^\n]*\b(?:{ans[d]}|{same.get(ans[d], ans[d])})\b" for d in OUTCOME_DESIGNS),
                    ordered=False, example="\n".join(f"{d:12} {ans[d]}" for d in OUTCOME_DESIGNS)),
            g.steps("the old design's round-robin run", run(p["scenario"], "old", p["ios"],
                                                             max_steps=p["max_steps"]).steps)]


add(Exercise(
    "03-outcomes", "03_hang", "mapping",
    "Scenario mixed, N=1 (tasks 0 dio, 1 worker, 2 fsync, 3 truncate): truncate-vs-dio with an fsync added, which "
    "also drains the list under i_mutex. Round robin, max_steps=1000: predict the outcome of the run for each design "
    "'old', 'old-blocking' (the counterfactual) and 'new' (one of completed, deadlock, running, stopped, violation).",
    "Round robin steps tasks 0, 1, 2, 3 in turn. Who takes i_mutex first, fsync (task 2) or truncate (task 3), and "
    "what does the v3.6 fsync flush do with an io_end it finds on the list?",
    hint2="fsync takes i_mutex at step 1 and truncate sleeps behind it. The v3.6 fsync flush pops io#0 and converts "
    "it itself, under i_mutex, so i_dio_count reaches 0 before truncate ever holds i_mutex. The hang needs truncate "
    "to hold i_mutex while a conversion is still pending; does it, in this order?",
    explain="All three complete. Round robin lets fsync (task 2) take i_mutex before truncate (task 3); the fsync "
    "flush converts io#0 itself (v3.6's under i_mutex, with IN_FSYNC set so the worker keeps off), i_dio_count drops "
    "to 0, and when truncate finally holds i_mutex its inode_dio_wait returns at once. The hang is a property of a "
    "schedule, truncate holding i_mutex before the conversion, not of every run: the explorer, which tries every "
    "schedule, still finds old's livelock and old-blocking's deadlock in mixed [K15] [K28].",
    solve=_outcomes, defaults={"scenario": "mixed", "ios": 1, "max_steps": 1000}, choices=RUN_OUTCOMES,
    telltales=_outcome_telltales))


def _goal_hang(p, schedule):
    from ..explore import can_complete

    r = replay_safe("truncate-vs-dio", "old", p["ios"], schedule)
    if not any(rec.kind == "convert" and rec.io == 0 for rec in r.trace):
        raise Incorrect("io#0 has not been converted in your schedule: convert it before truncate takes i_mutex.")
    if can_complete("truncate-vs-dio", "old", p["ios"], prefix=list(schedule)):
        holder = r.world.inode.i_mutex.holder
        who = "nobody" if holder is None else r.world.tasks[holder].name
        raise Incorrect(f"truncate can still return: the explorer finds a continuation in which it does (i_mutex is "
                        f"held by {who}, i_dio_count is {r.world.inode.dio_count}).")
    return (f"io#0 was converted, yet truncate can never return: it holds i_mutex while i_dio_count is "
            f"{r.world.inode.dio_count}, and the worker needs i_mutex to convert what is left.")


def _hang_after_conversion(p):
    r = Run("truncate-vs-dio", "old", p["ios"])
    dio, worker, truncate = r.world.tasks
    step_until(r, 0, lambda w: dio.io == 1)                       # io#0 completes, its work is queued
    step_until(r, 1, lambda w: w.ios[0].freed)                    # the worker converts and frees io#0
    step_until(r, 2, lambda w: w.inode.i_mutex.holder == 2)       # truncate takes i_mutex
    step_until(r, 0, lambda w: dio.pc == "done")                  # the other completions
    step_until(r, 1, lambda w: w.stats["trylock_failed"] >= 1)    # the worker fails its trylock
    return list(r.schedule)


add(Exercise(
    "03-hang", "03_hang", "schedule",
    "Old design, truncate-vs-dio, N=2 (tasks 0 dio, 1 worker, 2 truncate): find a schedule in which io#0 has "
    "already been converted and yet truncate can never return (ex.check asks the explorer whether any "
    "continuation lets truncate return).",
    "Notebook 03's hang starts with truncate taking i_mutex before any conversion. Here one conversion must happen "
    "first: when may truncate take i_mutex so that io#1 is still pending?",
    hint2="Let the dio task complete io#0, let the worker convert and free it (its trylock succeeds while nobody "
    "holds i_mutex), then let truncate take i_mutex, and only then complete io#1 and let the worker try.",
    explain="The hang needs one pending conversion while truncate holds i_mutex, not all of them: io#1's "
    "conversion needs the worker's mutex_trylock, which fails for as long as truncate sleeps in inode_dio_wait "
    "holding i_mutex, and i_dio_count drops only after that conversion [K13] [K22].",
    solve=_hang_after_conversion, goal=_goal_hang, defaults={"ios": 2},
    telltales=lambda p: [g.steps("the model schedule's run", run(
        "truncate-vs-dio", "old", p["ios"], schedule=_hang_after_conversion(p)).steps)]))

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
    hint2="Go through the wait-for picture of notebook 03: which edges are blocking lock acquisitions (lockdep's "
    "edges), which task holds which lock while it waits, and which of the two tasks is asleep. Three statements "
    "are true.",
    explain="True: (a) a trylock adds no edge, (b) truncate waits for a counter, not a lock, hence (f) no cycle "
    "among the tracked locks. False: (c) enabled, lockdep would still have found no cycle; (d) v3.6's "
    "ext4_end_io_work calls mutex_trylock with i_completed_io_lock held, and even so the try adds no edge; "
    "(e) truncate sleeps in inode_dio_wait, uninterruptibly, so the hung-task detector reports it (only the "
    "worker never sleeps); (g) a sleeping mutex_lock would add an edge into i_mutex (from the workqueue's "
    "lockdep maps held around the work function), but truncate's half of the circle is still a counter: "
    "lockdep would have missed the counterfactual too, and the hung-task detector would have reported both tasks.",
    solve=lambda p: {"a", "b", "f"}, universe=tuple(LOCKDEP_STATEMENTS),
    no_telltale="a reading check: the statements restate notebook 03's argument in other words, and no run "
                "decides them; notebook 03 explains lockdep, the exercise asks which paraphrases are true"))
