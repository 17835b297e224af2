"""The scheduler: determinism, policies, undo by replay, snapshots, bad input."""

import pytest

from ext4io_teach import Run, build_world, parse_schedule, run
from ext4io_teach.sched import MAX_IOS


def test_same_seed_same_schedule_and_trace():
    a = run("fsync-vs-worker", "new", 3, seed=7)
    b = run("fsync-vs-worker", "new", 3, seed=7)
    c = run("fsync-vs-worker", "new", 3, seed=8)
    assert a.schedule == b.schedule and [r.label for r in a.steps] == [r.label for r in b.steps]
    assert a.schedule != c.schedule


def test_a_recorded_schedule_replays_to_the_same_state():
    a = run("truncate-vs-dio", "new", 3, seed=11)
    b = run("truncate-vs-dio", "new", 3, schedule=a.schedule)
    assert b.outcome == a.outcome == "completed"
    assert b.run.snapshot() == a.run.snapshot()


def test_round_robin_takes_turns():
    res = run("truncate-vs-dio", "new", 1, max_steps=3)
    assert res.schedule == [0, 2, 0]  # the worker has nothing queued yet


def test_undo_is_replay_of_the_prefix_and_snapshots_are_hashable():
    r = Run("fsync-vs-worker", "new", 2)
    seen = []
    for _ in range(12):
        seen.append(r.snapshot())
        r.step(r.runnable()[-1])
    prefix = r.schedule[:7]
    back = r.fresh()
    back.replay(prefix)
    assert back.snapshot() == seen[7]
    assert len({hash(s) for s in seen}) == len(set(seen))


def test_restore_returns_to_an_earlier_state():
    r = Run("truncate-vs-dio", "old", 2)
    w = r.world
    start = w.snapshot()
    for _ in range(15):
        r.step(r.runnable()[0])
    assert w.snapshot() != start
    w.restore(start)
    assert w.snapshot() == start
    assert w.runnable() == [0, 2]


def test_statistics_are_not_part_of_the_state():
    r = Run("truncate-vs-dio", "old", 1)
    r.replay([0, 0, 0, 0, 2])
    states = []
    for _ in range(30):
        r.step(1)
        states.append(r.snapshot())
    # the requeue loop returns to the same state every round, while the counters grow
    assert len(set(states)) < len(states)
    assert r.world.stats["requeues"] >= 4


@pytest.mark.parametrize("call, param", [
    (lambda: build_world("nope", "new", 1), "scenario"),
    (lambda: build_world("truncate-vs-dio", "nope", 1), "design"),
    (lambda: build_world("truncate-vs-dio", "new", 0), "ios"),
    (lambda: build_world("truncate-vs-dio", "new", -3), "ios"),
    (lambda: build_world("truncate-vs-dio", "new", MAX_IOS + 1), "ios"),
    (lambda: build_world("truncate-vs-dio", "new", 2, fail_io=2), "fail_io"),
    (lambda: run("truncate-vs-dio", "new", 1, schedule=[0, 2, 2]), "schedule"),
    (lambda: run("truncate-vs-dio", "new", 1, schedule=[7]), "schedule"),
    (lambda: run("truncate-vs-dio", "new", 1, schedule=[0], seed=3), "seed"),
    (lambda: run("truncate-vs-dio", "new", 1, policy="fifo"), "policy"),
    (lambda: run("truncate-vs-dio", "new", 1, max_steps=0), "max_steps"),
    (lambda: parse_schedule("0,1,x"), "schedule"),
])
def test_bad_input_names_the_parameter_and_what_is_allowed(call, param):
    with pytest.raises(ValueError) as err:
        call()
    text = str(err.value)
    assert text.startswith(f"{param}: ") and "allowed: " in text and "\n" not in text


def test_a_schedule_naming_a_blocked_task_says_why():
    with pytest.raises(ValueError, match=r"task 2 \(truncate\), which cannot run: waits for i_dio_count == 0"):
        run("truncate-vs-dio", "new", 1, schedule=[0, 2, 2])


def test_a_run_keeps_working_after_bad_input():
    r = Run("truncate-vs-dio", "new", 1)
    with pytest.raises(ValueError):
        r.step(1)  # the worker has nothing queued
    r.step(0)
    assert r.schedule == [0]


def test_ended_schedule_reports_stopped_and_extra_entries_are_refused():
    assert run("truncate-vs-dio", "new", 1, schedule=[0, 0]).outcome == "stopped"
    full = run("truncate-vs-dio", "new", 1).schedule
    with pytest.raises(ValueError, match="entries left after the run ended"):
        run("truncate-vs-dio", "new", 1, schedule=full + [0])
