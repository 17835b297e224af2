"""Breadth-first search over the model's states, keyed by the state codec (``explore.codec``), with
memoized steps (``explore.memo``).

A step here is exactly ``sched.Run.step`` without the trace: the one step routine (``step.step``), then
the ``state`` invariants, then the ``final`` ones when every task has finished. Each of these goes through a memo
(``explore.memo``) that runs the code only the first time the components it reads take those values.
Tests replay every counterexample through ``sched.Run`` and check every memo answer against running
the code (``verify``) to keep the two in agreement.
"""

from __future__ import annotations

import time

from .. import invariants
from ..errors import InvariantViolation
from ..gcpause import collector_paused
from ..step import step
from .codec import Codec
from .memo import BLOCKED, Memo


class Stop(Exception):
    """Raised inside the search when a bound is hit (``reason`` says which)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _nothing(head) -> None:  # a memo's first level with ``verify``: nothing is found, the code runs
    return None


class Graph:
    """The explored part of the state graph. State ids are BFS order, so the last state is one of the
    deepest (``max_depth`` walks its parents).

    * ``keys[s]``, ``parent[s]``, ``ptask[s]`` (the task whose step led here);
    * ``enabled[s]``: bit mask of runnable tasks; ``goals[s]``: bit mask of liveness goals reached (only
      with ``goal_fns``: a search without goals leaves ``goals`` empty);
    * with ``keep_edges`` (liveness needs them): ``edges[s]``, the targets of the steps out of ``s``, one
      per task that has one, in task order, and ``edge_tasks[s]``, the bit mask of those tasks (the
      runnable ones, less any whose step violates an invariant); ``out_edges(s)`` pairs them up.
    """

    # slots, not an instance dict: CPython 3.11 keeps a fast shared-key dict for at most 30 attributes
    __slots__ = ("world", "codec", "_tasks", "memo", "goal_memo", "check_memo", "done_memo",
                 "keep_edges", "goal_fns", "m", "rows", "max_states", "max_seconds", "progress", "index", "keys",
                 "parent", "ptask", "limit", "enabled", "goals", "edges", "edge_tasks", "_tasks_of", "transitions",
                 "expanded", "stopped", "violation", "deadlock", "found_goal", "t0")

    def __init__(self, world, *, keep_edges: bool, goal_fns=(), max_states: int | None = None,
                 max_seconds: float | None = None, progress=None, verify: bool = False):
        self.world = world
        self.codec = Codec(world)
        self._tasks = list(world.tasks)  # the real Task objects (the memos swap world.tasks while tracing)
        self.memo = Memo(world, self.codec, verify=verify)  # steps (or BLOCKED), by (task, its component)
        self.goal_memo = Memo(world, self.codec, verify=verify)  # the liveness goal bits
        self.check_memo = Memo(world, self.codec, verify=verify)  # the state invariants, by the io_end touched
        self.done_memo = Memo(world, self.codec, verify=verify)  # has every task finished? (head 0)
        self.keep_edges = keep_edges
        self.goal_fns = list(goal_fns)
        self.m = len(world.tasks)
        self.rows = [(tid, self.memo.task_base + tid, 1 << tid) for tid in range(self.m)]  # task, component, bit
        self.max_states = max_states
        self.limit = float("inf") if max_states is None else max_states  # _add stops there
        self.max_seconds = max_seconds
        self.progress = progress
        self.index: dict = {}
        self.keys: list = []
        self.parent: list = []
        self.ptask: list = []
        self.enabled: list = []
        self.goals: list = []
        self.edges: list = []
        self.edge_tasks: list = []
        self._tasks_of: dict = {}  # bit mask -> the task ids in it
        self.transitions = 0
        self.expanded = 0
        self.stopped: str | None = None  # "max_states", "max_seconds", "interrupted", "memory"
        self.violation: tuple | None = None  # (state id, task, InvariantViolation)
        self.deadlock: int | None = None  # state id
        self.found_goal: int | None = None  # for search(until_goal=...)
        self.t0 = time.perf_counter()

    def _add(self, key, parent: int, task: int) -> int:
        """A new state: its id (BFS order). Stop("max_states") when the bound is reached."""
        sid = len(self.keys)
        if sid >= self.limit:
            raise Stop("max_states")
        self.index[key] = sid
        self.keys.append(key)
        self.parent.append(parent)
        self.ptask.append(task)
        return sid

    def search(self, *, stop_on_violation: bool = True, stop_on_deadlock: bool = True,
               until_goal: int | None = None) -> None:
        """See ``_search``. Python's cyclic garbage collector is paused meanwhile
        (``gcpause.collector_paused``): the search makes millions of small tuples that are never part
        of a cycle, which the collector would scan again and again.

        Afterwards the World is in the start state: the memos restore components lazily, so in
        between it holds a mix of the states they ran code on."""
        with collector_paused():
            try:
                self._search(stop_on_violation=stop_on_violation, stop_on_deadlock=stop_on_deadlock,
                             until_goal=until_goal)
            finally:
                if self.keys:
                    self.codec.restore(self.keys[0])

    def _search(self, *, stop_on_violation: bool, stop_on_deadlock: bool, until_goal: int | None) -> None:
        """Expand states breadth-first until done, a bound, a violation/deadlock (if asked) or, with
        ``until_goal`` (a goal bit), the first state that reached that goal; a bound, Ctrl-C or running
        out of memory leaves what was explored, with ``stopped`` saying why."""
        if not self.keys:  # the start state
            self._add(self.codec.encode(), -1, -1)
        try:
            self._loop(stop_on_violation, stop_on_deadlock, until_goal)
        except Stop as s:
            self._trim(self.expanded)
            self.stopped = s.reason
        except KeyboardInterrupt:
            self._trim(self.expanded)
            self.stopped = "interrupted"
        except MemoryError:  # like Ctrl-C: what was explored stands, the verdict is bounded
            self._trim(self.expanded)
            self.stopped = "memory"

    def _loop(self, stop_on_violation: bool, stop_on_deadlock: bool, until_goal: int | None) -> None:
        """The search proper: for each state in turn, each task's step out of it. A step goes through the
        step memo (``explore.memo``): found there, it costs a walk down the memo's tree and a dictionary
        look-up, which this hot loop does itself (``Memo.find``'s walk); only the first step with those
        values runs the code. A new state's invariants are asked once (the check memo, then
        ``_final_violation``)."""
        keys, index, enabled, edges, edge_tasks = self.keys, self.index, self.enabled, self.edges, self.edge_tasks
        steps, checks, keep_edges, run_step = self.memo, self.check_memo, self.keep_edges, self._run_step
        verify, state_violation, has_goals, add = steps.verify, self._state_violation, bool(self.goal_fns), self._add
        stored, checked = (_nothing, _nothing) if verify else (steps.table.get, checks.table.get)  # first levels
        m, sid, transitions, rows = self.m, self.expanded, self.transitions, self.rows
        try:
            while sid < len(keys):
                if sid & 1023 == 0:
                    self._tick(sid)
                key = keys[sid]
                if has_goals and self._goal_reached(sid, key, until_goal):
                    return
                out, mask, emask = [], 0, 0  # out, emask with keep_edges: the targets, their tasks' bits
                for tid, pos, bit in rows:
                    head = key[pos] * m + tid  # the task and its component
                    node = stored(head)
                    while type(node) is list:
                        node = node[1].get(key[node[0]])
                    if node is None:
                        node = steps.step(head, key, tid, run_step)
                    if node is BLOCKED:
                        continue
                    mask |= bit
                    changed, v, fin, touched = node
                    if v is None:
                        nkey = key
                        if changed:  # the successor: the components the step changed
                            nkey = [*key]
                            for p, c in changed:
                                nkey[p] = c
                            nkey = tuple(nkey)
                        nid = index.get(nkey)
                        if nid is None or verify:  # a new state: its invariants (a known one passed them)
                            node = checked(touched)
                            while type(node) is list:
                                node = node[1].get(nkey[node[0]])
                            v = node[0] if node is not None else checks.value(touched, nkey, state_violation, touched)
                            if v is None and fin:
                                v = self._final_violation(nkey)
                    if v is not None:
                        if self._violation(sid, tid, v, key, out, emask, stop_on_violation):
                            return
                        continue
                    transitions += 1
                    if nid is None:
                        nid = add(nkey, sid, tid)
                    if keep_edges:
                        out.append(nid)
                        emask |= bit
                enabled.append(mask)
                if keep_edges:
                    edges.append(tuple(out))
                    edge_tasks.append(emask)
                self.expanded = sid = sid + 1
                if not mask and not self._all_finished(key) and self._deadlock(sid - 1, stop_on_deadlock):
                    return
        finally:
            self.transitions = transitions

    def _tick(self, sid: int) -> None:
        """Every 1024 states: the time bound and the progress callback."""
        if self.max_seconds is not None and time.perf_counter() - self.t0 > self.max_seconds:
            raise Stop("max_seconds")
        if self.progress is not None:
            self.progress(len(self.keys), sid)

    def _goal_reached(self, sid: int, key: tuple, until_goal: int | None) -> bool:
        """Note the liveness goals state ``sid`` reaches; True if it is the one the search looks for."""
        g = 0
        goals = self.goal_memo
        for bit, fn in enumerate(self.goal_fns):
            if goals.answer(bit, key, fn, self.world):
                g |= 1 << bit
        self.goals.append(g)
        if until_goal is None or not g & until_goal:
            return False
        self.found_goal = sid
        self._close(key, (), 0)
        self.expanded = sid + 1
        return True

    def _violation(self, sid: int, tid: int, v, key: tuple, out, emask: int, stop: bool) -> bool:
        """Task ``tid``'s step out of state ``sid`` breaks an invariant: note the first; True to stop."""
        if self.violation is None:
            self.violation = (sid, tid, v)
        if stop:
            self._close(key, out, emask)
            self.expanded = sid + 1
        return stop

    def _deadlock(self, sid: int, stop: bool) -> bool:
        """No task can run in state ``sid`` and not all have finished: note the first; True to stop."""
        if self.deadlock is None:
            self.deadlock = sid
        return stop

    def _close(self, key: tuple, out, emask: int) -> None:
        """The search stops while expanding ``key``: which tasks can run there, and the steps out of it
        found so far."""
        self.enabled.append(self._enabled(key))
        if self.keep_edges:
            self.edges.append(tuple(out))
            self.edge_tasks.append(emask)

    def _final_violation(self, nkey: tuple):
        """A new state the stepping task finished in: if every task has finished, the ``final`` checks.
        (A state already in the index passed the invariants when it was first reached, and passes them
        again whatever step leads to it: the ``final`` checks and the list check read the state alone,
        and a per-io check on the io_end a step touched holds for every io_end of every known state,
        because the start state has no violation and each step changes the per-io fields of the io_end
        it touches only; ``verify`` runs the checks on every transition.)"""
        if not self.done_memo.answer(0, nkey, self.world.all_finished):
            return None
        self.codec.restore(nkey)
        try:
            invariants.check_final(self.world)
        except InvariantViolation as e:
            return e
        return None

    def _enabled(self, key: tuple) -> int:
        """Bit mask of the tasks that can run in state ``key`` (where the search stops early): those
        whose memoized step is not ``BLOCKED``."""
        steps = self.memo
        tb = steps.task_base
        m = len(self.world.tasks)
        mask = 0
        for tid in range(m):
            if steps.step(key[tb + tid] * m + tid, key, tid, self._run_step) is not BLOCKED:
                mask |= 1 << tid
        return mask

    def _all_finished(self, key: tuple) -> bool:
        """Has every task finished in state ``key``?"""
        return self.done_memo.answer(0, key, self.world.all_finished)

    # What the memos run for real (on the World restored to the state in question): ``step`` (without its
    # state checks), ``_state_violation`` and ``check_final`` are ``sched.Run.step`` without the trace.
    def _run_step(self, tid: int):
        """Task ``tid``'s step (``step.step``) if it can run: whether it has finished and the io_end the
        step touched (what the ``state`` invariants look at next), or ``BLOCKED``. Asking "can it run"
        inside the step lets one memo walk answer both questions for a state."""
        w = self.world
        if not w.can_run(self._tasks[tid]):
            return BLOCKED
        out = step(w, tid, checks=False)
        if out.violation is not None:
            raise out.violation
        return w.finished(self._tasks[tid]), out.touched

    def _state_violation(self, touched: int | None) -> InvariantViolation | None:
        """The ``state`` invariants (``invariants.check_state``) after a step that touched io_end
        ``touched``: the violation, or None."""
        try:
            invariants.check_state(self.world, touched)
        except InvariantViolation as v:
            return v
        return None

    def _trim(self, sid: int) -> None:
        """Forget the half-expanded state ``sid`` (its lists may be one entry ahead)."""
        self.expanded = sid
        for lst in (self.enabled, self.goals, self.edges, self.edge_tasks):
            del lst[sid:]
        self.codec.forget()

    def release(self) -> None:
        """Drop the index and the memos (after a MemoryError: the counts stay, paths can no longer be
        asked for)."""
        self.index = {}
        self.memo = self.goal_memo = self.check_memo = self.done_memo = None
        self.edges, self.edge_tasks = [], []

    def out_edges(self, s: int):
        """The steps out of state ``s`` as ``(task, target)`` pairs, in task order (``keep_edges``)."""
        mask = self.edge_tasks[s]
        tasks = self._tasks_of.get(mask)
        if tasks is None:
            tasks = self._tasks_of[mask] = tuple(t for t in range(mask.bit_length()) if mask >> t & 1)
        return zip(tasks, self.edges[s])

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
        depth, s = 0, len(self.parent) - 1  # (a MemoryError in _add may leave keys one entry ahead)
        while s > 0:
            s = self.parent[s]
            depth += 1
        return depth
