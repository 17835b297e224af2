"""The shortcuts the timed engine takes for speed do what the code they stand for does."""

import random

import pytest

from ext4io_teach import build_world
from ext4io_teach.errors import InvariantViolation
from ext4io_teach.invariants import check_state, state_checker
from ext4io_teach.model.flags import DIRECT, IN_FSYNC, QUEUED, UNWRITTEN

STATE_CHECKS = ("inode-list-unwritten", "unwritten-cleared-after-conversion", "nonempty-list-has-worker")


def _outcome(fn, *args):
    try:
        fn(*args)
    except InvariantViolation as v:
        return v.invariant, v.message
    return None


@pytest.mark.parametrize("design", ["new", "old", "c278531d"])
def test_state_checker_agrees_with_check_state(design):
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
            if not (touched is not None and check.per_io) and not (check.list_check and w.inode.completed):
                assert got is None  # the engine skips such calls
            fired.add(got and got[0])
    assert fired == {None, *STATE_CHECKS}  # every check fired somewhere, and passed somewhere


def test_randbelow_is_what_randint_draws():
    # TimedWorld draws the device jitter as -j + rng._randbelow(2j + 1): randint(-j, j) in CPython
    for seed in range(20):
        a, b = random.Random(seed), random.Random(seed)
        for j in (0, 1, 3, 15, 100):
            assert [-j + a._randbelow(2 * j + 1) for _ in range(50)] == [b.randint(-j, j) for _ in range(50)]
