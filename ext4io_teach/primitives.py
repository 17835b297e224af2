"""The World's primitive actions: each one shared-memory action of the kernel.

A lock operation, one list operation, one flag update, one queue operation, one conversion, one free:
each checks, like a BUG_ON, the invariants that action could break, and records the io_end it touched
(``world.touched``, what the incremental state checks look at). ``World`` (``world.py``) inherits them;
designs compose them into the steps of each kernel function.
"""

from __future__ import annotations

from .model.flags import QUEUED, UNWRITTEN, describe
from .model.task import Task
from .step import settle

EIO = -5


class Primitives:
    """The primitive actions, as methods of ``World`` (no state of their own)."""

    __slots__ = ()

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

    def running_elsewhere(self, t: Task) -> tuple:
        """The work items the other workers are running (empty with one worker)."""
        tasks = self.tasks  # indexed, not iterated: the explorer's memo then sees only the workers read
        return tuple(tasks[i].work_io for i in self.worker_tids if i != t.tid and tasks[i].work_io is not None)

    def take_work(self, t: Task) -> int:
        """``process_one_work``: dequeue the next item no other worker is running, clear its pending bit."""
        k = self.wq.take_next(self.running_elsewhere(t) if len(self.worker_tids) > 1 else ())
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
