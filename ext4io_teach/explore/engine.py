"""Breadth-first search over the model's states, with a compact state encoding.

The World is a handful of model objects (the io_ends, the inode, the workqueue, the tasks), each with
``snapshot()``/``restore()``. The engine numbers every distinct component snapshot it meets (a small
intern table) and keys a state by the tuple of its component numbers: hashing and storing a state
then costs a few machine words instead of a nested tuple, and going back to a state restores only the
components whose number differs from the state the World is in now (a step changes one or two of
them). ``decode(key)`` gives back the exact ``World.snapshot()`` of the state.

A step here is exactly ``sched.Run.step`` without the trace: the design's step, then the ``state``
invariants, then the ``final`` ones when every task has finished. Tests replay every counterexample
through ``sched.Run`` to keep the two in agreement.
"""

from __future__ import annotations

import time

from .. import invariants
from ..errors import InvariantViolation


class Codec:
    """Component-interning state codec for one World."""

    def __init__(self, world):
        self.world = world
        self.objs = [*world.ios, world.inode, world.wq, *world.tasks]
        self._snap = [o.snapshot for o in self.objs]
        self._restore = [o.restore for o in self.objs]
        self.ids: dict = {}
        self.comps: list = []
        self.cur: tuple | None = None  # the key of the state the World is in, None if unknown

    def _intern(self, c) -> int:
        i = self.ids.get(c)
        if i is None:
            i = self.ids[c] = len(self.comps)
            self.comps.append(c)
        return i

    def encode(self) -> tuple:
        ids = self.ids
        snaps = [f() for f in self._snap]
        try:
            key = tuple([ids[c] for c in snaps])
        except KeyError:
            key = tuple([self._intern(c) for c in snaps])
        self.cur = key
        return key

    def restore(self, key: tuple) -> None:
        cur = self.cur
        comps = self.comps
        if cur is None:
            for f, i in zip(self._restore, key):
                f(comps[i])
        elif cur is not key:
            for f, i, j in zip(self._restore, key, cur):
                if i != j:
                    f(comps[i])
        self.cur = key

    def decode(self, key: tuple) -> tuple:
        """The ``World.snapshot()`` of the state ``key`` (restores it)."""
        self.restore(key)
        return self.world.snapshot()


def do_step(world, tid: int) -> None:
    """One scheduler step of task ``tid`` (the core of ``sched.Run.step``); raises InvariantViolation."""
    t = world.tasks[tid]
    world.touched = None
    world.design.do_step(world, t)
    invariants.check_state(world, world.touched)
    if world.all_finished():
        invariants.check_final(world)


class Stop(Exception):
    """Raised inside the search when a bound is hit (``reason`` says which)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Graph:
    """The explored part of the state graph. State ids are BFS order, so ``depth`` never decreases.

    * ``keys[s]``, ``parent[s]``, ``ptask[s]`` (the task whose step led here), ``depth[s]``;
    * ``enabled[s]``: bit mask of runnable tasks; ``goals[s]``: bit mask of liveness goals reached;
    * ``edges[s]``: ``(task, target, task, target, ...)`` when ``keep_edges`` (liveness needs them).
    """

    def __init__(self, world, *, keep_edges: bool, goal_fns=(), max_states: int | None = None,
                 max_seconds: float | None = None, progress=None):
        self.world = world
        self.codec = Codec(world)
        self.keep_edges = keep_edges
        self.goal_fns = list(goal_fns)
        self.max_states = max_states
        self.max_seconds = max_seconds
        self.progress = progress
        self.index: dict = {}
        self.keys: list = []
        self.parent: list = []
        self.ptask: list = []
        self.depth: list = []
        self.enabled: list = []
        self.goals: list = []
        self.edges: list = []
        self.transitions = 0
        self.expanded = 0
        self.stopped: str | None = None  # "max_states", "max_seconds", "interrupted"
        self.violation: tuple | None = None  # (state id, task, InvariantViolation)
        self.deadlock: int | None = None  # state id
        self.found_goal: int | None = None  # for search(until_goal=...)
        self.t0 = time.perf_counter()

    def _add(self, key, parent: int, task: int, depth: int) -> int:
        sid = len(self.keys)
        self.index[key] = sid
        self.keys.append(key)
        self.parent.append(parent)
        self.ptask.append(task)
        self.depth.append(depth)
        return sid

    def search(self, *, stop_on_violation: bool = True, stop_on_deadlock: bool = True,
               until_goal: int | None = None) -> None:
        """Expand states breadth-first until done, a bound, a violation/deadlock (if asked) or, with
        ``until_goal`` (a goal bit), the first state that reached that goal."""
        w = self.world
        codec = self.codec
        tasks = w.tasks
        can_run = w.can_run
        all_finished = w.all_finished
        goal_fns = self.goal_fns
        keep_edges = self.keep_edges
        index = self.index
        keys, depth = self.keys, self.depth
        enabled_l, goals_l, edges_l = self.enabled, self.goals, self.edges
        max_states = self.max_states
        max_seconds = self.max_seconds
        progress = self.progress
        restore, encode = codec.restore, codec.encode
        design_step = w.design.do_step
        check_state, check_final = invariants.check_state, invariants.check_final
        if not keys:
            self._add(codec.encode(), -1, -1, 0)
        sid = self.expanded
        try:
            while sid < len(keys):
                if sid & 1023 == 0:
                    if max_seconds is not None and time.perf_counter() - self.t0 > max_seconds:
                        raise Stop("max_seconds")
                    if progress is not None:
                        progress(len(keys), sid)
                key = keys[sid]
                restore(key)
                runnable = [t.tid for t in tasks if can_run(t)]
                mask = 0
                for tid in runnable:
                    mask |= 1 << tid
                enabled_l.append(mask)
                g = 0
                for bit, fn in enumerate(goal_fns):
                    if fn(w):
                        g |= 1 << bit
                goals_l.append(g)
                if until_goal is not None and g & until_goal:
                    self.found_goal = sid
                    if keep_edges:
                        edges_l.append(())
                    self.expanded = sid + 1
                    return
                if not runnable and not all_finished():
                    if self.deadlock is None:
                        self.deadlock = sid
                    if stop_on_deadlock:
                        if keep_edges:
                            edges_l.append(())
                        self.expanded = sid + 1
                        return
                out = []
                d1 = depth[sid] + 1
                for tid in runnable:
                    restore(key)
                    try:
                        t = tasks[tid]  # inlined do_step(): this loop is the explorer's hot path
                        w.touched = None
                        design_step(w, t)
                        check_state(w, w.touched)
                        if all_finished():
                            check_final(w)
                    except InvariantViolation as v:
                        codec.cur = None  # the World is half-way through a step: restore it in full
                        if self.violation is None:
                            self.violation = (sid, tid, v)
                        if stop_on_violation:
                            if keep_edges:
                                edges_l.append(tuple(out))
                            self.expanded = sid + 1
                            return
                        continue
                    nkey = encode()
                    self.transitions += 1
                    nid = index.get(nkey)
                    if nid is None:
                        if max_states is not None and len(keys) >= max_states:
                            raise Stop("max_states")
                        nid = self._add(nkey, sid, tid, d1)
                    if keep_edges:
                        out.append(tid)
                        out.append(nid)
                if keep_edges:
                    edges_l.append(tuple(out))
                sid += 1
                self.expanded = sid
        except Stop as s:
            self._trim(sid)
            self.stopped = s.reason
        except KeyboardInterrupt:
            self._trim(sid)
            self.stopped = "interrupted"

    def _trim(self, sid: int) -> None:
        """Forget the half-expanded state ``sid`` (its lists may be one entry ahead)."""
        self.expanded = sid
        for lst in (self.enabled, self.goals, self.edges):
            del lst[sid:]
        self.codec.cur = None

    # -------------------------------------------------------------- paths
    def path_to(self, sid: int) -> list[int]:
        """The task ids of the BFS path from the start to ``sid`` (a shortest one)."""
        out = []
        while self.parent[sid] >= 0:
            out.append(self.ptask[sid])
            sid = self.parent[sid]
        out.reverse()
        return out

    @property
    def states(self) -> int:
        return len(self.keys)

    @property
    def max_depth(self) -> int:
        return self.depth[-1] if self.depth else 0
