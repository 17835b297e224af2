"""The exhaustive explorer: verdicts, counterexamples replayed through the scheduler, bounds, bad input."""

import json

import pytest

from ext4io_teach import Run, cli
from ext4io_teach.errors import InvariantViolation
from ext4io_teach.explore import can_complete, explore
from ext4io_teach.invariants import CONSEQUENCES, enabled_for


def replay_to(inputs, schedule, **kw):
    r = Run(inputs["scenario"], inputs["design"], inputs["ios"], split_rmw=inputs["split_rmw"],
            fail_io=inputs["fail_io"], keep_trace=False, **kw)
    r.replay(schedule)
    return r


def assert_safety_counterexample(res, **kw):
    """The schedule replays step for step and ends in the reported violation, at its last step."""
    sched = res.counterexample.schedule
    r = replay_to(res.inputs, sched[:-1], **kw)  # every step but the last is fine
    with pytest.raises(InvariantViolation) as e:
        r.step(sched[-1])
    assert e.value.invariant == res.violation["invariant"]


def assert_fair_livelock(res, waiting="truncate"):
    cex = res.counterexample
    k = cex.cycle_start
    assert k is not None and 0 < k < len(cex.schedule)
    r = replay_to(res.inputs, cex.schedule[:k])
    w = r.world
    at_prefix = r.snapshot()
    waiter = [t.tid for t in w.tasks if t.name == waiting][0]
    runnable_throughout = set(r.runnable())
    for tid in cex.schedule[k:]:
        r.step(tid)
        runnable_throughout &= set(r.runnable())
        assert w.tasks[waiter].pc != "done"
    assert r.snapshot() == at_prefix, "the cycle must lead back to the state after the prefix"
    cycle = cex.schedule[k:]
    assert waiter not in cycle, f"{waiting} made progress inside the cycle"
    assert runnable_throughout <= set(cycle), "a task runnable throughout the cycle never stepped in it"


@pytest.mark.parametrize("ios", [1, 2, 3])
def test_old_design_livelocks_on_truncate_vs_dio(ios):
    res = explore("truncate-vs-dio", "old", ios, property="liveness", progress=False)
    assert res.verdict == "livelock"
    assert res.violation["invariant"] == "truncate-returns"
    assert_fair_livelock(res)
    # and safety alone finds nothing: the hang is no deadlock and breaks no invariant
    assert explore("truncate-vs-dio", "old", ios, property="safety", progress=False).verdict == "ok"


@pytest.mark.parametrize("ios", [1, 2])
def test_old_blocking_deadlocks(ios):
    for prop in ("safety", "liveness"):
        res = explore("truncate-vs-dio", "old-blocking", ios, property=prop, progress=False)
        assert res.verdict == "deadlock"
        r = replay_to(res.inputs, res.counterexample.schedule)
        assert r.outcome() == "deadlock"
        assert "truncate" in res.violation["message"] and "worker" in res.violation["message"]


@pytest.mark.parametrize("design", ["new", "c278531d"])
@pytest.mark.parametrize("scenario", ["truncate-vs-dio", "fsync-vs-worker"])
def test_new_design_has_no_infinite_run(design, scenario):
    res = explore(scenario, design, 2, property="liveness", progress=False)
    assert res.verdict == "ok"
    assert res.acyclic is True and res.cycles == 0
    assert "acyclic" in res.explain()


def test_old_fsync_vs_worker_loops_but_not_fairly():
    res = explore("fsync-vs-worker", "old", 2, property="liveness", progress=False)
    assert res.verdict == "ok"
    assert res.acyclic is False and res.cycles > 0  # the worker's requeue loop exists ...
    assert "weakly fair" in res.explain()  # ... but fsync runs and ends it


def test_split_rmw_lost_update_in_old_design_only():
    # unwritten-cleared-after-conversion and queued-cleared-by-owner hold for the old family too, so the
    # lost update is caught at the store that loses it: fsync, which loaded the flags before the worker's
    # requeue stored QUEUED, stores them back without it
    res = explore("fsync-vs-worker", "old", 1, split_rmw=True, progress=False)
    assert res.verdict == "violation"
    assert res.violation["invariant"] == "queued-cleared-by-owner"
    assert "loaded before QUEUED was set (a lost update)" in res.violation["message"]
    assert_safety_counterexample(res)
    labels = [r.label for r in res.replay().trace]
    assert "load flags" in " ".join(labels) and "store flags" in " ".join(labels)
    # with the consequences only, the same race is caught later, by the free-time BUG_ON
    late = explore("fsync-vs-worker", "old", 1, split_rmw=True, checks=CONSEQUENCES, progress=False)
    assert late.violation["invariant"] == "not-freed-while-unwritten"
    assert len(late.counterexample.schedule) > len(res.counterexample.schedule)
    assert explore("fsync-vs-worker", "new", 2, split_rmw=True, property="liveness", progress=False).verdict == "ok"


@pytest.mark.parametrize("design", ["old", "old-blocking"])
@pytest.mark.parametrize("scenario", ["truncate-vs-dio", "fsync-vs-worker", "punch-hole-error", "nolock-dio-read",
                                      "completion-storm"])
def test_the_two_protocol_invariants_tagged_for_both_families_hold_for_the_old_one(design, scenario):
    # without --split-rmw every flag update is atomic and these two rules hold for old and old-blocking
    # (docs/model.md): the verdict is the one the consequences alone give
    assert {"unwritten-cleared-after-conversion", "queued-cleared-by-owner"} <= enabled_for("old")
    for n in (1, 2):
        full = explore(scenario, design, n, progress=False)
        assert full.verdict == explore(scenario, design, n, checks=CONSEQUENCES, progress=False).verdict


@pytest.mark.parametrize("ios", [1, 2])
def test_fsync_durable_fails_for_new_and_holds_for_c278531d(ios):
    """On buffered writeback io_ends (fsync-vs-writeback). On AIO direct writes (fsync-vs-worker) it holds
    for every design: aio_complete comes after the conversion, so fsync owes them nothing while it is pending."""
    res = explore("fsync-vs-writeback", "new", ios, property="fsync-durable", progress=False)
    assert res.verdict == "violation" and res.violation["invariant"] == "fsync-durable"
    assert_safety_counterexample(res, properties=("fsync-durable",))
    assert explore("fsync-vs-writeback", "new", ios, property="safety", progress=False).verdict == "ok"
    assert explore("fsync-vs-writeback", "c278531d", ios, property="fsync-durable", progress=False).verdict == "ok"
    assert explore("fsync-vs-worker", "new", ios, property="fsync-durable", progress=False).verdict == "ok"


def test_breadth_first_gives_a_shortest_counterexample():
    """No schedule shorter than the reported one reaches the violation: walk every shorter schedule
    level by level (one Run per distinct state), independently of the explorer."""
    res = explore("fsync-vs-worker", "old", 1, split_rmw=True, progress=False)
    n = len(res.counterexample.schedule)

    level = {tuple(): replay_to(res.inputs, [])}
    for _ in range(n - 1):
        nxt = {}
        for _, run in level.items():
            for tid in run.runnable():
                r = replay_to(res.inputs, run.schedule)
                try:
                    r.step(tid)
                except InvariantViolation:
                    pytest.fail(f"a shorter counterexample exists: {r.schedule}")
                nxt.setdefault(r.snapshot(), r)
        level = nxt
    assert level


def test_prefix_counterexample_is_absolute():
    prefix = [0, 0, 0, 0, 2]  # io#0 completes and queues its work, then truncate takes i_mutex
    res = explore("truncate-vs-dio", "old", 1, property="liveness", prefix=prefix, progress=False)
    assert res.verdict == "livelock"
    assert res.counterexample.schedule[:len(prefix)] == prefix
    assert res.counterexample.cycle_start >= len(prefix)
    assert_fair_livelock(res)


def test_can_complete():
    assert can_complete("truncate-vs-dio", "old", 1, [])
    # truncate holds i_mutex while io#0 still waits for conversion: the worker can never trylock it
    assert not can_complete("truncate-vs-dio", "old", 1, [0, 0, 0, 0, 2])
    # truncate took i_mutex only after the worker converted: it can finish
    r = Run("truncate-vs-dio", "old", 1)
    while r.world.inode.dio_count:
        r.step([t for t in r.runnable() if t != 2][0])
    assert can_complete("truncate-vs-dio", "old", 1, r.schedule)
    for prefix in ([], [0, 0, 0, 0, 2], [2, 0]):
        assert can_complete("truncate-vs-dio", "new", 2, prefix)


def test_bounds_and_interrupt():
    res = explore("fsync-vs-worker", "old", 2, max_states=50, progress=False)
    assert res.verdict == "bounded" and res.stopped == "max_states" and res.states == 50
    assert res.counterexample is None
    res = explore("fsync-vs-worker", "old", 2, max_seconds=1e-9, progress=False)
    assert res.verdict == "bounded" and res.stopped == "max_seconds"

    def interrupt(states, expanded):
        if expanded >= 1024:
            raise KeyboardInterrupt
    res = explore("fsync-vs-worker", "old", 2, property="liveness", progress=interrupt)
    assert res.verdict == "bounded" and res.stopped == "interrupted"
    assert res.states > 1024
    with pytest.raises(ValueError, match="^progress: 'yes' is not a progress setting"):
        explore("fsync-vs-worker", "old", 2, progress="yes")


def test_bounded_liveness_still_reports_a_livelock_it_has_seen():
    full = explore("truncate-vs-dio", "old", 3, property="liveness", progress=False)
    res = explore("truncate-vs-dio", "old", 3, property="liveness", max_states=full.states - 1, progress=False)
    assert res.verdict == "livelock"
    assert_fair_livelock(res)


def test_json_shape_and_explanation():
    res = explore("truncate-vs-dio", "old", 1, property="liveness", progress=False)
    j = res.as_json()
    assert list(j) == ["scenario", "design", "ios", "split_rmw", "fail_io", "workers", "property", "verdict",
                       "violation", "states", "transitions", "depth", "seconds", "counterexample"]
    assert set(j["counterexample"]) == {"schedule", "cycle_start", "steps"}
    assert len(j["counterexample"]["steps"]) == len(j["counterexample"]["schedule"])
    assert set(j["counterexample"]["steps"][0]) == {"i", "task", "name", "label", "io"}
    json.dumps(j)
    text = res.explain()
    assert "1. dio:" in text and "trylock(i_mutex) failed" in text and "cycle starts" in text


@pytest.mark.parametrize("kw, param", [
    ({"property": "nope"}, "property"),
    ({"property": "fsync-durable"}, "property"),
    ({"max_states": 0}, "max_states"),
    ({"max_seconds": -1}, "max_seconds"),
    ({"prefix": [7]}, "prefix"),
    ({"prefix": "a,b"}, "prefix"),
])
def test_bad_input(kw, param):
    with pytest.raises(ValueError) as e:
        explore("truncate-vs-dio", "new", 1, **kw)
    assert str(e.value).startswith(param) and "allowed" in str(e.value)


@pytest.mark.parametrize("ios", [0, 7, "2"])
def test_bad_ios(ios):
    with pytest.raises(ValueError, match="^ios"):
        explore("truncate-vs-dio", "new", ios)


def test_cli_exit_codes(capsys):
    assert cli.main(["check", "truncate-vs-dio", "--design", "new", "--ios", "1", "--property", "all"]) == 0
    assert cli.main(["check", "truncate-vs-dio", "--design", "old", "--ios", "1", "--property", "liveness"]) == 1
    assert cli.main(["check", "truncate-vs-dio", "--design", "old", "--ios", "2", "--max-states", "10"]) == 3
    assert cli.main(["check", "truncate-vs-dio", "--ios", "9"]) == 2
    assert cli.main(["check", "truncate-vs-dio", "--property", "fsync-durable"]) == 2
    err = capsys.readouterr().err
    assert "ios: 9 is out of range" in err and "fsync-durable does not apply" in err
    assert cli.main(["check", "fsync-vs-writeback", "--design", "new", "--ios", "1", "--property", "fsync-durable",
                     "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "violation" and out["violation"]["invariant"] == "fsync-durable"
    r = replay_to(out, out["counterexample"]["schedule"][:-1], properties=("fsync-durable",))
    with pytest.raises(InvariantViolation):
        r.step(out["counterexample"]["schedule"][-1])


def test_tqdm_is_imported_only_for_a_visible_bar():
    import subprocess
    import sys
    code = ("import sys; from ext4io_teach.explore import explore; "
            "explore('truncate-vs-dio', 'old', 2, property='liveness', progress=False); "
            "assert 'tqdm' not in sys.modules, 'tqdm imported with progress=False'; "
            "explore('truncate-vs-dio', 'old', 1, progress=True); "
            "assert 'tqdm' in sys.modules, 'no bar with progress=True'")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_a_search_leaves_the_garbage_collector_as_it_found_it():
    """The search pauses the collector and hands what it made to the oldest generation afterwards
    (``gc.freeze`` + ``unfreeze``); the caller's setting and objects it froze itself stay as they were."""
    import gc

    was = gc.isenabled()
    try:
        gc.enable()
        explore("truncate-vs-dio", "new", 2, property="liveness", progress=False)
        assert gc.isenabled() and gc.get_freeze_count() == 0
        gc.disable()
        explore("truncate-vs-dio", "new", 2, property="liveness", progress=False)
        assert not gc.isenabled()
        gc.enable()
        mine = [[object()] for _ in range(50)]
        gc.freeze()
        frozen = gc.get_freeze_count()
        assert frozen >= len(mine)
        explore("truncate-vs-dio", "new", 2, property="liveness", progress=False)
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
        (gc.enable if was else gc.disable)()
