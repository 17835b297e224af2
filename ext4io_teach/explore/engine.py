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


class Graph:
    """The explored part of the state graph. State ids are BFS order, so ``depth`` never decreases.

    * ``keys[s]``, ``parent[s]``, ``ptask[s]`` (the task whose step led here), ``depth[s]``;
    * ``enabled[s]``: bit mask of runnable tasks; ``goals[s]``: bit mask of liveness goals reached;
    * with ``keep_edges`` (liveness needs them): ``edges[s]``, the targets of the steps out of ``s``, one
      per task that has one, in task order, and ``edge_tasks[s]``, the bit mask of those tasks (the
      runnable ones, less any whose step violates an invariant); ``out_edges(s)`` pairs them up.
    """

    def __init__(self, world, *, keep_edges: bool, goal_fns=(), max_states: int | None = None,
                 max_seconds: float | None = None, progress=None, verify: bool = False):
        self.world = world
        self.codec = Codec(world)
        self._tasks = list(world.tasks)  # the real Task objects (the memos swap world.tasks while tracing)
        self.memo = Memo(world, self.codec, verify=verify)  # steps (or BLOCKED), by (task, its component)
        self.goal_memo = Memo(world, self.codec, verify=verify)  # the liveness goal bits
        self.check_memo = Memo(world, self.codec, verify=verify)  # the per-io state invariants, by the io_end touched
        self.list_memo = Memo(world, self.codec, verify=verify)  # the list state invariant (head 0)
        self.done_memo = Memo(world, self.codec, verify=verify)  # has every task finished? (head 0)
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
        self.edge_tasks: list = []
        self._tasks_of: dict = {}  # bit mask -> the task ids in it
        self.transitions = 0
        self.expanded = 0
        self.stopped: str | None = None  # "max_states", "max_seconds", "interrupted", "memory"
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
        ``until_goal`` (a goal bit), the first state that reached that goal.

        Steps and the per-state questions (can a task run, have all finished, which goals hold) go
        through memos (``explore.memo``): each runs for real only the first time the components it
        reads take those values, so most transitions cost a few dictionary look-ups. The look-ups
        are written out inline below (``Memo.find`` is the same walk): this loop is the hot path.

        The invariants are checked on each *new* state only. A state already in the index passed them
        when it was first reached, and passes them again whatever step leads to it: the ``final``
        checks and the list check read the state alone, and a per-io check on the io_end a step
        touched holds for every io_end of every known state, because the start state has no
        violation and each step changes the per-io fields of the io_end it touches only (the rule
        ``check_state`` relies on in every run; ``verify`` runs the checks on every transition)."""
        w = self.world
        codec = self.codec
        keep_edges = self.keep_edges
        index = self.index
        keys, depth = self.keys, self.depth
        enabled_l, goals_l, edges_l, etasks_l = self.enabled, self.goals, self.edges, self.edge_tasks
        max_states = self.max_states
        max_seconds = self.max_seconds
        progress = self.progress
        restore = codec.restore
        steps, goal_memo, checks = self.memo, self.goal_memo, self.check_memo
        verify = steps.verify
        nothing = {}.get  # with ``verify`` every walk finds nothing: each question runs for real
        step_get = nothing if verify else steps.table.get
        check_get = nothing if verify else checks.table.get
        goal_get = nothing if verify else goal_memo.table.get
        lists = self.list_memo
        list_get = nothing if verify else lists.table.get
        list_on = invariants.state_checker(w).list_check  # does the design check the inode list at all
        done = self.done_memo
        done_get, all_finished = nothing if verify else done.table.get, w.all_finished
        state_violation = self._state_violation
        run_step = self._run_step
        parent_l, ptask_l = self.parent, self.ptask
        goal_bits = [(bit, 1 << bit, fn) for bit, fn in enumerate(self.goal_fns)]
        check_final = invariants.check_final
        tb = steps.task_base
        m = len(w.tasks)
        task_rows = [(tid, tb + tid, 1 << tid) for tid in range(m)]  # a task, its position, its bit
        transitions = self.transitions
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
                g = 0
                for bit, b, fn in goal_bits:
                    node = goal_get(bit)
                    while type(node) is list:
                        node = node[1].get(key[node[0]])
                    if (node[0] if node is not None else goal_memo.value(bit, key, fn, w)):
                        g |= b
                goals_l.append(g)
                if until_goal is not None and g & until_goal:
                    self.found_goal = sid
                    enabled_l.append(self._enabled(key))
                    if keep_edges:
                        edges_l.append(())
                        etasks_l.append(0)
                    self.expanded = sid + 1
                    return
                out = []
                mask = emask = 0
                d1 = depth[sid] + 1
                for tid, pos, b in task_rows:
                    head = key[pos] * m + tid
                    node = step_get(head)
                    while type(node) is list:
                        node = node[1].get(key[node[0]])
                    if node is None:
                        node = steps.step(head, key, tid, run_step)
                    if node is BLOCKED:
                        continue
                    mask |= b
                    changed, v, fin, touched = node
                    nid = None
                    if v is None:
                        if changed:
                            nk = [*key]
                            for p, c in changed:
                                nk[p] = c
                            nkey = tuple(nk)
                        else:
                            nkey = key
                        nid = index.get(nkey)
                        if nid is None or verify:  # a new state: the invariants (a known one passed them)
                            node = check_get(touched)
                            while type(node) is list:
                                node = node[1].get(nkey[node[0]])
                            v = (node[0] if node is not None
                                 else checks.value(touched, nkey, state_violation, touched, True, False))
                            if v is None and list_on:
                                node = list_get(0)
                                while type(node) is list:
                                    node = node[1].get(nkey[node[0]])
                                v = (node[0] if node is not None
                                     else lists.value(0, nkey, state_violation, None, False, True))
                            if v is None and fin:  # the stepper has finished: have all? (_all_finished)
                                node = done_get(0)
                                while type(node) is list:
                                    node = node[1].get(nkey[node[0]])
                                if node[0] if node is not None else done.value(0, nkey, all_finished):
                                    restore(nkey)
                                    try:
                                        check_final(w)
                                    except InvariantViolation as e:
                                        v = e
                    if v is not None:
                        if self.violation is None:
                            self.violation = (sid, tid, v)
                        if stop_on_violation:
                            enabled_l.append(self._enabled(key))
                            if keep_edges:
                                edges_l.append(tuple(out))
                                etasks_l.append(emask)
                            self.expanded = sid + 1
                            return
                        continue
                    transitions += 1
                    if nid is None:  # self._add(), written out
                        nid = len(keys)
                        if max_states is not None and nid >= max_states:
                            raise Stop("max_states")
                        index[nkey] = nid
                        keys.append(nkey)
                        parent_l.append(sid)
                        ptask_l.append(tid)
                        depth.append(d1)
                    if keep_edges:
                        out.append(nid)
                        emask |= b
                enabled_l.append(mask)
                if keep_edges:
                    edges_l.append(tuple(out))
                    etasks_l.append(emask)
                if not mask and not self._all_finished(key):
                    if self.deadlock is None:
                        self.deadlock = sid
                    if stop_on_deadlock:
                        self.expanded = sid + 1
                        return
                sid += 1
                self.expanded = sid
        except Stop as s:
            self._trim(sid)
            self.stopped = s.reason
        except KeyboardInterrupt:
            self._trim(sid)
            self.stopped = "interrupted"
        except MemoryError:  # like Ctrl-C: what was explored stands, the verdict is bounded
            self._trim(sid)
            self.stopped = "memory"
        finally:
            self.transitions = transitions

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
        done = self.done_memo
        found = done.find(0, key)
        return found[0] if found is not None else done.value(0, key, self.world.all_finished)

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

    def _state_violation(self, touched: int | None, per_io: bool, lists: bool) -> InvariantViolation | None:
        """The ``state`` invariants (``invariants.check_state``): the per-io ones after a step that touched
        io_end ``touched`` and/or the one about the inode list, which the search memoizes apart (per-io
        first). Returns the violation, or None."""
        try:
            invariants.check_state(self.world, touched, per_io=per_io, lists=lists)
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
        self.memo = self.goal_memo = self.check_memo = self.list_memo = self.done_memo = None
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
        return self.depth[-1] if self.depth else 0
