"""Notebook 09 (what was left): make fsync return too early although it converted an io_end itself, which designs
keep fsync-durable, which punch holes wait, and the round-robin outcomes of punch hole against the old worker."""

from __future__ import annotations

import re

from ..errors import InvariantViolation
from ..notebook_helpers import step_until
from ..sched import Run, run
from . import giveaway as g
from .feedback import Incorrect
from .nearmiss import RUN_OUTCOMES
from .registry import Exercise, add
from .replay import converted_by, explore_verdict, replay


def _goal_fsync_durable(p, schedule):
    r, v = replay("fsync-vs-writeback", p["design"], p["ios"], schedule, properties=("fsync-durable",))
    if v is None:
        raise Incorrect(f"your schedule ({'finished' if r.outcome() == 'completed' else 'stopped'}) never "
                        "breaks fsync-durable: fsync must return while another drainer still holds an io_end "
                        "whose page writeback had ended.")
    if v.invariant != "fsync-durable":
        raise Incorrect(f"your schedule breaks {v.invariant}, not fsync-durable.")
    own = sorted(k for k, who in converted_by(r).items() if who == "fsync")
    if not own:
        raise Incorrect("fsync returned too early, but it converted nothing itself: here its flush must drain "
                        "(and convert) at least one io_end before it returns.")
    return f"fsync converted {', '.join(f'io#{k}' for k in own)} itself and still returned too early: {v.message}."


def _durable_solution(p):
    """io#0 completes and the worker takes it (stage A) and stops; io#1 completes and queues its own work; fsync
    waits for writeback, takes io#1 off the list, converts it and returns while io#0 is still unconverted."""
    r = Run("fsync-vs-writeback", p["design"], p["ios"], properties=("fsync-durable",))
    wb, worker, fsync = r.world.tasks
    step_until(r, 0, lambda w: wb.io == 1)
    step_until(r, 1, lambda w: worker.pc == "eio.convert")
    step_until(r, 0, lambda w: wb.pc == "done")
    while True:
        try:
            r.step(2)
        except InvariantViolation:
            return list(r.schedule)


add(Exercise(
    "09-fsync-durable", "09_what_was_left", "schedule",
    "New design, fsync-vs-writeback, N=2 (tasks 0 writeback, 1 worker, 2 fsync): find a schedule that breaks the "
    "fsync-durable property (checked with properties=('fsync-durable',)) in which fsync's own flush converts an "
    "io_end before fsync returns too early.",
    "Notebook 09's counterexample has fsync flush an empty list. Here its flush must find something: which io_end "
    "can still be on the list after the worker has taken io#0?",
    hint2="Complete io#0 (task 0) and let the worker take it in its stage A and stop before converting. Then "
    "complete io#1: the list is empty again, so io#1 goes on it. Now run fsync alone: it drains and converts io#1 "
    "and returns, with io#0 still in the worker's hands.",
    explain="A flush answers only for what it drains. fsync converts io#1, which it found on the list, but io#0, "
    "whose page writeback had ended before fsync's flush began, sits unconverted on the worker's private list: "
    "fsync returns with its extent still unwritten on disk. c278531d makes fsync wait for i_unwritten == 0 after "
    "its own flush [K60] [K62].",
    solve=_durable_solution, goal=_goal_fsync_durable, defaults={"ios": 2, "design": "new"},
    telltales=lambda p: [g.steps("the model schedule's run", run(
        "fsync-vs-writeback", p["design"], p["ios"], schedule=_durable_solution(p)[:-1]).steps)]))


DURABLE_DESIGNS = ("02d262df", "old+02d262df")


def _durable(p):
    return {d: explore_verdict("fsync-vs-writeback", d, p["ios"], "fsync-durable") == "ok" for d in DURABLE_DESIGNS}


add(Exercise(
    "09-durable-designs", "09_what_was_left", "mapping",
    "fsync-vs-writeback, N=1, property fsync-durable: does each of these designs keep it in every schedule (the "
    "explorer's verdict ok)? 02d262df (28a535f9 with 02d262df's punch hole) and old+02d262df (v3.6 with the same "
    "punch hole). Answer {'02d262df': True or False, 'old+02d262df': True or False}.",
    "What does 02d262df change, and does fsync go through it? Which fsync, the v3.6 one or 28a535f9's, does each "
    "design have?",
    hint2="02d262df changes only punch hole, so fsync is the fsync of the design underneath: 28a535f9's for "
    "02d262df (notebook 09: new fails fsync-durable) and v3.6's for old+02d262df (notebook 09: old keeps it, "
    "because its worker converts only under i_mutex, which fsync holds).",
    explain="02d262df touches punch hole only: its fsync is 28a535f9's, whose flush misses the io_end another "
    "drainer holds, so the explorer finds the early return. old+02d262df has v3.6's fsync: a v3.6 worker converts "
    "only while it holds i_mutex, and fsync holds i_mutex, so no conversion can be half done when fsync returns "
    "[K27] [K13] [K28].",
    solve=_durable, defaults={"ios": 1},
    telltales=lambda p: [g.words("each design next to its verdict", *(
        rf"^\s*{re.escape(d)}\s[^\n]*\b{'ok' if v else 'violation'}\b" for d, v in _durable(p).items()),
        ordered=False,
        example="\n".join(f"{d:12} N=1: {'ok' if v else 'violation'}" for d, v in _durable(p).items()))]))


PUNCH_DESIGNS = ("old", "old-blocking", "old+02d262df")


def _punch_waits(p):
    return {d for d in PUNCH_DESIGNS if explore_verdict("punch-hole-error", d, p["ios"], "punch-waits") == "ok"}


add(Exercise(
    "09-punch-waits", "09_what_was_left", "set",
    "punch-hole-error, N=2: which of the designs in ex.PUNCH_DESIGNS (v3.6, the old-blocking counterfactual, and "
    "v3.6 with 02d262df's punch hole) keep the property punch-waits (punch hole removes blocks only when no "
    "conversion is pending) in every schedule? Answer a set of names.",
    "Which of these punch holes wait for DIO before they remove blocks? Waiting can also mean never getting there.",
    hint2="v3.6's punch hole (in old and in old-blocking: the counterfactual changes only the worker) neither takes "
    "i_mutex nor waits. 02d262df's waits in inode_dio_wait under i_mutex: against the v3.6 worker it may hang, but "
    "a punch that never returns never removes blocks early.",
    explain="old and old-blocking share v3.6's punch hole, which flushes and removes blocks without waiting: the "
    "worker may hold an io_end it has not converted yet. old+02d262df waits in inode_dio_wait under i_mutex: when "
    "its punch gets that far, every conversion is done; in the other runs it never returns (a hang, which "
    "punch-waits does not count: the liveness property does) [K26] [K27].",
    solve=_punch_waits, defaults={"ios": 2}, universe=PUNCH_DESIGNS,
    telltales=lambda p: [g.words("each design next to its verdict", *(
        rf"^\s*{re.escape(d)}\s[^\n]*\b{_verdict(d, p)}\b" for d in PUNCH_DESIGNS),
        ordered=False, example="\n".join(f"{d:12} N=2: {_verdict(d, p)}" for d in PUNCH_DESIGNS))]))


def _verdict(d, p):
    return "ok" if d in _punch_waits(p) else "violation"


COUNTERFACTUAL_DESIGNS = ("old", "02d262df", "old+02d262df")


def _punch_outcomes(p):
    return {d: run("punch-hole-error", d, p["ios"], max_steps=p["max_steps"]).outcome for d in COUNTERFACTUAL_DESIGNS}


add(Exercise(
    "09-counterfactual", "09_what_was_left", "mapping",
    "punch-hole-error, N=1, round robin, max_steps=1000: the outcome of the run for old (v3.6), 02d262df and "
    "old+02d262df (the counterfactual: v3.6's worker with 02d262df's punch hole). Answer a dict of outcomes "
    "(completed, deadlock, running, stopped, violation).",
    "Which combination has a task that holds i_mutex while it waits for i_dio_count, and a worker that needs "
    "i_mutex to convert?",
    hint2="Only old+02d262df has both halves of the truncate hang: punch holds i_mutex and sleeps in inode_dio_wait, "
    "and the v3.6 worker can convert only after mutex_trylock(i_mutex) succeeds. A run that goes round that loop "
    "until its step limit ends as 'running' (the explorer calls it a livelock).",
    explain="old's punch hole takes no i_mutex and does not wait, so the worker converts and the run completes; "
    "02d262df's punch waits under i_mutex, but 28a535f9's worker never needs i_mutex, so it completes too. "
    "old+02d262df is the truncate hang again: punch sleeps on i_dio_count holding i_mutex, the worker requeues and "
    "yields for ever; round robin hits the step limit: 'running' [K27].",
    solve=_punch_outcomes, defaults={"ios": 1, "max_steps": 1000}, choices=RUN_OUTCOMES,
    telltales=lambda p: [g.words("each design next to its outcome", *(
        rf"^\s*{re.escape(d)}\s[^\n]*\b{o}\b" for d, o in _punch_outcomes(p).items()), ordered=False,
        example="\n".join(f"{d:12} {o}" for d, o in _punch_outcomes(p).items()))]))
