"""The two locks: a FIFO ticket spinlock that hands itself over, and a 3.x mutex that does not.

kernel-facts.md section 2: ``mutex_unlock`` makes the mutex free and then wakes the first waiter; a
``mutex_trylock`` (or ``mutex_lock``) by another task may take it before the woken waiter retries.
"""

import pytest

from ext4io_teach.errors import InvariantViolation
from ext4io_teach.model.locks import Mutex, SpinLock
from ext4io_teach.sched import Run, run

DIO, WORKER, TRUNCATE = 0, 1, 2


def test_mutex_unlock_frees_the_mutex_and_names_the_first_waiter():
    m = Mutex("i_mutex")
    assert m.acquire(1)
    assert not m.acquire(2) and not m.acquire(3)
    assert m.release(1) == 2  # the task to wake ...
    assert m.holder is None  # ... but nobody holds the mutex
    assert m.waiters == [2, 3]  # the woken waiter stays first on the list until its retry takes it


def test_a_trylock_between_unlock_and_retry_wins_and_the_waiter_sleeps_again():
    m = Mutex("i_mutex")
    m.acquire(1)
    m.acquire(2)
    m.release(1)
    assert m.trylock(3)  # the old worker's trylock, before the woken task ran
    assert not m.retry(2)
    assert m.waiters == [2]  # still first in line
    assert m.release(3) == 2
    assert m.retry(2) and m.holder == 2 and m.waiters == []


def test_a_newcomer_mutex_lock_also_takes_a_freed_mutex_first():
    m = Mutex("i_mutex")
    m.acquire(1)
    m.acquire(2)
    m.release(1)
    assert m.acquire(3)  # finds it free: takes it, although task 2 was woken first
    assert not m.retry(2)


def test_retry_without_waiting_is_a_lock_usage_error():
    with pytest.raises(InvariantViolation) as e:
        Mutex("i_mutex").retry(4)
    assert e.value.invariant == "lock-usage"


def test_the_spinlock_still_hands_over_in_ticket_order():
    s = SpinLock("i_completed_io_lock")
    s.acquire(1)
    s.acquire(2)
    s.acquire(3)
    assert s.release(1) == 2 and s.holder == 2 and s.waiters == [3]


# io#0 and io#1 complete; the worker trylocks i_mutex for io#0; truncate sleeps in mutex_lock; the worker
# converts io#0 and unlocks, which wakes truncate without giving it i_mutex
PREFIX = [DIO] * 8 + [WORKER] * 3 + [TRUNCATE] + [WORKER] * 8


def test_old_worker_trylock_beats_the_woken_truncate():
    r = Run("truncate-vs-dio", "old", 2)
    r.replay(PREFIX)
    w = r.world
    assert w.inode.i_mutex.holder is None and w.inode.i_mutex.waiters == [TRUNCATE]
    assert w.tasks[TRUNCATE].waits_for is None and TRUNCATE in w.runnable()  # woken, not yet retried
    assert r.step(WORKER).action == "free io#0"
    r.replay([WORKER, WORKER])  # next work item (io#1), spin_lock
    assert r.step(WORKER).action == "mutex_trylock(i_mutex) succeeded"  # before truncate retried
    rec = r.step(TRUNCATE)
    assert rec.action == "woken, but worker took i_mutex first: sleeps again"
    assert rec.func == "truncate" and rec.kind == "mutex_lock"
    assert TRUNCATE not in w.runnable() and w.stats["mutex_retry_lost"] == 1 and w.stats["trylock_beat_waiter"] == 1
    assert w.blocked_reason(w.tasks[TRUNCATE]) == "waits for i_mutex held by worker"


def test_the_woken_truncate_takes_a_free_mutex():
    res = run("truncate-vs-dio", "old", 2, schedule=PREFIX + [TRUNCATE])
    assert res.steps[-1].action == "woken: i_mutex is free, takes it"
    w = res.run.world
    assert w.inode.i_mutex.holder == TRUNCATE and w.inode.i_mutex.waiters == []
    assert w.tasks[TRUNCATE].pc == "tr.dio_wait"  # on to inode_dio_wait, i_dio_count is 1


def test_old_blocking_worker_is_woken_when_fsync_unlocks():
    # fsync holds i_mutex; the old-blocking worker sleeps in mutex_lock; fsync's unlock wakes it
    r = Run("fsync-vs-worker", "old-blocking", 1)
    w = r.world
    r.replay([0] * 4 + [2, 1, 1])  # io#0 completes; fsync takes i_mutex; the worker dequeues and sleeps
    assert w.tasks[1].waits_for == "i_mutex" and w.tasks[1].pc == "mx.retry"
    while w.tasks[2].pc != "done":
        r.step(2)
    assert w.inode.i_mutex.holder is None and w.tasks[1].waits_for is None
    assert r.step(1).action == "woken: i_mutex is free, takes it"


def test_the_state_panel_marks_the_woken_waiter():
    from ext4io_teach import panel

    def i_mutex_row():
        return dict(panel.state_rows(r.world))["i_mutex"]

    r = Run("truncate-vs-dio", "old", 2)
    r.replay(PREFIX[:-1])  # the worker still holds i_mutex; truncate sleeps
    assert i_mutex_row() == ["worker (waiting: truncate)"]
    r.step(WORKER)  # mutex_unlock
    assert i_mutex_row() == ["free (waiting: truncate (woken))"]
