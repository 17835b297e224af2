"""A spinlock and a mutex, as scheduler-resolved requests.

A task that asks for a held lock is put at the end of the lock's wait queue and is not runnable
until the holder releases it; the release hands the lock straight to the first waiter.

* ``SpinLock`` models ``i_completed_io_lock`` (``spin_lock_irqsave``). Spinlocks of that era were
  FIFO ticket locks, so waiters are served in order.
  SIMPLIFICATION: a spinning CPU is modelled as "not runnable" here; the timed model charges CPU
  time for it instead.
* ``Mutex`` models ``inode->i_mutex`` with ``mutex_lock``, ``mutex_trylock`` and ``mutex_unlock``.
  SIMPLIFICATION: waiters are served in order by direct hand-off. The real mutex lets a task that
  finds it free take it first, but a waiter that keeps finding it free gets it in the end, which
  is the fairness the liveness check relies on.
"""

from __future__ import annotations

from ..errors import InvariantViolation


class _QueuedLock:
    kind = "lock"

    __slots__ = ("name", "holder", "waiters")

    def __init__(self, name: str):
        self.name = name
        self.holder: int | None = None
        self.waiters: list[int] = []

    def snapshot(self) -> tuple:
        return (self.holder, tuple(self.waiters))

    def restore(self, snap: tuple) -> None:
        self.holder, waiters = snap
        self.waiters = list(waiters)

    def acquire(self, tid: int) -> bool:
        """Take the lock (True) or queue up behind the holder (False: the task now waits)."""
        if self.holder == tid:
            raise InvariantViolation("lock-usage", f"task {tid} takes {self.name} while it already holds it "
                                     "(a self-deadlock)")
        if tid in self.waiters:
            raise InvariantViolation("lock-usage", f"task {tid} asks for {self.name} twice")
        if self.holder is None:
            self.holder = tid
            return True
        self.waiters.append(tid)
        return False

    def release(self, tid: int) -> int | None:
        """Release; returns the waiter the lock was handed to, if any."""
        if self.holder != tid:
            who = "nobody" if self.holder is None else f"task {self.holder}"
            raise InvariantViolation("lock-usage", f"task {tid} releases {self.name}, which is held by {who}")
        if self.waiters:
            self.holder = self.waiters.pop(0)
            return self.holder
        self.holder = None
        return None


class SpinLock(_QueuedLock):
    """``spinlock_t`` as a FIFO ticket lock (``i_completed_io_lock``)."""

    kind = "spinlock"
    __slots__ = ()


class Mutex(_QueuedLock):
    """``struct mutex`` (``i_mutex``) with trylock."""

    kind = "mutex"
    __slots__ = ()

    def trylock(self, tid: int) -> bool:
        """``mutex_trylock``: take it only if nobody holds it; never waits."""
        if self.holder == tid:
            raise InvariantViolation("lock-usage", f"task {tid} trylocks {self.name} while it already holds it")
        if self.holder is None:
            self.holder = tid
            return True
        return False
