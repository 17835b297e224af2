"""Notebook 06 (who frees): a seeded trace to say who frees each io_end, and a schedule in which fsync frees
every io_end, the QUEUED one included."""

from __future__ import annotations

import random

from ..notebook_helpers import step_until
from ..sched import Run, run
from . import giveaway as g
from .feedback import Incorrect
from .registry import Exercise, add
from .replay import converted_by, freed_by, replay_safe


def _make_who_frees(seed):
    """A seeded run of 2 or 3 io_ends in which fsync frees at least one (the worker alone frees in most runs)."""
    rng = random.Random(seed)
    ios = rng.randint(2, 3)
    for _ in range(200):
        s = rng.randrange(100_000)
        if "fsync" in freed_by(run("fsync-vs-worker", "new", ios, seed=s).run).values():
            break
    return {"ios": ios, "seed": s}


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
    defaults={"ios": 2, "seed": 0}, choices=("worker", "fsync"),
    hint2="Stage C decides: a drainer's 'move to to_free' (or 'onto to_free') line means that drainer frees the "
    "io_end in its stage D; 'unlink only' means it leaves the io_end to its owner, and 'the drainer converting it "
    "will free it' means the owner leaves it to the other drainer. Follow each io_end through those lines.",
    telltales=lambda p: [g.steps("the run's free steps",
                                 [rec for rec in _who_frees_run(p).steps if rec.kind == "free"])]))


def _goal_fsync_frees(p, schedule):
    r = replay_safe("fsync-vs-worker", "new", p["ios"], schedule)
    if r.outcome() != "completed":
        raise Incorrect(f"your schedule stops after {len(schedule)} steps, before the run is finished.")
    freed, conv = freed_by(r), converted_by(r)
    others = [k for k in sorted(freed) if freed[k] != "fsync"]
    if others:
        k = others[0]
        raise Incorrect(f"io#{k} was converted by {conv.get(k)} and freed by {freed[k]}"
                        + (f" (and {len(others) - 1} more not by fsync)" if len(others) > 1 else "") + ".")
    return f"fsync freed all {p['ios']} io_ends, io#0 (QUEUED) included."


def _fsync_frees_all(p):
    """fsync takes the whole list; the worker runs io#0's work item through its stage C (clearing QUEUED) while
    fsync holds io#0 unconverted; then fsync converts and frees everything."""
    r = Run("fsync-vs-worker", "new", p["ios"])
    dio, worker, fsync = r.world.tasks
    step_until(r, 0, lambda w: dio.pc == "done")
    step_until(r, 2, lambda w: r.trace[-1].stage == "A" and r.trace[-1].kind == "spin_unlock")
    step_until(r, 1, lambda w: 1 not in r.runnable())
    step_until(r, 2, lambda w: r.outcome() is not None)
    return list(r.schedule)


add(Exercise(
    "06-fsync-frees-all", "06_who_frees", "schedule",
    "New design, fsync-vs-worker, N=2 (tasks 0 dio, 1 worker, 2 fsync): find a complete schedule in which fsync "
    "frees both io_ends, io#0 included (io#0 is QUEUED: it found the list empty).",
    "A drainer never frees an io_end while it is QUEUED, and only io#0's own worker clears QUEUED, in its stage C. "
    "So the worker has to pass its stage C before fsync passes its own. What must fsync hold by then?",
    hint2="Let dio complete both io_ends; let fsync take the whole list (its stage A) and stop; now run the worker "
    "to its end: its stage A finds nothing, its stage C clears QUEUED on io#0 and, seeing UNWRITTEN still set, "
    "leaves io#0 to fsync. Then let fsync finish.",
    explain="The second drainer through stage C frees a QUEUED io_end. If fsync takes io#0 in its stage A and the "
    "worker running io#0's work item passes its stage C first (clearing QUEUED and leaving io#0, still UNWRITTEN, "
    "to the drainer converting it), fsync's stage C finds io#0 no longer QUEUED and moves it to its to_free list; "
    "io#1 never was QUEUED [K45].",
    solve=_fsync_frees_all, goal=_goal_fsync_frees, defaults={"ios": 2},
    telltales=lambda p: [g.steps("the model schedule's run", run(
        "fsync-vs-worker", "new", p["ios"], schedule=_fsync_frees_all(p)).steps)]))
