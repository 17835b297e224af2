"""The explorer's memo (explore/memo.py): its answers are what running the code gives, and it notices
when code reads state behind its back."""

import pytest

from ext4io_teach import invariants
from ext4io_teach.designs import design_names
from ext4io_teach.explore import _goals, _start
from ext4io_teach.explore.engine import Graph
from ext4io_teach.explore.memo import _Tracked
from ext4io_teach.scenarios import scenario_names


def graph(scenario, design, ios, *, verify, split_rmw=False, checks=None, liveness=True):
    run, _ = _start(scenario, design, ios, split_rmw, None, checks, (), [])
    goals = _goals(run.world) if liveness else []
    g = Graph(run.world, keep_edges=liveness, goal_fns=[fn for _, fn, _ in goals], verify=verify)
    g.search(stop_on_violation=False, stop_on_deadlock=False)
    return g


def summary(g):
    v = g.violation
    return (g.keys, g.edges, g.edge_tasks, g.enabled, g.goals, g.parent, g.ptask, g.deadlock, g.transitions,
            v and (v[0], v[1], v[2].invariant, v[2].message))


@pytest.mark.parametrize("design", design_names())
def test_every_memo_answer_matches_running_the_code(design):
    """With ``verify`` every step (can it run, and what it does), state check, "all finished" and goal
    question is also run for real and compared with the memo's stored answer (AssertionError on any
    difference).
    Violations do not stop the search, so the memo is exercised past them too. ``verify`` also checks
    the invariants on every transition, not only on the first one into each state; the graph and the
    first violation must come out the same as without it."""
    for scenario in scenario_names():
        for split_rmw, checks in ((False, None), (True, invariants.CONSEQUENCES)):
            g = graph(scenario, design, 2, verify=True, split_rmw=split_rmw, checks=checks)
            assert g.transitions > 0
            fast = graph(scenario, design, 2, verify=False, split_rmw=split_rmw, checks=checks)
            assert summary(fast) == summary(g)


def test_memo_alone_builds_the_verified_graph():
    """The graph the memo builds on its own equals the one built with every answer checked."""
    for scenario, design in (("fsync-vs-worker", "new"), ("truncate-vs-dio", "old"), ("fsync-vs-worker", "c278531d")):
        checked = graph(scenario, design, 3, verify=True)
        fast = graph(scenario, design, 3, verify=False)
        assert summary(fast) == summary(checked)
        # the point of the memo: most transitions never run the step code
        assert fast.memo.misses * 4 < fast.transitions


def test_verify_catches_a_read_the_memo_cannot_see(monkeypatch):
    """A step that reads another task through a stored reference (not through ``world.tasks``) breaks
    the rule the memo relies on; verify mode must catch the wrong answer this produces."""
    run, _ = _start("truncate-vs-dio", "new", 2, False, None, None, (), [])
    w = run.world
    stray = w.tasks[0]  # the completion task, referenced outside the World's lists
    spec, real = w.design.table["eio.aio"]

    def aio_peeking(world, t):
        t.ret = len(stray.pc)  # hidden read: where the completion task is decides this task's state
        return real(world, t)

    monkeypatch.setitem(w.design.table, "eio.aio", (spec, aio_peeking))
    g = Graph(w, keep_edges=False, verify=True)
    with pytest.raises(AssertionError, match="memo mismatch"):
        g.search(stop_on_violation=False, stop_on_deadlock=False)


def test_tracked_list_logs_every_way_of_reading():
    log = []
    xs = _Tracked(["a", "b", "c"], 10, log)
    assert xs[1] == "b" and log == [11]
    assert xs[-1] == "c" and log == [11, 12]
    log.clear()
    assert list(xs) == ["a", "b", "c"] and log == [10, 11, 12]
    log.clear()
    assert xs[0:2] == ["a", "b"] and log == [10, 11, 12]
    log.clear()
    assert "c" in xs and log == [10, 11, 12]
    log.clear()
    assert xs.index("b") == 1 and sorted(set(log)) == [10, 11, 12]
    log.clear()
    assert list(reversed(xs)) == ["c", "b", "a"] and log == [12, 11, 10]
    log.clear()
    # iteration logs as far as the code goes: all()/any() that stop early read only what they saw
    assert not all(x == "a" for x in xs) and log == [10, 11]
    log.clear()
    assert any(x == "c" for x in reversed(xs)) and log == [12]


def test_the_world_is_left_in_the_start_state():
    """The memos restore components lazily; after a search the World holds the start state again,
    not a mix of the states the memos ran code on."""
    run, _ = _start("fsync-vs-worker", "new", 2, False, None, None, (), [])
    start = run.world.snapshot()
    g = Graph(run.world, keep_edges=False)
    g.search()
    assert g.states > 1000 and g.memo.misses > 100
    assert run.world.snapshot() == start == g.codec.decode(g.keys[0])


