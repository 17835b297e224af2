"""``dio_unwritten_wq``: the workqueue that runs ``ext4_end_io_work``.

In v3.6 and v3.7 it was allocated with WQ_UNBOUND and max_active 1 ("Limit it to 1"), so one
work item runs at a time, in FIFO order, for all inodes: one ordered worker.

* ``queue_work`` on an item that is already pending does nothing and returns False; the item keeps
  its place.
* The pending bit is cleared before the callback runs (``process_one_work``), so a running item may
  queue itself again; the new instance runs after the current call returns.

SIMPLIFICATION: the work item of an io_end is named by the io_end's id, because it is embedded in
the io_end (``io->work``) at both commits the model covers.
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

    def take_next(self) -> int:
        """What the worker does first in ``process_one_work``: dequeue and clear the pending bit."""
        return self.pending.pop(0)
