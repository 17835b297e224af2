"""The World: one inode, its io_ends, the workqueue and the tasks.

The primitive actions on them are ``primitives.py``'s (each one shared-memory action of the kernel,
checking what it could break). Designs (``ext4io_teach.designs``) compose primitives into the
steps of each kernel function; the scheduler (``ext4io_teach.sched``) decides which task steps next.

The World is mutable for speed (a 100,000-io timeline runs on it) and offers ``snapshot()`` /
``restore()`` for everything that needs an immutable, hashable state (the explorer, Undo, tests).
Statistics (``stats``) and the step counter are not part of the state: a requeue loop that returns to
the same state *is* the same state, which is how the explorer sees a livelock as a cycle.
"""

from __future__ import annotations

from collections import Counter

from . import invariants
from .designs.roles import ROLES
from .errors import InvariantViolation
from .model.flags import UNWRITTEN
from .model.inode import Inode
from .model.io_end import IoEnd
from .model.task import Task
from .model.workqueue import OrderedWorkqueue
from .primitives import Primitives
from .step import settle

LOCK, DONE = "waits for a lock", "has returned"  # what World.blocker says besides a time or a guard


class World(Primitives):
    """State of one run. Build it with ``sched.build_world`` (which validates the inputs)."""

    # The fields set in ``__init__``, declared like those of the model's other classes. A TimedWorld has more
    # than the 30 attributes CPython 3.11 keeps in a fast shared-key instance dict, and its primitives run
    # millions of times; with slots, ``w.use(...)`` and friends are found without a dictionary lookup.
    __slots__ = ("design", "split_rmw", "fail_io", "inputs", "ios", "inode", "wq", "tasks", "checks", "stats",
                 "touched", "worker_tids", "check_state", "now", "start_at")

    def __init__(self, design, roles: list[tuple[str, str]], ios: int, *, split_rmw: bool = False,
                 fail_io: int | None = None, checks: frozenset | None = None, inputs: dict | None = None,
                 buffered: bool = False):
        self.design = design
        self.split_rmw = split_rmw
        self.fail_io = fail_io
        self.inputs = inputs or {}
        if buffered:  # writeback bios: UNWRITTEN, no iocb, pages under writeback, not in i_dio_count
            self.ios = [IoEnd(k, UNWRITTEN, fails=(k == fail_io), iocb=False) for k in range(ios)]
            self.inode = Inode(dio_count=0, unwritten=ios, writeback=ios)
        else:  # AIO direct writes: UNWRITTEN|DIRECT with an iocb, each counted in i_dio_count
            self.ios = [IoEnd(k, fails=(k == fail_io)) for k in range(ios)]
            self.inode = Inode(dio_count=ios, unwritten=ios)
        self.wq = OrderedWorkqueue()
        self.tasks = [Task(tid, name, role, design.entry(role)) for tid, (name, role) in enumerate(roles)]
        # time gates: a task may not run before start_at[tid]. Time does not pass in a stepped run (a timed
        # run's TimedWorld moves now and sets start times; its device gate is a guard, timed/world.py)
        self.now = 0
        self.start_at = [0] * len(self.tasks)
        self.checks = invariants.enabled_for(design.family) if checks is None else frozenset(checks)
        self.check_state = invariants.state_checker(self)  # check_state(touched): the ``state`` invariants
        self.stats: Counter = Counter()
        self.touched: int | None = None
        self.worker_tids = tuple(t.tid for t in self.tasks if ROLES[t.role].worker)  # configuration, not state
        for t in self.tasks:
            settle(self, t)

    # ---------------------------------------------------------------- state
    def snapshot(self) -> tuple:
        """The whole state as an immutable, hashable tuple (statistics excluded)."""
        return (tuple([io.snapshot() for io in self.ios]), self.inode.snapshot(), self.wq.snapshot(),
                tuple([t.snapshot() for t in self.tasks]))

    def restore(self, snap: tuple) -> None:
        ios, inode, wq, tasks = snap
        for io, s in zip(self.ios, ios):
            io.restore(s)
        self.inode.restore(inode)
        self.wq.restore(wq)
        for t, s in zip(self.tasks, tasks):
            t.restore(s)

    @property
    def live_ioends(self) -> int:
        return sum(1 for io in self.ios if not io.freed)

    @property
    def ioends_allocated(self) -> int:
        """io_ends ``ext4_init_io_end`` allocated (each bumps ``i_ioend_count``): in a stepping run all N,
        before the first step."""
        return len(self.ios)

    # ---------------------------------------------------------------- scheduling view
    def blocker(self, t: Task):
        """What keeps task ``t`` from its next step, or None if nothing does: ``LOCK`` (it waits for a
        lock), ``DONE`` (it has returned), the time its start comes (``start_at``: timed runs only), or
        its step's guard, which does not hold. The one place that decides whether a task can run."""
        if t.waits_for is not None:
            return LOCK
        if t.pc == "done":
            return DONE
        if self.now < self.start_at[t.tid]:
            return self.start_at[t.tid]
        guard = self.design.guards[t.pc]
        if guard is None or guard(self, t):
            return None
        return guard

    def can_run(self, t: Task) -> bool:
        return self.blocker(t) is None

    def runnable(self) -> list[int]:
        return [t.tid for t in self.tasks if self.can_run(t)]

    def finished(self, t: Task) -> bool:
        return t.pc == "done" or (t.pc == "wq.idle" and self.wq.is_empty())

    def all_finished(self) -> bool:
        return all(self.finished(t) for t in self.tasks)

    def blocked_reason(self, t: Task) -> str | None:
        """Why a task cannot run, in plain words (None if it can, or has finished)."""
        if t.pc == "done":
            return None
        if t.waits_for is not None:
            lock = self.inode.i_mutex if t.waits_for == "i_mutex" else self.inode.lock
            if lock.holder is None:  # a mutex waiter behind the one mutex_unlock woke
                first = self.tasks[lock.waiters[0]].name
                return f"sleeps on the wait list of {lock.name} (free now: {first} was woken)"
            return f"waits for {lock.name} held by {self.tasks[lock.holder].name}"
        spec = self.design.table[t.pc][0]
        if spec.guard is not None and not spec.guard(self, t):
            return spec.wait_text(self, t) if spec.wait_text else "waits"
        return None

    def has_undrained_worker(self) -> bool:
        """Invariant 7: a pending work item, or a worker that has not yet spliced the list."""
        if not self.wq.is_empty():
            return True
        pre = self.design.PRE_DRAIN_PCS
        tasks = self.tasks
        for i in self.worker_tids:
            if tasks[i].pc in pre:
                return True
        return False

    # ---------------------------------------------------------------- failing
    def fail(self, name: str, message: str) -> None:
        raise InvariantViolation(name, message)

    def check(self, name: str, ok: bool, message: str) -> None:
        if not ok and name in self.checks:
            raise InvariantViolation(name, message)

    def use(self, t: Task, k: int, what: str) -> IoEnd:
        """Every primitive that touches an io_end goes through here: no use after free."""
        io = self.ios[k]
        self.touched = k
        if io.freed:
            who = self.tasks[io.freed_by].name if io.freed_by is not None else "someone"
            self.check("no-use-after-free", False, f"{t.name} {what} io#{k}, which {who} already freed")
        return io
