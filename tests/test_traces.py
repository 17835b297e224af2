"""Whole-trace tests: hand-written schedules, the full log of (task, label) compared at once."""

import pytest

from ext4io_teach import Run, run
from ext4io_teach.errors import InvariantViolation
from ext4io_teach.invariants import CONSEQUENCES
from ext4io_teach.model.flags import UNWRITTEN

DIO_ADD_NEW = [
    ("dio", "add_complete_io io#0 completes: spin_lock"),
    ("dio", "add_complete_io list empty: set QUEUED on io#0"),
    ("dio", "add_complete_io queue_work io#0"),
    ("dio", "add_complete_io list_add_tail io#0"),
    ("dio", "add_complete_io spin_unlock"),
]
FSYNC_DRAINS_AND_CONVERTS = [
    ("fsync", "fsync mutex_lock(i_mutex)"),
    ("fsync", "flush.A spin_lock"),
    ("fsync", "flush.A take the whole list: io#0"),
    ("fsync", "flush.A spin_unlock"),
    ("fsync", "flush.B convert io#0"),
    ("fsync", "flush.B aio_complete io#0"),
    ("fsync", "flush.B inode_dio_done io#0 (i_dio_count=0)"),
    ("fsync", "flush.B i_unwritten-- io#0 (i_unwritten=0)"),
]
WORKER_FINDS_NOTHING = [
    ("worker", "wq run ext4_end_io_work(io#0)"),
    ("worker", "flush.A spin_lock"),
    ("worker", "flush.A take the whole list: nothing"),
    ("worker", "flush.A spin_unlock"),
    ("worker", "flush.C spin_lock"),
    ("worker", "flush.C clear QUEUED on own io#0"),
]


def log(result):
    return [(r.name, r.label) for r in result.steps]


def who_freed(result):
    w = result.run.world
    return {io.id: (io.freed, w.tasks[io.freed_by].name if io.freed_by is not None else None) for io in w.ios}


def test_fsync_vs_worker_worker_reaches_stage_c_first_then_fsync_frees():
    sched = [0] * 5 + [2] * 8 + [1] * 8 + [2] * 6
    res = run("fsync-vs-worker", "new", 1, schedule=sched)
    assert res.outcome == "completed"
    assert log(res) == DIO_ADD_NEW + FSYNC_DRAINS_AND_CONVERTS + WORKER_FINDS_NOTHING + [
        ("worker", "flush.C own io#0 still UNWRITTEN: the drainer converting it will free it"),
        ("worker", "flush.C spin_unlock"),
        ("fsync", "flush.C spin_lock"),
        ("fsync", "flush.C clear UNWRITTEN on io#0"),
        ("fsync", "flush.C io#0 not QUEUED: move to to_free"),
        ("fsync", "flush.C spin_unlock"),
        ("fsync", "flush.D free io#0"),
        ("fsync", "fsync mutex_unlock(i_mutex): fsync returns"),
    ]
    assert who_freed(res) == {0: (1, "fsync")}


def test_fsync_vs_worker_fsync_reaches_stage_c_first_then_worker_frees():
    sched = [0] * 5 + [2] * 8 + [2] * 5 + [1] * 9
    res = run("fsync-vs-worker", "new", 1, schedule=sched)
    assert res.outcome == "completed"
    assert log(res) == DIO_ADD_NEW + FSYNC_DRAINS_AND_CONVERTS + [
        ("fsync", "flush.C spin_lock"),
        ("fsync", "flush.C clear UNWRITTEN on io#0"),
        ("fsync", "flush.C io#0 is QUEUED: unlink only; io#0's own work item frees it"),
        ("fsync", "flush.C spin_unlock"),
        ("fsync", "fsync mutex_unlock(i_mutex): fsync returns"),
    ] + WORKER_FINDS_NOTHING + [
        ("worker", "flush.C own io#0 is converted (UNWRITTEN clear): onto to_free, freed in stage D"),
        ("worker", "flush.C spin_unlock"),
        ("worker", "flush.D free io#0"),
    ]
    assert who_freed(res) == {0: (1, "worker")}


def test_new_worker_drains_a_batch_with_one_work_item():
    res = run("completion-storm", "new", 4, schedule=[0] * 14 + [1] * 36)
    assert res.outcome == "completed"
    assert res.stats["work_items_queued"] == 1
    # stage C list_move()s io#1..3 to the *head* of to_free (list_move = list_del + list_add), then
    # list_add_tail()s its own io#0; stage D frees from the head: io#3, io#2, io#1, then io#0
    assert [r.label for r in res.steps if r.name == "worker" and "free" in r.label.split()[1:2]] == [
        "flush.D free io#3", "flush.D free io#2", "flush.D free io#1", "flush.D free io#0"]


def test_stage_c_texts_never_speak_of_the_worker_in_the_third_person_nor_free_in_stage_c():
    """The worker draining its own io_end says so ("own io#0"), not "its worker frees it" (which is
    itself); stage C only puts io_ends on to_free, and its texts say the free comes in stage D."""
    res = run("completion-storm", "new", 3, schedule=[0] * 11 + [1] * 29)
    c = [r.label for r in res.steps if r.name == "worker" and r.stage == "C"]
    assert "flush.C own io#0 is QUEUED: unlink only; this worker settles it after the loop" in c
    assert "flush.C own io#0 is converted (UNWRITTEN clear): onto to_free, freed in stage D" in c
    assert not [t for t in c if "its worker" in t or "free it here" in t]
    assert [r.stage for r in res.steps if r.kind == "free"] == ["D"] * 3


def test_old_design_queues_one_work_item_per_io_end():
    res = run("completion-storm", "old", 4)
    assert res.outcome == "completed"
    assert res.stats["work_items_queued"] == 4
    assert res.stats.get("requeues", 0) == 0


OLD_ROUND = [
    ("worker", "wq run ext4_end_io_work(io#0)"),
    ("worker", "end_io_work spin_lock"),
    ("worker", "end_io_work mutex_trylock(i_mutex) failed"),
    ("worker", "end_io_work requeue: set QUEUED on io#0"),
    ("worker", "end_io_work spin_unlock"),
]


def test_old_truncate_holding_i_mutex_makes_the_worker_requeue_and_yield_forever():
    # dio completes io#0 (4 steps), truncate takes i_mutex and sleeps in inode_dio_wait, then the worker alone
    res = run("truncate-vs-dio", "old", 1, schedule=[0, 0, 0, 0, 2] + [1] * 13)
    assert res.outcome == "stopped"
    assert log(res) == [
        ("dio", "end_io_dio io#0 completes: spin_lock"),
        ("dio", "end_io_dio list_add_tail io#0"),
        ("dio", "end_io_dio spin_unlock"),
        ("dio", "end_io_dio queue_work io#0"),
        ("truncate", "truncate mutex_lock(i_mutex)"),
    ] + OLD_ROUND + [
        ("worker", "end_io_work requeue io#0, return"),  # first round: QUEUED was clear, no yield
    ] + OLD_ROUND + [
        ("worker", "end_io_work requeue io#0"),
        ("worker", "end_io_work yield() and return (the worker stays runnable)"),  # from the second round on
    ]
    assert res.blocked == {"truncate": "waits for i_dio_count == 0 (now 1)"}


def test_old_truncate_never_finishes_under_round_robin_and_requeues_keep_growing():
    counts = []
    for limit in (250, 500, 1000):
        res = run("truncate-vs-dio", "old", 2, max_steps=limit)
        assert res.outcome == "running"
        assert res.cycling == ["worker"]
        assert "truncate" not in res.results
        counts.append(res.stats["requeues"])
    assert counts[0] < counts[1] < counts[2]
    assert counts[2] >= 1000 // 7  # one requeue per round of at most 7 worker steps


def test_old_blocking_worker_deadlocks_against_truncate():
    res = run("truncate-vs-dio", "old-blocking", 2)
    assert res.outcome == "deadlock"
    assert res.blocked == {"worker": "waits for i_mutex held by truncate",
                           "truncate": "waits for i_dio_count == 0 (now 2)"}


@pytest.mark.parametrize("ios", [1, 2, 3, 5])
def test_new_truncate_completes(ios):
    res = run("truncate-vs-dio", "new", ios)
    assert res.outcome == "completed"
    assert res.results == {"truncate": "truncated"}
    w = res.run.world
    assert all(io.freed == 1 and io.conv == 1 for io in w.ios)
    assert w.inode.dio_count == 0 and w.inode.unwritten == 0 and w.inode.ioend_count == 0


def test_split_rmw_old_fsync_loses_the_unwritten_clear_and_the_free_check_fires():
    # io#0 completes; fsync pops it and sets IN_FSYNC; the worker sees IN_FSYNC and loads the flags to set
    # QUEUED; fsync converts and clears UNWRITTEN (i_mutex only); the worker stores its stale word back.
    sched = [0, 0, 0, 0]  # dio: lock, add, unlock, queue_work
    sched += [2, 2, 2, 2, 2, 2]  # fsync: mutex_lock, spin_lock, pop, load, store IN_FSYNC, spin_unlock
    sched += [1, 1, 1]  # worker: run work, spin_lock, IN_FSYNC set -> load flags (split)
    sched += [2, 2, 2]  # fsync: convert, load flags, store (UNWRITTEN cleared)
    sched += [1]  # worker: store (UNWRITTEN comes back)
    with pytest.raises(InvariantViolation) as at_store:  # every check of the old family: caught at the store
        Run("fsync-vs-worker", "old", 1, split_rmw=True).replay(sched)
    assert at_store.value.invariant == "unwritten-cleared-after-conversion"
    assert at_store.value.schedule == sched
    # with the consequences only, the run goes on until the free-time BUG_ON
    r = Run("fsync-vs-worker", "old", 1, split_rmw=True, checks=CONSEQUENCES)
    r.replay(sched)
    assert r.world.ios[0].flags & UNWRITTEN, "the worker's stale store must bring UNWRITTEN back"
    assert r.world.ios[0].conv == 1
    # let everyone finish, taking turns from here: the free-time BUG_ON fires
    with pytest.raises(InvariantViolation) as err:
        for i in range(400):
            ready = r.runnable()
            r.step(ready[i % len(ready)])
    assert err.value.invariant == "not-freed-while-unwritten"
    assert err.value.message.startswith("worker frees io#0 while UNWRITTEN is set")
    assert err.value.schedule == r.schedule


def test_split_rmw_new_design_stays_correct_for_many_seeds():
    for seed in range(300):
        res = run("fsync-vs-worker", "new", 2, seed=seed, split_rmw=True)
        assert res.outcome == "completed", (seed, res.violation)


def drive(r, plan):
    """Step each (task, count) of the plan; count None = until that task can no longer run."""
    for tid, count in plan:
        if count is None:
            while tid in r.runnable():
                r.step(tid)
        else:
            for _ in range(count):
                r.step(tid)
    return r


def test_punch_hole_error_new_returns_error_and_removes_nothing_old_ignores_it():
    new = drive(Run("punch-hole-error", "new", 2, fail_io=1), [(0, None), (2, None), (1, None)])
    assert new.outcome() == "completed"
    assert new.world.tasks[2].result == "error -5: removed nothing"
    old = drive(Run("punch-hole-error", "old", 2, fail_io=1), [(0, None), (2, None), (1, None)])
    assert old.outcome() == "completed"
    assert old.world.tasks[2].result == "removed blocks (flush error -5 ignored)"


def test_punch_hole_new_removes_blocks_when_the_worker_met_the_failure():
    r = drive(Run("punch-hole-error", "new", 1, fail_io=0), [(0, None), (1, None), (2, None)])
    assert r.outcome() == "completed"
    assert r.world.tasks[2].result == "removed blocks"
    assert r.world.stats["conversion_errors"] == 1


def test_list_move_inserts_at_the_head_and_list_add_tail_at_the_tail():
    from ext4io_teach import build_world

    w = build_world("completion-storm", "new", 3)
    worker = w.tasks[1]
    w.list_add_tail(worker, 0, "1.complete")
    w.list_add_tail(worker, 1, "1.complete")
    w.list_move(worker, 0, "1.to_free")
    w.list_move(worker, 1, "1.to_free")
    w.list_add_tail(worker, 2, "1.to_free")
    assert worker.to_free == [1, 0, 2] and worker.complete == []
    assert w.ios[1].where == "1.to_free"
