"""``dio_unwritten_wq``: the workqueue that runs ``ext4_end_io_work``.

In v3.6 and v3.7 it was allocated with WQ_UNBOUND and max_active 1 ("Limit it to 1"), so one
work item runs at a time, in FIFO order, for all inodes: one ordered worker.

* ``queue_work`` on an item that is already pending does nothing and returns False; the item keeps
  its place.
* The pending bit is cleared before the callback runs (``process_one_work``), so a running item may
  queue itself again; the new instance runs after the current call returns.

SIMPLIFICATION: the work item of an io_end is named by the io_end's id, because it is embedded in
the io_end (``io->work``) at both commits the model covers.

What if (``workers`` 2 or 3, a scenario option): the queue is served by that many kworkers at once, as a
workqueue with ``max_active`` 2 or 3 that is not ordered. Items still start in the order they were
queued, but a later one may start while an earlier one still runs. A work item is never run by two
workers at once: ``process_one_work`` hands an item that is already running in the same worker pool to
the worker running it (``find_worker_executing_work``), and an unbound workqueue has one pool [K69]. So
a worker takes the first pending item that no other worker is running; an item that is running is left
for the worker that runs it. SIMPLIFICATION: the kernel moves such an item onto that worker's own list;
here it stays in the queue until that worker (or another, once it has finished) takes it.
"""

from __future__ import annotations


class OrderedWorkqueue:
    """A FIFO of pending work items (io_end ids) served by one worker."""

    __slots__ = ("name", "pending")

    def __init__(self, name: str = "ext4-dio-unwritten"):
        self.name = name
        self.pending: list[int] = []

    def snapshot(self) -> tuple:
        return tuple(self.pending)

    def restore(self, snap: tuple) -> None:
        self.pending = list(snap)

    def is_empty(self) -> bool:
        """No work item is pending. (The explorer keeps this answer as a state component of its own, so
        a question that asks only this does not depend on the order of the pending items.)"""
        return not self.pending

    def is_pending(self, io_id: int) -> bool:
        return io_id in self.pending

    def queue_work(self, io_id: int) -> bool:
        """Queue the item; False (and no change) if it is already pending."""
        if io_id in self.pending:
            return False
        self.pending.append(io_id)
        return True

    def take_next(self, running=()) -> int:
        """What the worker does first in ``process_one_work``: dequeue and clear the pending bit. With
        more than one worker, ``running`` are the items other workers are running: the first other one."""
        if not running:
            return self.pending.pop(0)
        for i, k in enumerate(self.pending):
            if k not in running:
                return self.pending.pop(i)
        raise IndexError("every pending work item is running on another worker")

    def takeable(self, running=()) -> bool:
        """A worker may start an item: one is pending that no other worker is running."""
        if not running:
            return bool(self.pending)
        return any(k not in running for k in self.pending)
