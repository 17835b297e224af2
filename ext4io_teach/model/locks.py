"""A spinlock and a mutex, as scheduler-resolved requests.

A task that asks for a held lock is put at the end of the lock's wait queue and is not runnable
while it waits. The two locks differ in what a release does:

* ``SpinLock`` models ``i_completed_io_lock`` (``spin_lock_irqsave``). Spinlocks of that era were
  FIFO ticket locks: the release hands the lock straight to the next ticket, in order.
  SIMPLIFICATION: a spinning CPU is modelled as "not runnable" here; the timed model charges CPU
  time for it instead.
* ``Mutex`` models ``inode->i_mutex`` with ``mutex_lock``, ``mutex_trylock`` and ``mutex_unlock`` as
  the 3.x ``kernel/mutex.c`` has them (kernel-facts.md section 2): ``mutex_unlock`` makes the mutex
  free and then wakes the first waiter, which stays on the wait list. It does *not* hand the mutex
  over, so any task that asks in between (the old worker's ``mutex_trylock``, another ``mutex_lock``)
  takes it first. The woken waiter then retries (``retry``): it takes the mutex if it is still free
  and leaves the wait list, or it sleeps again at the head of the list. Waking is the World's part
  (``World.mutex_unlock``): ``release`` returns the task to wake.
  SIMPLIFICATION: no optimistic spinning on the owner (``CONFIG_MUTEX_SPIN_ON_OWNER``): a task that
  finds the mutex held sleeps at once. A waiter beaten again and again would starve; in every
  scenario here each task takes i_mutex a bounded number of times, so it cannot be beaten forever
  (docs/explorer.md, "Weak fairness and the mutex").
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

    def _check_holder(self, tid: int) -> None:
        if self.holder != tid:
            who = "nobody" if self.holder is None else f"task {self.holder}"
            raise InvariantViolation("lock-usage", f"task {tid} releases {self.name}, which is held by {who}")


class SpinLock(_QueuedLock):
    """``spinlock_t`` as a FIFO ticket lock (``i_completed_io_lock``)."""

    kind = "spinlock"
    __slots__ = ()

    def release(self, tid: int) -> int | None:
        """Release; the next ticket holds the lock at once. Returns that waiter, if any."""
        self._check_holder(tid)
        if self.waiters:
            self.holder = self.waiters.pop(0)
            return self.holder
        self.holder = None
        return None


class Mutex(_QueuedLock):
    """``struct mutex`` (``i_mutex``) with trylock; a release frees it and names the waiter to wake."""

    kind = "mutex"
    __slots__ = ()

    def release(self, tid: int) -> int | None:
        """``mutex_unlock``: the mutex is free afterwards. Returns the first waiter (to be woken; it stays
        on the wait list until its retry takes the mutex), or None."""
        self._check_holder(tid)
        self.holder = None
        return self.waiters[0] if self.waiters else None

    def retry(self, tid: int) -> bool:
        """A woken waiter tries again: take the mutex if it is free (and leave the wait list), else
        stay on the list where it was (False: it sleeps again)."""
        if tid not in self.waiters:
            raise InvariantViolation("lock-usage", f"task {tid} retries {self.name} without waiting for it")
        if self.holder is None:
            self.holder = tid
            self.waiters.remove(tid)
            return True
        return False

    def trylock(self, tid: int) -> bool:
        """``mutex_trylock``: take it only if nobody holds it (waiters or not); never waits."""
        if self.holder == tid:
            raise InvariantViolation("lock-usage", f"task {tid} trylocks {self.name} while it already holds it")
        if self.holder is None:
            self.holder = tid
            return True
        return False
