"""The timed engine's accounts: what each task did on which CPU when, and the counters over time.

* ``segs[tid]``: ``[start, end, activity index, cpu]`` lists, consecutive steps of the same activity on
  the same CPU without a gap merged into one;
* ``tot[tid]``: CPU µs per activity index, in the order the activities were first charged (``totals_of``);
* the worker's current invocation (one work item): when it started and its bookkeeping so far. An
  invocation that requeues was wasted work, so its bookkeeping is re-labelled ``requeue``;
* ``holds``: who held i_mutex from when to when; ``samples``: the list length, ``i_dio_count``, pending
  work items and ``i_unwritten`` at most once per ``sample_us`` (and the progress bar).
"""

from __future__ import annotations

from ..designs.kinds import ACTIVITIES

BOOK, REQUEUE = ACTIVITIES.index("bookkeeping"), ACTIVITIES.index("requeue")


class Accounts:
    """Mixin of the engine (``engine.Engine``)."""

    __slots__ = ()

    def seg(self, tid: int, start: int, end: int, act: int, cpu: int, charge: bool = True) -> None:
        """Task ``tid`` ran activity ``act`` on ``cpu`` from ``start`` to ``end``: a segment (or the last one
        longer), charged to its totals unless ``charge`` is false."""
        if end <= start:
            return
        lst = self.segs[tid]
        if lst and (last := lst[-1])[1] == start and last[2] == act and last[3] == cpu:
            last[1] = end
        else:
            lst.append([start, end, act, cpu])
        if charge:
            tot = self.tot[tid]
            tot[act] = tot.get(act, 0) + end - start

    def charge(self, tid: int, act: int, us: int) -> None:
        """Add ``us`` to task ``tid``'s total for activity ``act``."""
        tot = self.tot[tid]
        tot[act] = tot.get(act, 0) + us

    def totals_of(self, tid: int) -> dict:
        """Task ``tid``'s totals by activity name, in the order they were first charged."""
        return {ACTIVITIES[a]: us for a, us in self.tot[tid].items()}

    def worker_step(self, act: int, cost: int) -> None:
        """The worker ran a step of activity ``act``: its first requeue in an invocation re-labels the
        invocation's bookkeeping so far; any other bookkeeping is counted as the invocation's."""
        if act == REQUEUE:
            if not self.inv_requeued:
                self.inv_requeued = True
                self.relabel_invocation()
        elif act == BOOK:
            self.inv_book += cost

    def start_invocation(self, now: int) -> None:
        self.inv_start, self.inv_book, self.inv_requeued = now, 0, False

    def relabel_invocation(self) -> None:
        """The worker's current invocation ended in a requeue: its dequeue/lock steps were wasted too."""
        lst = self.segs[self.worker]
        since = self.inv_start
        moved = []
        while lst and lst[-1][1] > since and lst[-1][2] == BOOK:
            s = lst.pop()
            if s[0] < since:
                lst.append([s[0], since, BOOK, s[3]])
                s = [since, s[1], BOOK, s[3]]
            moved.append(s)
        for s in reversed(moved):
            self.seg(self.worker, s[0], s[1], REQUEUE, s[3], charge=False)
        self.charge(self.worker, BOOK, -self.inv_book)
        self.charge(self.worker, REQUEUE, self.inv_book)
        self.inv_book = 0

    def new_holder(self, now: int) -> None:
        """i_mutex changed hands: close the last hold and open the new holder's."""
        if self.hold_tid is not None:
            self.holds.append((self.hold_tid, self.hold_from, now))
        self.hold_tid, self.hold_from = self.w.inode.i_mutex.holder, now

    def sample(self, now: int) -> None:
        """The counters over time, and the progress bar."""
        w = self.w
        self.samples.append((now, len(w.inode.completed), w.inode.dio_count, len(w.wq.pending), w.inode.unwritten))
        self.next_sample = now + self.sample_us
        self.progress(w.writes_done + w.reads_done, now // 1000)
