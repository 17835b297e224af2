"""Liveness under weak fairness: fair cycles that avoid the awaited progress.

An infinite run that never reaches a goal (truncate returns, every io_end is freed, ...) ends up
looping inside one strongly connected component (SCC) of the state graph. Goals here are monotone (a
finished task stays finished, a freed io_end stays freed), so an SCC either has reached a goal in all
its states or in none of them.

Weak fairness: a task that stays runnable must eventually run. A run can stay forever inside an SCC
``C`` under weak fairness if and only if every task that is runnable in *every* state of ``C`` has a
step that stays inside ``C``. (If so, the run that keeps walking every edge of ``C`` is fair; if a
task ``t`` is runnable everywhere in ``C`` but each of its steps leaves ``C``, any run that stays in
``C`` eventually keeps ``t`` runnable without ever running it, and the same holds in every part of
``C``, so no refinement is needed, unlike strong fairness.)

Lock waiters are not runnable in the model. The FIFO ticket spinlock is handed over on release, so a
loop cannot starve a spinner. ``i_mutex`` is not handed over (3.x ``mutex_unlock`` frees it and wakes
the first waiter): the woken waiter is runnable and so retries under weak fairness, but a cycle in
which it is woken and beaten again and again is fair (its failed retries are steps inside the cycle)
and is reported as a livelock of its goal, as it should be for a mutex without hand-off.

SIMPLIFICATION: weak fairness per task stands for the kernel scheduler giving every runnable context
(the kworker, the truncating task, the completion path) CPU time sooner or later; the kernel promises
no such thing formally, but the hang of the old design needs no unfairness at all, which is the point.
"""

from __future__ import annotations

from collections import deque


def sccs(n: int, edges: list) -> tuple[list[int], list[tuple[int, list[int]]]]:
    """Iterative Tarjan: the SCC number of each of the ``n`` states (``edges[s]`` is the tuple of
    the targets of ``s``; states that were never expanded have none), and ``(number,
    members)`` of each SCC a run can stay in: more than one state, or one state with a self-loop.

    A state is on Tarjan's stack exactly when it has been visited and has no SCC number yet, so no
    separate on-stack flag is kept. Each frame of the explicit call stack holds an iterator over the
    state's targets; ``for ... else`` resumes it where the last descent left off."""
    index = [0] * n  # 0: not visited yet; visit numbers start at 1
    low = [0] * n
    comp = [-1] * n
    loops: list[tuple[int, list[int]]] = []
    stack: list[int] = []
    counter = 0
    ncomp = 0
    nedges = len(edges)
    none = ()
    for root in range(n):
        if index[root]:
            continue
        counter += 1
        index[root] = low[root] = counter
        stack.append(root)
        work = [(root, iter(edges[root] if root < nedges else none))]
        while work:
            v, targets = work[-1]
            for u in targets:
                if not index[u]:  # a tree edge: descend into u
                    counter += 1
                    index[u] = low[u] = counter
                    stack.append(u)
                    work.append((u, iter(edges[u] if u < nedges else none)))
                    break
                if comp[u] < 0 and index[u] < low[v]:  # u is on the stack
                    low[v] = index[u]
            else:  # every target of v is done
                work.pop()
                lv = low[v]
                if work:
                    p = work[-1][0]
                    if lv < low[p]:
                        low[p] = lv
                if lv == index[v]:  # v is the root of an SCC: pop it
                    u = stack.pop()
                    comp[u] = ncomp
                    if u != v:
                        members = [u]
                        while u != v:
                            u = stack.pop()
                            comp[u] = ncomp
                            members.append(u)
                        members.sort()
                        loops.append((ncomp, members))
                    elif v < nedges and v in edges[v]:  # a self-loop
                        loops.append((ncomp, [v]))
                    ncomp += 1
    return comp, loops


class Component:
    """One SCC that has at least one step inside it (so a run can stay in it forever)."""

    def __init__(self, cid: int, members: list[int]):
        self.cid = cid
        self.members = members
        self.always = -1  # tasks runnable in every state
        self.stepped = 0  # tasks with a step inside
        self.goals = 0  # goals reached (uniform over the SCC)
        self.entry = min(members)  # BFS order: the member closest to the start

    @property
    def fair(self) -> bool:
        return not (self.always & ~self.stepped)

    def starved(self) -> int:
        """Tasks runnable throughout but never stepped inside (the reason it is not fair)."""
        return self.always & ~self.stepped


def components(graph) -> tuple[list[Component], list[int]]:
    """Every SCC with an internal step, and the SCC number of each state."""
    comp, loops = sccs(len(graph.keys), graph.edges)
    loops.sort(key=lambda loop: loop[1][0])  # in BFS order of their first state
    out = []
    for cid, ms in loops:
        c = Component(cid, ms)
        internal = False
        for s in ms:
            c.always &= graph.enabled[s]
            c.goals |= graph.goals[s]
            for t, u in graph.out_edges(s):
                if comp[u] == cid:
                    internal = True
                    c.stepped |= 1 << t
        if internal:
            out.append(c)
    return out, comp


def _bfs_inside(graph, comp: list[int], cid: int, start: int, target) -> list[tuple[int, int]]:
    """Shortest path of ``(task, state)`` steps inside SCC ``cid`` from ``start`` (at least one step)
    whose last step ``(task, state)`` satisfies ``target(state, task)``."""
    prev: dict[int, tuple[int, int] | None] = {start: None}
    q = deque([start])
    while q:
        v = q.popleft()
        for t, u in graph.out_edges(v):
            if comp[u] != cid:
                continue
            if target(u, t):
                return _unwind(prev, v) + [(t, u)]
            if u not in prev:
                prev[u] = (v, t)
                q.append(u)
    raise AssertionError("no path inside the SCC")  # pragma: no cover - an SCC is strongly connected


def _unwind(prev, end: int) -> list[tuple[int, int]]:
    out = []
    v = end
    while prev[v] is not None:
        p, t = prev[v]
        out.append((t, v))
        v = p
    out.reverse()
    return out


def fair_cycle(graph, comp: list[int], c: Component, start: int) -> list[tuple[int, int]]:
    """A cycle ``[(task, state), ...]`` from ``start`` back to ``start`` inside ``c`` in which every task
    that is runnable in all of the cycle's states takes at least one step (a weakly fair loop)."""
    cid = c.cid
    cycle = _bfs_inside(graph, comp, cid, start, lambda s, t: s == start)
    while True:
        states = [start] + [s for _, s in cycle]
        always = -1
        for s in states:
            always &= graph.enabled[s]
        stepped = 0
        for t, _ in cycle:
            stepped |= 1 << t
        missing = always & ~stepped
        if not missing:
            return cycle
        t_need = (missing & -missing).bit_length() - 1
        bit = 1 << t_need
        # a state of the SCC where the task cannot run, or a step of the task that stays inside
        if any(not graph.enabled[s] & bit for s in c.members):
            detour = _bfs_inside(graph, comp, cid, start, lambda s, t, bit=bit: not graph.enabled[s] & bit)
        else:
            detour = _bfs_inside(graph, comp, cid, start, lambda s, t, t_need=t_need: t == t_need)
        end = detour[-1][1]
        back = [] if end == start else _bfs_inside(graph, comp, cid, end, lambda s, t: s == start)
        cycle = cycle + detour + back
