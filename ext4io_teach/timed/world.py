"""The extra roles a timed run needs, and the World that submits io_ends over time.

The designs' own code runs unchanged: ``timed_design(name)`` returns the design class with the mixin
``TimedRoles`` in front of it, which only *adds* roles and wraps three tails:

* ``submit``: an aio-stress thread / fio job. For each IO: ``mutex_lock(i_mutex)``, submit it (for a
  write, the io_end is set up as by ``ext4_init_io_end`` and ``ext4_set_io_unwritten_flag``:
  ``i_ioend_count++``, ``i_unwritten++``; every direct IO raises ``i_dio_count``), ``mutex_unlock``.
  It sleeps while all its contexts have ``depth`` IOs in flight (``io_getevents``) and starts the read
  stage once every write has completed. The slot is taken before ``mutex_lock``; the io_end's number
  when the write is submitted, under i_mutex, so io_ends are numbered in submission order (the device
  and the completion task complete them in that order; see ``workload.py``). Numbered before the lock,
  a submitter that took i_mutex while the woken waiter had not yet retried (no hand-off) would submit
  io#k+1 before io#k, and a truncate taking i_mutex in between would wait for io#k+1, whose completion
  waits for io#k, whose submitter waits for i_mutex.
  SIMPLIFICATION (from memory, not re-checked): a direct write of that era held i_mutex while it was
  submitted (``generic_file_aio_write``), and so did a direct read (``DIO_LOCKING``).
* ``bwriter``: a buffered ``write()``: ``mutex_lock(i_mutex)``, copy, ``mutex_unlock``, again later.
* ``trloop``: xfstests 299's shell loop: the design's own truncate (``ext4_setattr`` path), then a
  fallocate under i_mutex, then again after a pause. ``truncate`` and ``fsync`` are the designs' own
  one-shot roles, started at a given time (``fsync`` repeats when the workload says so).
* ``dio`` is the designs' completion task, gated so that it completes io_end k only when the device
  has finished it (``complete_at[k]``).

Reads have no io_end: the device completes them (``i_dio_count--``, a free slot) with no task step.
SIMPLIFICATION: their completion costs no CPU time.
"""

from __future__ import annotations

import heapq

from ..designs import get_design
from ..designs.roles import ROLES
from ..designs.table import also_next, local, step
from ..world import World

INF = 1 << 62


def _slot_guard(w, t):
    """The submitter's guard: it has an IO to start (a write; a read once every write has completed)
    and a context with a free slot (``full`` counts the contexts with none)."""
    L = w.load
    if w.next_write >= L.writes and (w.next_read >= L.reads or w.writes_done != L.writes):
        return False
    return w.full[w.sub_of[t.tid]] < L.contexts


def _device_done(guard):
    """The completion task's guard at ``ADD_ENTRY``: the device has finished the write it completes
    next, and the design's own guard there (if any) holds."""
    def device_done(w, t):
        return w.complete_at[t.io] <= w.now and (guard is None or guard(w, t))
    return device_done


class TimedRoles:
    """Mixin placed before a design class: adds the timed roles, keeps every design step as it is, and
    gates the completion task's first step of each io_end (``ADD_ENTRY``) on the device having
    finished that write (``complete_at``): a guard that reads the simulated time."""

    def __init__(self):
        super().__init__()
        self.guards[self.ADD_ENTRY] = _device_done(self.guards[self.ADD_ENTRY])

    # ------------------------------------------------------------ aio submitter
    @local("sub.next", "aio_submit", "next IO: a free slot in one of my contexts, or done", next=("sub.lock",))
    def sub_next(self, w, t):
        t.pc = "sub.lock" if w.has_more(t) else "done"

    @step("sub.lock", "aio_submit", "mutex_lock(i_mutex)  (generic_file_aio_write / DIO_LOCKING read)",
          guard=_slot_guard, wait_text=lambda w, t: "io_getevents: every context has its IOs in flight",
          next=("mx.retry", "sub.submit"))
    def sub_lock(self, w, t):
        w.reserve(t)
        return self.take_mutex(w, t, "sub.submit")

    @step("sub.submit", "aio_submit", "submit the direct IO (a write gets an UNWRITTEN|DIRECT io_end)",
          next=("sub.unlock",))
    def sub_submit(self, w, t):
        k = w.submit(t)
        t.pc = "sub.unlock"
        return "submit", "submit read" if k is None else f"submit write io#{k}", k

    @step("sub.unlock", "aio_submit", "mutex_unlock(i_mutex)", next=("sub.next",))
    def sub_unlock(self, w, t):
        w.mutex_unlock(t)
        t.pc = "sub.next"
        return "mutex_unlock", "mutex_unlock(i_mutex)", None

    # ------------------------------------------------------------ buffered writer
    @step("bw.lock", "buffered_write", "mutex_lock(i_mutex)", next=("bw.write", "mx.retry"))
    def bw_lock(self, w, t):
        return self.take_mutex(w, t, "bw.write")

    @step("bw.write", "buffered_write", "copy the data into the page cache", next=("bw.unlock",))
    def bw_write(self, w, t):
        t.pc = "bw.unlock"
        return "buffered", "buffered write()", None

    @step("bw.unlock", "buffered_write", "mutex_unlock(i_mutex); write again later", next=("bw.lock",))
    def bw_unlock(self, w, t):
        w.mutex_unlock(t)
        w.again(t, w.load.buffered_every_us, "bw.lock")
        return "mutex_unlock", "mutex_unlock(i_mutex)", None

    # ------------------------------------------------------------ xfstests 299 loop: fallocate
    @step("fa.lock", "fallocate", "mutex_lock(i_mutex)", next=("fa.alloc", "mx.retry"))
    def fa_lock(self, w, t):
        return self.take_mutex(w, t, "fa.alloc")

    @step("fa.alloc", "fallocate", "allocate unwritten extents again", next=("fa.unlock",))
    def fa_alloc(self, w, t):
        t.pc = "fa.unlock"
        return "fallocate", "fallocate", None

    @step("fa.unlock", "fallocate", "mutex_unlock(i_mutex); truncate again later", next=("tr.lock",))
    def fa_unlock(self, w, t):
        w.mutex_unlock(t)
        w.again(t, w.load.truncate_every_us, "tr.lock")
        return "mutex_unlock", "mutex_unlock(i_mutex)", None

    # ------------------------------------------------------------ head and tails of the designs' own roles
    def tr_lock(self, w, t):
        w.truncate_calls += 1
        return super().tr_lock(w, t)

    @also_next("fa.lock")
    def tr_unlock(self, w, t):
        out = super().tr_unlock(w, t)
        w.truncates.append((w.started[t.tid], w.now))
        if t.role == "trloop":
            t.pc = "fa.lock"
        return out

    @also_next("fs.lock")
    def fs_unlock(self, w, t):
        out = super().fs_unlock(w, t)
        w.fsyncs.append((w.started[t.tid], w.now))
        if w.load.fsync_every_us:
            w.again(t, w.load.fsync_every_us, "fs.lock")
        return out


_CLASSES: dict[str, type] = {}


def timed_design(name: str):
    """An instance of design ``name`` with the timed roles mixed in (same steps, same kinds)."""
    base = type(get_design(name))
    cls = _CLASSES.get(name)
    if cls is None or cls.__mro__[2] is not base:
        cls = type(f"Timed{base.__name__}", (TimedRoles, base), {})
        _CLASSES[name] = cls
    return cls()


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
        """``t`` has an IO to start and a context with a free slot (``_slot_guard``)."""
        return _slot_guard(self, t)

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


def start_time(load, tid: int, role: str) -> int:
    """When task ``tid`` of ``role`` first runs: truncate, the truncate loop and fsync when the workload
    says, the buffered writers staggered, everything else at once."""
    if role == "bwriter":
        return (tid * 37) % max(1, load.buffered_every_us)
    start = {"truncate": load.truncate_at_us, "trloop": load.truncate_every_us, "fsync": load.fsync_every_us}
    return start.get(role) or 0


def roles_for(load) -> list[tuple[str, str]]:
    """Task names and roles, in task-id order: completion, worker, submitters, then the others."""
    roles = [("dio", "dio"), ("worker", "worker")]
    for i in range(load.submitters):
        roles.append((f"aio{i}" if load.submitters > 1 else "aio-stress", "submit"))
    if load.truncate_at_us is not None:
        roles.append(("truncate", "truncate"))
    if load.truncate_every_us:
        roles.append(("trunc-loop", "trloop"))
    if load.fsync_every_us:
        roles.append(("fsync", "fsync"))
    for i in range(load.buffered_writers):
        roles.append((f"bwrite{i}", "bwriter"))
    return roles
