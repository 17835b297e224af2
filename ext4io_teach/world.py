"""The World: one inode, its io_ends, the workqueue and the tasks, plus the primitive actions.

Every primitive is one shared-memory action of the kernel (a lock operation, one list operation, one
flag update, one queue operation, one conversion, one free, ...) and checks, like a BUG_ON, the
invariants that action could break. Designs (``ext4io_teach.designs``) compose primitives into the
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
from .model.flags import QUEUED, UNWRITTEN, describe
from .model.inode import Inode
from .model.io_end import IoEnd
from .model.task import Task
from .model.workqueue import OrderedWorkqueue
from .step import settle

EIO = -5
LOCK, DONE = "waits for a lock", "has returned"  # what World.blocker says besides a time or a guard


class World:
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

    # ---------------------------------------------------------------- locks
    def spin_lock(self, t: Task) -> bool:
        got = self.inode.lock.acquire(t.tid)
        self.stats["lock_acquisitions"] += 1
        if not got:
            t.waits_for = "i_completed_io_lock"
            self.stats["lock_contended"] += 1
        return got

    def spin_unlock(self, t: Task) -> None:
        self._handoff(self.inode.lock.release(t.tid))

    def mutex_lock(self, t: Task) -> bool:
        """``mutex_lock``: take i_mutex if it is free, else sleep on its wait list."""
        self._worker_i_mutex(t, "mutex_lock")
        got = self.inode.i_mutex.acquire(t.tid)
        if not got:
            t.waits_for = "i_mutex"
        return got

    def mutex_retry(self, t: Task) -> bool:
        """A waiter woken by ``mutex_unlock`` tries again: it takes i_mutex if nobody took it meanwhile,
        else it sleeps again (still first on the wait list)."""
        got = self.inode.i_mutex.retry(t.tid)
        if not got:
            t.waits_for = "i_mutex"
            self.stats["mutex_retry_lost"] += 1
        return got

    def mutex_trylock(self, t: Task) -> bool:
        self._worker_i_mutex(t, "mutex_trylock")
        m = self.inode.i_mutex
        ok = m.trylock(t.tid)
        if not ok:
            self.stats["trylock_failed"] += 1
        elif m.waiters:  # taken in the window between a mutex_unlock and its woken waiter's retry
            self.stats["trylock_beat_waiter"] += 1
        return ok

    def mutex_unlock(self, t: Task) -> None:
        """``mutex_unlock`` (3.x): i_mutex is free; the first waiter wakes up and will retry (no hand-off)."""
        tid = self.inode.i_mutex.release(t.tid)
        if tid is not None:
            self.tasks[tid].waits_for = None

    def _worker_i_mutex(self, t: Task, op: str) -> None:
        if t.tid in self.worker_tids:
            self.check("worker-never-waits-for-i_mutex", False,
                       f"the worker calls {op}(i_mutex); truncate may hold i_mutex while it waits for this worker")

    def _handoff(self, tid: int | None) -> None:
        """The spinlock's next ticket holds the lock: it runs on past its ``spin_lock``."""
        if tid is not None:
            waiter = self.tasks[tid]
            waiter.waits_for = None
            settle(self, waiter)

    def holds_spin(self, t: Task) -> bool:
        return self.inode.lock.holder == t.tid

    # ---------------------------------------------------------------- flags
    def change_flags(self, t: Task, k: int, set_bits: int = 0, clear_bits: int = 0, base: int | None = None) -> int:
        """Write ``(base | set_bits) & ~clear_bits`` into io#k's flags; ``base`` is a value loaded earlier
        (``--split-rmw``) or, by default, the current flags (an atomic read-modify-write)."""
        io = self.use(t, k, "changes the flags of")
        if "flags-under-lock" in self.checks and not self.holds_spin(t):
            self.fail("flags-under-lock", f"{t.name} changes the flags of io#{k} without holding i_completed_io_lock")
        old = io.flags if base is None else base
        new = (old | set_bits) & ~clear_bits
        if io.flags & QUEUED and not new & QUEUED and not (t.tid in self.worker_tids and t.work_io == k):
            how = "clears QUEUED on" if clear_bits & QUEUED else \
                "stores a flag word it loaded before QUEUED was set (a lost update), clearing QUEUED on"
            self.check("queued-cleared-by-owner", False,
                       f"{t.name} {how} io#{k}, but only io#{k}'s own worker may clear it")
        if io.flags & UNWRITTEN and not new & UNWRITTEN:
            io.cleared = True
        io.flags = new
        return new

    # ---------------------------------------------------------------- lists
    def _list_of(self, where: str) -> list[int]:
        if where == "inode":
            return self.inode.completed
        tid, name = where.split(".")
        return self.tasks[int(tid)].local_list(name)

    def _inode_list_op(self, t: Task, what: str) -> None:
        if "flags-under-lock" in self.checks and not self.holds_spin(t):
            self.fail("flags-under-lock", f"{t.name} {what} the inode's completed list without holding "
                      "i_completed_io_lock")

    def list_add_tail(self, t: Task, k: int, where: str, *, head: bool = False) -> None:
        """``list_add_tail(&io->list, <where>)`` (``list_add`` with ``head``: at the front): ``where`` is
        ``"inode"`` or ``"<tid>.<local list>"``."""
        io = self.use(t, k, "adds to a list")
        if where == "inode":
            self._inode_list_op(t, "changes")
        if io.where is not None:
            self.fail("list-integrity", f"{t.name} adds io#{k} to {self.list_name(where)} while it is still on "
                      f"{self.list_name(io.where)}: both lists are now corrupt")
        if head:
            self._list_of(where).insert(0, k)
        else:
            self._list_of(where).append(k)
        io.where = where

    def list_del_init(self, t: Task, k: int) -> None:
        """``list_del_init(&io->list)``: unlink from whatever list it is on (a no-op if unlinked)."""
        io = self.use(t, k, "unlinks")
        if io.where is None:
            return
        if io.where == "inode":
            self._inode_list_op(t, "changes")
        self._list_of(io.where).remove(k)
        io.where = None

    def list_move(self, t: Task, k: int, where: str) -> None:
        """``list_move`` = ``list_del`` + ``list_add``: unlink, then insert at the **head** (include/linux/list.h;
        kernel-facts.md section 2). Stage C's ``list_move`` to ``to_free`` therefore reverses the order in
        which stage D frees the io_ends it moved."""
        self.list_del_init(t, k)
        self.list_add_tail(t, k, where, head=True)

    def splice_inode_list(self, t: Task, name: str) -> list[int]:
        """``list_replace_init(&ei->i_completed_io_list, &<name>)``: take every entry at once."""
        self._inode_list_op(t, "drains")
        taken = self.inode.completed
        self.inode.completed = []
        target = t.local_list(name)
        if target:
            self.fail("list-integrity", f"{t.name} splices into its local list '{name}', which is not empty")
        where = f"{t.tid}.{name}"
        for k in taken:
            self.use(t, k, "takes")
            self.ios[k].where = where
        target.extend(taken)
        self.touched = taken[0] if taken else None
        return taken

    def list_name(self, where: str | None) -> str:
        if where is None:
            return "no list"
        if where == "inode":
            return "the inode's completed list"
        tid, name = where.split(".")
        return f"{self.tasks[int(tid)].name}'s local list '{name}'"

    # ---------------------------------------------------------------- workqueue
    def queue_work(self, t: Task, k: int) -> bool:
        io = self.use(t, k, "queues the work item of")
        if "queue-when-list-was-empty" in self.checks:
            if self.wq.is_pending(k):
                self.fail("queue-when-list-was-empty", f"{t.name} queues io#{k}'s work, which is already pending")
            if not io.flags & QUEUED:
                self.fail("queue-when-list-was-empty", f"{t.name} queues io#{k}'s work without marking it QUEUED")
            if self.inode.completed:
                self.fail("queue-when-list-was-empty", f"{t.name} queues io#{k}'s work although the inode list was "
                          "not empty (its work is already scheduled)")
        ok = self.wq.queue_work(k)
        self.stats["work_items_queued" if ok else "queue_work_noop"] += 1
        return ok

    def take_work(self, t: Task) -> int:
        """``process_one_work``: dequeue the next item and clear its pending bit."""
        k = self.wq.take_next()
        self.use(t, k, "runs the work item of")
        return k

    # ---------------------------------------------------------------- conversion (ext4_end_io)
    def convert(self, t: Task, k: int) -> int:
        """``ext4_convert_unwritten_extents``: returns 0 or -EIO when this io_end was set to fail."""
        io = self.use(t, k, "converts")
        if io.conv:
            self.fail("converted-once", f"{t.name} converts io#{k} a second time")
        io.conv += 1
        self.stats["conversions"] += 1
        if io.fails:
            self.stats["conversion_errors"] += 1
            return EIO
        return 0

    def end_page_writeback(self, t: Task, k: int) -> None:
        """``end_page_writeback`` for io#k's pages (``ext4_end_bio`` via ``put_io_page``)."""
        io = self.use(t, k, "ends page writeback of")
        io.writeback_ended = True
        self.inode.writeback -= 1

    def aio_complete(self, t: Task, k: int) -> None:
        io = self.use(t, k, "completes the aio of")
        if io.aio:
            self.fail("aio-completed-once", f"{t.name} calls aio_complete for io#{k} a second time")
        io.aio += 1

    def inode_dio_done(self, t: Task, k: int) -> None:
        io = self.use(t, k, "calls inode_dio_done for")
        if io.dio_done:
            self.fail("dio-done-once", f"{t.name} drops i_dio_count for io#{k} a second time")
        io.dio_done += 1
        self.inode.dio_count -= 1

    def unwritten_dec(self, t: Task, k: int) -> None:
        io = self.use(t, k, "counts out of i_unwritten")
        if io.unw_done:
            self.fail("unwritten-dec-once", f"{t.name} drops i_unwritten for io#{k} a second time")
        io.unw_done += 1
        self.inode.unwritten -= 1

    # ---------------------------------------------------------------- free (ext4_free_io_end)
    def free(self, t: Task, k: int) -> None:
        io = self.ios[k]
        self.touched = k
        if io.freed:
            who = self.tasks[io.freed_by].name if io.freed_by is not None else "someone"
            self.fail("freed-once", f"{t.name} frees io#{k}, which {who} already freed (a double free)")
        if io.where is not None:
            self.fail("not-freed-while-listed",
                      f"{t.name} frees io#{k} while it is still on {self.list_name(io.where)}")
        if io.flags & UNWRITTEN:
            self.fail("not-freed-while-unwritten", f"{t.name} frees io#{k} while UNWRITTEN is set "
                      f"(flags {describe(io.flags)}; the kernel BUG()s here)")
        if self.wq.is_pending(k):
            self.fail("not-freed-while-pending", f"{t.name} frees io#{k} while its work item is still pending: the "
                      "worker will run freed memory")
        if io.flags & QUEUED:
            self.check("not-freed-while-queued", False, f"{t.name} frees io#{k} while it is QUEUED: its worker "
                       "still has to clear the flag")
        if self.inode.ioend_count <= 0:
            self.fail("ioend-count", f"{t.name} frees io#{k} but i_ioend_count is already {self.inode.ioend_count}")
        io.freed = 1
        io.freed_by = t.tid
        self.inode.ioend_count -= 1
        self.stats["frees"] += 1
