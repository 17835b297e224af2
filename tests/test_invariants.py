"""Every named invariant can fire: each primitive is driven into the state it forbids."""

import random

import pytest

from ext4io_teach import Run, build_world
from ext4io_teach.errors import InvariantViolation
from ext4io_teach.invariants import CONSEQUENCES, REGISTRY, check_final, check_state, state_checker
from ext4io_teach.model.flags import DIRECT, IN_FSYNC, QUEUED, UNWRITTEN


def world(design="new", ios=2, scenario="fsync-vs-worker"):
    w = build_world(scenario, design, ios)
    return w, w.tasks[0], w.tasks[1], w.tasks[2]


def fires(name, fn):
    with pytest.raises(InvariantViolation) as err:
        fn()
    assert err.value.invariant == name
    assert err.value.message
    return err.value


def test_double_free_and_use_after_free():
    w, dio, worker, fsync = world()
    w.ios[0].flags = 0
    w.free(fsync, 0)
    v = fires("freed-once", lambda: w.free(worker, 0))
    assert "fsync already freed" in v.message
    fires("no-use-after-free", lambda: w.convert(worker, 0))


def test_free_while_listed_unwritten_pending_queued():
    w, dio, worker, fsync = world()
    w.spin_lock(dio)
    w.list_add_tail(dio, 0, "inode")
    fires("not-freed-while-listed", lambda: w.free(fsync, 0))
    fires("not-freed-while-unwritten", lambda: w.free(fsync, 1))
    w.ios[1].flags = QUEUED
    w.wq.queue_work(1)
    fires("not-freed-while-pending", lambda: w.free(fsync, 1))
    w.wq.take_next()
    fires("not-freed-while-queued", lambda: w.free(fsync, 1))


def test_list_corruption_and_conversion_counts():
    w, dio, worker, fsync = world()
    w.spin_lock(dio)
    w.list_add_tail(dio, 0, "inode")
    fires("list-integrity", lambda: w.list_add_tail(dio, 0, f"{fsync.tid}.to_free"))
    w.convert(worker, 1)
    fires("converted-once", lambda: w.convert(fsync, 1))
    w.aio_complete(worker, 1)
    fires("aio-completed-once", lambda: w.aio_complete(fsync, 1))
    w.inode_dio_done(worker, 1)
    fires("dio-done-once", lambda: w.inode_dio_done(fsync, 1))
    w.unwritten_dec(worker, 1)
    fires("unwritten-dec-once", lambda: w.unwritten_dec(fsync, 1))


def test_lock_usage():
    w, dio, worker, fsync = world()
    fires("lock-usage", lambda: w.spin_unlock(dio))
    w.spin_lock(dio)
    fires("lock-usage", lambda: w.spin_lock(dio))


def test_protocol_rules_of_the_new_design():
    w, dio, worker, fsync = world()
    fires("flags-under-lock", lambda: w.change_flags(fsync, 0, clear_bits=UNWRITTEN))
    w.spin_lock(fsync)
    w.ios[0].flags |= QUEUED
    fires("queued-cleared-by-owner", lambda: w.change_flags(fsync, 0, clear_bits=QUEUED))
    fires("queue-when-list-was-empty", lambda: w.queue_work(fsync, 1))  # io#1 is not QUEUED
    fires("worker-never-waits-for-i_mutex", lambda: w.mutex_trylock(worker))


def test_state_checks():
    w, dio, worker, fsync = world()
    w.spin_lock(dio)
    w.list_add_tail(dio, 0, "inode")
    w.ios[0].flags &= ~UNWRITTEN
    fires("inode-list-unwritten", lambda: check_state(w, 0))
    w.ios[0].flags |= UNWRITTEN
    w.ios[1].flags &= ~UNWRITTEN
    fires("unwritten-cleared-after-conversion", lambda: check_state(w, 1))
    fires("nonempty-list-has-worker", lambda: check_state(w, None))


def test_bug_on_a_completion_without_unwritten_and_the_ioend_count():
    r = Run("fsync-vs-worker", "new", 1)
    r.world.ios[0].flags &= ~UNWRITTEN
    fires("converts-only-unwritten", lambda: r.step(0))
    w, dio, worker, fsync = world()
    w.ios[0].flags = 0
    w.inode.ioend_count = 0
    fires("ioend-count", lambda: w.free(fsync, 0))


def test_nothing_lost_at_the_end():
    w, *_ = world()
    fires("nothing-lost", lambda: check_final(w))


def test_nothing_lost_wants_i_ioend_count_zero_at_the_end_as_eviction_does():
    # a leak keeps i_ioend_count consistent with the io_ends still allocated, so comparing the two could
    # not fire; eviction (ext4_ioend_wait) waits for i_ioend_count == 0, and so does nothing-lost
    from ext4io_teach.explore import explore

    res = explore("fsync-vs-worker", "worker-never-frees-own", 1, checks=CONSEQUENCES, progress=False)
    assert res.violation["invariant"] == "nothing-lost"
    assert "io#0 freed 0 times" in res.violation["message"]
    assert "i_ioend_count is 1, not 0: inode eviction (ext4_ioend_wait) would wait for ever" in res.violation["message"]


class _ForgetsIoendCountDec:
    """Test-only variant: ext4_free_io_end frees the io_end but forgets ``i_ioend_count--``."""

    name = "test-free-forgets-ioend-count"

    def d_free(self, w, t):
        out = super().d_free(w, t)
        w.inode.ioend_count += 1  # undo the decrement World.free made
        return out


def test_nothing_lost_fires_on_an_i_ioend_count_that_no_free_brought_down(monkeypatch):
    from ext4io_teach import designs, run
    from ext4io_teach.designs.new import NewDesign

    cls = type("ForgetsIoendCountDec", (_ForgetsIoendCountDec, NewDesign), {})
    monkeypatch.setitem(designs.DESIGNS, cls.name, cls)
    res = run("completion-storm", cls.name, 2)
    assert res.outcome == "violation" and res.violation.invariant == "nothing-lost"
    # every io_end was freed exactly once (by its own record), yet the counter says two are allocated
    assert res.violation.message == ("all tasks finished but i_ioend_count is 2, not 2 io_ends allocated - 2 freed "
                                     "(by their own records) = 0")


def test_the_old_design_does_not_check_the_new_protocol_rules():
    w = build_world("fsync-vs-worker", "old", 1)
    fsync = w.tasks[2]
    w.change_flags(fsync, 0, clear_bits=UNWRITTEN)  # v3.6 clears UNWRITTEN under i_mutex only: correct there
    assert "flags-under-lock" not in w.checks and "not-freed-while-unwritten" in w.checks


def test_nothing_sleeps_holding_the_spinlock():
    """A step declared ``sleeps=`` taken while holding i_completed_io_lock (tests/test_sleep.py has more)."""
    from ext4io_teach.step import step

    w, dio, worker, fsync = world()
    w.spin_lock(fsync)  # fsync stands at fs.lock: filemap_write_and_wait_range and mutex_lock may sleep
    out = step(w, fsync.tid)
    assert out.violation.invariant == "no-sleep-holding-spinlock"
    assert "fsync holds i_completed_io_lock" in out.violation.message
    w2, _, _, fsync2 = world()
    assert step(w2, fsync2.tid).violation is None  # the same step without the spinlock


def test_every_registered_invariant_is_exercised_here_or_by_a_property():
    import inspect
    import sys
    source = inspect.getsource(sys.modules[__name__])
    untested = [n for n, inv in REGISTRY.items() if f'"{n}"' not in source and inv.kind != "property"]
    assert untested == []


def test_a_violation_in_a_run_carries_inputs_and_schedule():
    r = Run("fsync-vs-worker", "old", 1, split_rmw=True)
    sched = [0, 0, 2, 0, 2, 2, 2, 2, 0, 1, 2, 1, 2, 2, 1, 2, 2, 1, 1, 2, 1, 1, 1, 1, 2, 1, 2, 1, 1, 2, 2, 1, 2, 1, 1,
             2, 1, 1]
    with pytest.raises(InvariantViolation) as err:
        r.replay(sched)
    v = err.value
    # the worker's stale store of QUEUED brings back the UNWRITTEN fsync cleared: caught at that store
    assert v.schedule == sched[:18] and v.inputs["split_rmw"] is True
    assert str(v).endswith("replay: ext4io-teach run fsync-vs-worker --design old --ios 1 --split-rmw --schedule "
                           + ",".join(map(str, sched[:18])))
    assert v.invariant == "unwritten-cleared-after-conversion" and "a lost flag update" in v.message


def test_c278531d_flush_warns_without_i_mutex():
    """c278531d's ext4_flush_unwritten_io warns unless its caller holds i_mutex."""
    w = build_world("fsync-vs-worker", "c278531d", 1)
    fsync = w.tasks[2]
    fires("flush-holds-i_mutex", lambda: w.design.call_flush(w, fsync, "fs.flushed"))
    plain = build_world("fsync-vs-worker", "new", 1)  # 28a535f9's flush has no such check
    plain.design.call_flush(plain, plain.tasks[2], "fs.flushed")


STATE_CHECKS = ("inode-list-unwritten", "unwritten-cleared-after-conversion", "nonempty-list-has-worker")


def _outcome(fn, *args):
    try:
        fn(*args)
    except InvariantViolation as v:
        return v.invariant, v.message
    return None


@pytest.mark.parametrize("design", ["new", "old", "c278531d"])
def test_the_bound_state_checker_agrees_with_check_state(design):
    """``World.check_state`` (``state_checker``: the enabled checks looked up once) finds what
    ``check_state`` finds, on random states and random sets of enabled checks."""
    rng = random.Random(design)
    pcs = sorted(build_world("fsync-vs-worker", design, 3).design.table) + ["done"]
    fired = set()
    for _ in range(400):
        checks = frozenset(c for c in STATE_CHECKS if rng.random() < 0.7)
        w = build_world("fsync-vs-worker", design, 3, checks=checks)
        for io in w.ios:
            io.flags = rng.choice([0, UNWRITTEN, UNWRITTEN | DIRECT, QUEUED, UNWRITTEN | QUEUED, IN_FSYNC])
            io.where = rng.choice([None, "inode", "1.unwritten"])
            io.conv, io.freed, io.cleared = rng.randint(0, 1), rng.randint(0, 1), rng.random() < 0.5
        w.inode.completed = [k for k in range(3) if rng.random() < 0.4]
        w.wq.pending = [k for k in range(3) if rng.random() < 0.3]
        for t in w.tasks:
            t.pc = rng.choice(pcs)
        check = state_checker(w)
        for touched in (None, 0, 1, 2):
            got = _outcome(check, touched)
            assert got == _outcome(check_state, w, touched)
            fired.add(got and got[0])
    assert fired == {None, *STATE_CHECKS}  # every check fired somewhere, and passed somewhere
