"""Notebook 09 (what was left): make fsync return too early, c278531d, which punch holes wait, the
counterfactual's hang."""

from __future__ import annotations

from ..errors import InvariantViolation
from ..sched import Run, run
from .feedback import Incorrect
from .registry import Exercise, add
from .replay import explore_result, explore_verdict, replay


def _goal_fsync_durable(p, schedule):
    r, v = replay("fsync-vs-writeback", p["design"], p["ios"], schedule, properties=("fsync-durable",))
    if v is None:
        raise Incorrect(f"your schedule ({'finished' if r.outcome() == 'completed' else 'stopped'}) never "
                        "breaks fsync-durable: fsync must return while another drainer still holds an io_end "
                        "whose page writeback had ended.")
    if v.invariant != "fsync-durable":
        raise Incorrect(f"your schedule breaks {v.invariant}, not fsync-durable.")
    return f"fsync returned too early: {v.message}."


def _durable_solution(p):
    # the writeback task completes io#0 (page writeback ends, io#0 joins the list and queues the work); the
    # worker takes io#0 in stage A and stops; fsync passes its writeback wait, flushes an empty list and
    # returns while io#0 is still unconverted in the worker's hands.
    r = Run("fsync-vs-writeback", p["design"], p["ios"], properties=("fsync-durable",))
    while r.world.tasks[1].pc != "eio.convert":  # the worker has taken io#0 and is about to convert it
        r.step(min(r.runnable()))
    while True:
        try:
            r.step(2)
        except InvariantViolation:
            return list(r.schedule)


add(Exercise(
    "09-fsync-durable", "09_what_was_left", "schedule",
    "New design, fsync-vs-writeback, N=1 (tasks 0 writeback, 1 worker, 2 fsync): find a schedule that breaks "
    "the fsync-durable property (checked with properties=('fsync-durable',)).",
    "Let the writeback task complete io#0, then let the worker take io#0 in its stage A and stop it there. Then "
    "run fsync alone: what does its flush find on the list?",
    "A flush only drains what is on the list. An io_end another drainer has already taken is invisible to it, "
    "so fsync returns before that conversion is done, although the page writeback it waited for had ended: the "
    "extent is still unwritten on disk. c278531d makes it wait for i_unwritten == 0.",
    _durable_solution, goal=_goal_fsync_durable, defaults={"ios": 1, "design": "new"}))


add(Exercise(
    "09-c278531d", "09_what_was_left", "value",
    "c278531d design, fsync-vs-writeback, N=1, property fsync-durable on: how many of the seeded random runs "
    "with seeds 0..99 end in a violation?",
    "c278531d makes a flush caller wait until i_unwritten is 0, i.e. until every conversion in any drainer "
    "has finished. Can fsync still return before a conversion is done?",
    "None: after its own flush, fsync sleeps until i_unwritten == 0, so every io_end whose pages were written "
    "back before it began has been converted by whichever drainer took it.",
    lambda p: sum(run("fsync-vs-writeback", "c278531d", 1, seed=s, properties=("fsync-durable",)).outcome
                  == "violation" for s in range(p["seeds"])), defaults={"seeds": 100}))


PUNCH_DESIGNS = ("old", "new", "02d262df", "c278531d", "old+02d262df")


add(Exercise(
    "09-punch-waits", "09_what_was_left", "set",
    "punch-hole-error, N=2: which of the designs in ex.PUNCH_DESIGNS keep the property punch-waits (punch hole "
    "removes blocks only when no conversion is pending) in every schedule? Answer a set of names.",
    "Which punch holes wait for DIO before they remove blocks? Waiting can also mean never getting there.",
    "02d262df and c278531d wait in inode_dio_wait (c278531d also for i_unwritten == 0) under i_mutex, so no "
    "conversion is pending when they remove blocks. old+02d262df waits the same way: when its punch gets that "
    "far, everything is converted; in the other runs it never returns (a hang, not a punch-waits violation). "
    "v3.6 and 28a535f9 punch without waiting.",
    lambda p: {d for d in PUNCH_DESIGNS
               if explore_verdict("punch-hole-error", d, p["ios"], "punch-waits") == "ok"},
    defaults={"ios": 2}, universe=PUNCH_DESIGNS))


add(Exercise(
    "09-counterfactual", "09_what_was_left", "value",
    "Design old+02d262df (the v3.6 worker with 02d262df's punch hole), punch-hole-error, N=1, property "
    "liveness: which liveness goal never holds? Answer its name (a string such as 'truncate-returns').",
    "Which task holds i_mutex while it waits for i_dio_count, and what does the v3.6 worker need before it "
    "converts?",
    "punch-returns: punch holds i_mutex and sleeps in inode_dio_wait; the count drops only after a conversion, "
    "and the v3.6 worker converts only after mutex_trylock(i_mutex) succeeds, so it requeues and yields forever. "
    "The truncate hang again: 02d262df could only land after 28a535f9 took i_mutex out of the worker.",
    lambda p: explore_result("punch-hole-error", "old+02d262df", 1, "liveness").violation["invariant"]))
