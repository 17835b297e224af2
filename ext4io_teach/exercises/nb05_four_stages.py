"""Notebook 05 (the four stages): which locks fsync holds in each stage of its flush, whether a schedule is
possible (and which lock forbids it), and why stage B may not hold the spinlock, in words."""

from __future__ import annotations

import random

from ..notebook_helpers import priority_schedule
from ..sched import Run, run
from . import giveaway as g
from .freetext import Discussion, add_text
from .registry import Exercise, add

LOCKS = ("i_completed_io_lock", "i_mutex")
SPIN, MUTEX = LOCKS


def _fsync_run(p):
    s = priority_schedule("fsync-vs-worker", "new", p["ios"], ["dio", "fsync", "worker"])
    return run("fsync-vs-worker", "new", p["ios"], schedule=s)


def _stage_work(rec) -> bool:
    return rec.name == "fsync" and bool(rec.stage) and rec.kind not in ("spin_lock", "spin_unlock")


def _stage_locks(p):
    """stage -> the locks fsync holds while it does that stage's work (every step of it)."""
    held: dict[str, set] = {}
    for rec in _fsync_run(p).steps:
        if _stage_work(rec):
            now = {lock for lock, who in ((SPIN, rec.spin_holder), (MUTEX, rec.mutex_holder)) if who == "fsync"}
            held[rec.stage] = held.get(rec.stage, now) & now
    return {s: held[s] for s in "ABCD" if s in held}


add(Exercise(
    "05-stage-locks", "05_four_stages", "mapping",
    "fsync-vs-worker, N=2, with fsync draining first (ex.priority_schedule(..., ['dio', 'fsync', 'worker'])). This "
    "time the drainer is fsync, a flusher, not the worker. For each stage A, B, C, D of fsync's flush: which locks "
    "does fsync hold while it does that stage's work? Answer a dict {'A': {...}, ...} of lock names "
    "(i_completed_io_lock, i_mutex).",
    "Notebook 05 showed the worker's stages. What does fsync hold around its whole flush that the worker never "
    "takes?",
    hint2="ext4_sync_file calls the flush with i_mutex held, for the whole flush; inside it, the stages take "
    "i_completed_io_lock exactly as the worker's do: A and C under it, B and D without it.",
    explain="fsync holds i_mutex around its whole flush (ext4_sync_file) and takes i_completed_io_lock in stages A "
    "and C, like every drainer. i_mutex protects nothing inside the flush any more: the worker never takes it, "
    "which is why the flush can run in the worker and in fsync at once [K28] [K44].",
    solve=_stage_locks, defaults={"ios": 2}, choices=LOCKS,
    telltales=lambda p: [g.steps("fsync's stage steps with fsync in a holder column",
                                 [r for r in _fsync_run(p).steps if _stage_work(r)], column="fsync")]))


# ------------------------------------------------------------------ is this schedule possible?
CASES = (("fsync-vs-worker", "new", 2), ("mixed", "new", 1), ("truncate-vs-dio", "new", 1),
         ("fsync-vs-worker", "old", 1))
WHY = {"i_mutex": MUTEX, "i_completed_io_lock": SPIN}


def blocked_by(r: Run, tid: int) -> str | None:
    """What keeps task ``tid`` from its next step: a lock's name, 'i_dio_count' (truncate's inode_dio_wait),
    or None if it can step."""
    t = r.world.tasks[tid]
    if t.waits_for is not None:
        return WHY[t.waits_for]
    why = r.world.blocked_reason(t)
    return "i_dio_count" if why and "i_dio_count" in why else None


def _make_possible(seed):
    rng = random.Random(seed)
    scenario, design, ios = CASES[rng.randrange(len(CASES))]
    full = run(scenario, design, ios, seed=seed).schedule
    r, spots = Run(scenario, design, ios), []
    for k, tid in enumerate(full):
        spots += [(k, b) for b in range(len(r.world.tasks)) if blocked_by(r, b) and r.world.tasks[b].pc != "done"]
        r.step(tid)
    if spots and rng.random() < 0.75:
        k, tid = spots[rng.randrange(len(spots))]
        return {"scenario": scenario, "design": design, "ios": ios, "schedule": full[:k] + [tid]}
    k = rng.randrange(3, len(full))
    return {"scenario": scenario, "design": design, "ios": ios, "schedule": full[:k + 1]}


def _possible(p):
    r = Run(p["scenario"], p["design"], p["ios"])
    r.replay(p["schedule"][:-1])
    why = blocked_by(r, p["schedule"][-1])
    return {"possible": why is None, "blocked_by": why}


def _show_possible(p):
    r = Run(p["scenario"], p["design"], p["ios"])
    r.replay(p["schedule"][:-1])
    last = p["schedule"][-1]
    lines = [f"  {rec.i:3} {rec.name:8} {rec.label}" for rec in r.trace]
    tasks = ", ".join(r.describe_task(i) for i in range(len(r.world.tasks)))
    return (f"{p['scenario']}, design {p['design']}, N={p['ios']}; tasks {tasks}:\n" + "\n".join(lines)
            + f"\n  {len(r.trace):3} {r.world.tasks[last].name:8} ?  (the schedule's last entry: task {last})")


add(Exercise(
    "05-possible", "05_four_stages", "mapping",
    "Is this schedule possible? Read the trace (seeded) and the schedule's last entry: can that task take its next "
    "step there? Answer {'possible': True or False, 'blocked_by': None or what forbids it}, where what forbids it is "
    "'i_completed_io_lock', 'i_mutex' or 'i_dio_count' (truncate's inode_dio_wait, which is not a lock).",
    "Find the task's last step in the trace. Is it waiting for something: a lock someone else holds (whose last "
    "spin_lock or mutex_lock has no unlock after it?), or truncate's wait for i_dio_count?",
    hint2="A task that took a step ending in 'held, spins' or 'held, sleeps' cannot step again until the holder "
    "unlocks; the holder is the task whose lock step has no matching unlock yet. truncate after 'inode_dio_wait' "
    "cannot step while i_dio_count is above 0. Otherwise the step is possible and blocked_by is None.",
    explain="A task waiting in a lock's queue is not runnable until the holder releases the lock (the spinlock is "
    "handed to the next ticket, a woken mutex waiter retries); truncate sleeping in inode_dio_wait waits for a "
    "counter, not a lock, which is the wait lockdep cannot see [K20] [K24].",
    solve=_possible, make=_make_possible, show=_show_possible, choices=(*LOCKS, "i_dio_count"),
    defaults={"scenario": "fsync-vs-worker", "design": "new", "ios": 1, "schedule": []},
    telltales=lambda p: [_possible_telltale(p)]))


def _possible_telltale(p):
    """A run that takes the last step there (possible), or the error that refuses it (impossible)."""
    n, tid = len(p["schedule"]) - 1, p["schedule"][-1]
    r = Run(p["scenario"], p["design"], p["ios"])
    r.replay(p["schedule"][:-1])
    if blocked_by(r, tid) is None:
        return g.steps("the last step, taken", [r.step(tid)])
    name = r.world.tasks[tid].name
    return g.words("the error that refuses the last step", rf"step {n} names task {tid} \({name}\), which cannot run",
                   example=f"ValueError: schedule: step {n} names task {tid} ({name}), which cannot run: ...")


# ------------------------------------------------------------------ in words: why stage B runs unlocked
def _why_unlocked(p):
    r = _fsync_run({"ios": 2})
    b = [rec for rec in r.steps if rec.stage == "B" and rec.name == "fsync"]
    kinds = sorted({rec.kind for rec in b})
    return (f"In the run of exercise 1, fsync's stage B is {len(b)} steps of the kinds {', '.join(kinds)}, with "
            f"i_completed_io_lock held in none of them (spin_holder None throughout). Stage B calls ext4_end_io: "
            "ext4_convert_unwritten_extents starts a journal handle, takes i_data_sem and may allocate memory, so "
            "it may sleep, and nothing may sleep holding a spinlock: another CPU spinning on it, or an interrupt "
            "handler (a completion) on the same CPU, would wait for a task that is not running [K31] [K30]. Nor "
            "does stage B need the lock: stage A moved the io_ends onto the drainer's private list, which no other "
            "task can reach, and the flags the others read are changed only in stage C, under the lock [K42].")


add_text(Discussion(
    "05-why-unlocked", "05_four_stages",
    "Why may stage B not hold the spinlock, and why does it not need to?",
    _why_unlocked,
    ("may not: the conversion can sleep (journal handle, i_data_sem, memory allocation) [K31]",
     "sleeping with a spinlock held stalls every CPU that spins on it, and a completion in interrupt context "
     "that takes it [K30]",
     "need not: after stage A the io_ends are on the drainer's private list, out of everyone else's reach",
     "the shared state others read (flags, the inode list) changes only in stages A and C, under the lock [K42]")))
