"""Tarjan's SCCs (explore/fair.py) against a brute-force answer on small random graphs."""

import random

import pytest

from ext4io_teach.explore.fair import sccs


def _reach(n, edges, s):
    seen = {s}
    todo = [s]
    while todo:
        v = todo.pop()
        for u in (edges[v] if v < len(edges) else ()):
            if u not in seen:
                seen.add(u)
                todo.append(u)
    return seen


def _brute(n, edges):
    """The SCC of each state as a frozenset (mutual reachability), and the SCCs a run can stay in."""
    reach = [_reach(n, edges, s) for s in range(n)]
    comp = [frozenset(u for u in reach[s] if s in reach[u]) for s in range(n)]
    loops = {c for c in comp if len(c) > 1 or any(s in (edges[s] if s < len(edges) else ()) for s in c)}
    return comp, loops


@pytest.mark.parametrize("seed", range(40))
def test_sccs_match_mutual_reachability(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 14)
    expanded = rng.randint(0, n)  # states past this one have no edges (never expanded)
    edges = [tuple(rng.randrange(n) for _ in range(rng.randint(0, 3))) for _ in range(expanded)]
    comp, loops = sccs(n, edges)
    want_comp, want_loops = _brute(n, edges)
    for s in range(n):
        for u in range(n):
            assert (comp[s] == comp[u]) == (u in want_comp[s]), (s, u, edges)
    got_loops = {frozenset(members) for _, members in loops}
    assert got_loops == want_loops
    for number, members in loops:
        assert members == sorted(members)
        assert all(comp[s] == number for s in members)


def test_a_self_loop_is_a_loop_and_a_lone_state_is_not():
    comp, loops = sccs(3, [(1,), (1, 2)])
    assert [m for _, m in loops] == [[1]]
    assert len(set(comp)) == 3
