"""The World of a timed run: io_ends submitted over time and completed by a device model.

The roles that submit them (``submit``), write through the page cache (``bwriter``) and loop truncate
and fallocate (``trloop``) are ``timed/roles.py``'s; the designs' own roles run unchanged. ``dio``,
the designs' completion task, is gated so that it completes io_end k only when the device has
finished it (``complete_at[k]``).

Reads have no io_end: the device completes them (``i_dio_count--``, a free slot) with no task step.
SIMPLIFICATION: their completion costs no CPU time.
"""

from __future__ import annotations

import heapq

from ..designs.roles import ROLES
from ..world import World
from .roles import slot_guard, start_time

INF = 1 << 62


class TimedWorld(World):
    """A World whose io_ends are submitted over time and completed by a device model.

    ``i_dio_count`` and ``i_unwritten`` count IO submitted and not yet done (the stepping World starts
    them at N). ``now`` is the simulated time the engine has reached; ``complete_at[k]`` when the
    device finishes write k; ``start_at[tid]`` when a timed task may run next (``World.can_run``).
    """

    # slots like World's (see there): the attributes set in ``__init__``
    __slots__ = ("load", "rng", "_live", "complete_at", "submitted_at", "ctx_of", "inflight", "full",
                 "next_write", "next_io", "writes_done", "next_read", "reads_done", "device_free", "device_events",
                 "started", "sub_of", "truncates", "truncate_calls", "fsyncs", "conv_latency", "rr",
                 "reserved", "_per_io", "_jitter", "_jitter_us", "_latency", "timers_changed",
                 "_add_entry", "_completers")

    def __init__(self, design, roles, load, rng, checks=None):
        # set before World.__init__, which settles every task (the submitter asks has_more())
        self.load = load
        self.rng = rng
        self._live = 0
        self.complete_at = [INF] * load.writes
        self.submitted_at = [INF] * load.writes
        self.ctx_of = [0] * load.writes
        n_ctx = load.submitters * load.contexts
        self.inflight = [0] * n_ctx  # IOs in flight per context (``depth`` at most)
        self.full = [0] * load.submitters  # per submitter: its contexts with ``depth`` IOs in flight
        self.next_write = 0  # writes given a slot (``reserve``)
        self.next_io = 0  # writes submitted: the next io_end's number (``submit``)
        self.writes_done = 0  # aio_complete'd writes
        self.next_read = 0
        self.reads_done = 0
        self.device_free = 0
        self.device_events: list[tuple[int, int, int]] = []  # (time, read no, context) of reads
        subs = [tid for tid, (_, role) in enumerate(roles) if role == "submit"]
        self.sub_of = {tid: i for i, tid in enumerate(subs)}
        self.truncates: list[tuple[int, int]] = []  # (called, returned) of each finished truncate
        self.truncate_calls = 0
        self.fsyncs: list[tuple[int, int]] = []
        self.conv_latency: list[int] = []
        self.rr = [0] * load.submitters
        self.reserved: dict[int, tuple] = {}
        self._per_io = load.per_io_us
        self._jitter = load.jitter_pct
        self._jitter_us = self._per_io * load.jitter_pct // 100
        self._latency = load.device_latency_us
        self.timers_changed = False  # a sleeper's wake_time may have moved (the engine re-reads them)
        self._add_entry = design.ADD_ENTRY  # where the completion task waits for the device (wake_time)
        self._completers = frozenset(tid for tid, (_, role) in enumerate(roles) if ROLES[role].completes)
        super().__init__(design, roles, load.writes, checks=checks, inputs={})
        self.start_at = [start_time(load, tid, role) for tid, (_, role) in enumerate(roles)]
        self.started = list(self.start_at)
        ino = self.inode
        ino.dio_count = ino.unwritten = ino.ioend_count = 0

    # ------------------------------------------------------------ scheduling view
    @property
    def live_ioends(self) -> int:
        return self._live

    @property
    def ioends_allocated(self) -> int:
        """io_ends allocated so far: one per write submitted (``submit``)."""
        return self.next_io

    def wake_time(self, t) -> int:
        """When a time gate opens for ``t`` (INF if it waits for something else)."""
        if self.now < self.start_at[t.tid]:
            return self.start_at[t.tid]
        if t.tid in self._completers and t.pc == self._add_entry:
            return self.complete_at[t.io]
        return INF

    def again(self, t, after_us: int, pc: str) -> None:
        """Run ``pc`` again ``after_us`` from now, unless the IO is over (then the task is done)."""
        if self.io_over():
            t.pc = "done"
        else:
            self.start_at[t.tid] = self.started[t.tid] = self.now + after_us
            t.pc = pc

    def io_over(self) -> bool:
        L = self.load
        return self.writes_done == L.writes and self.reads_done == L.reads

    # ------------------------------------------------------------ submission
    def has_more(self, t) -> bool:
        L = self.load
        return self.next_write < L.writes or self.next_read < L.reads

    def submit_ready(self, t) -> bool:
        """``t`` has an IO to start and a context with a free slot (``slot_guard``)."""
        return slot_guard(self, t)

    def _in_flight(self, c: int, delta: int) -> None:
        """One more (``delta`` 1) or one fewer (-1) IO in flight in context ``c``; keeps ``full``."""
        depth = self.load.depth
        old = self.inflight[c]
        self.inflight[c] = old + delta
        if delta > 0:
            if old + 1 == depth:
                self.full[c // self.load.contexts] += 1
        elif old == depth:
            self.full[c // self.load.contexts] -= 1

    def reserve(self, t) -> None:
        """Take a slot in the next context (round robin) that has one, for the next IO of the stage (a write
        gets its io_end number only when it is submitted)."""
        L = self.load
        write = self.next_write < L.writes  # else a read
        n = L.contexts
        sub = self.sub_of[t.tid]
        first = sub * n
        inflight = self.inflight
        depth = L.depth
        rr = self.rr[sub]
        for i in range(n):
            c = first + (rr + i) % n
            if inflight[c] < depth:
                break
        self.rr[sub] = (c - first + 1) % n
        self._in_flight(c, 1)
        if write:
            self.next_write += 1
        else:
            self.next_read += 1
        self.reserved[t.tid] = (write, c)

    def _device_time(self) -> int:
        per = self._per_io
        if self._jitter:
            j = self._jitter_us
            per = max(1, per + self.rng.randrange(-j, j + 1))  # randint(-j, j): the same draw
        done = max(self.now + self._latency, self.device_free + per)
        self.device_free = done
        return done

    def submit(self, t):
        """The IO reserved by ``t`` goes to the device; returns the write's io_end id (None: a read)."""
        write, c = self.reserved.pop(t.tid)
        ino = self.inode
        ino.dio_count += 1
        done = self._device_time()
        if not write:
            heapq.heappush(self.device_events, (done, self.next_read, c))
            return None
        k = self.next_io
        self.next_io += 1
        self.use(t, k, "submits")
        ino.unwritten += 1
        ino.ioend_count += 1
        self._live += 1
        self.ctx_of[k] = c
        self.submitted_at[k] = self.now
        self.complete_at[k] = done
        self.timers_changed = True
        return k

    def complete_reads(self, until: int) -> bool:
        """The device finishes reads due by ``until``; True if any did."""
        ev = self.device_events
        any_done = False
        while ev and ev[0][0] <= until:
            _, _, c = heapq.heappop(ev)
            self.inode.dio_count -= 1
            self._in_flight(c, -1)
            self.reads_done += 1
            any_done = True
        return any_done

    # ------------------------------------------------------------ hooks on primitives
    def aio_complete(self, t, k):
        super().aio_complete(t, k)
        self._in_flight(self.ctx_of[k], -1)
        self.writes_done += 1
        self.conv_latency.append(self.now - self.complete_at[k])

    def free(self, t, k):
        super().free(t, k)
        self._live -= 1
