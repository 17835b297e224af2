"""The roles a timed run adds to a design, and the tasks of a workload.

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

The World these roles act on is ``timed/world.py``'s ``TimedWorld``.
"""

from __future__ import annotations

from ..designs import get_design
from ..designs.table import also_next, local, step


def slot_guard(w, t):
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
          guard=slot_guard, wait_text=lambda w, t: "io_getevents: every context has its IOs in flight",
          next=("mx.retry", "sub.submit"), sleeps="mutex_lock(i_mutex) sleeps while another task holds it")
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
    @step("bw.lock", "buffered_write", "mutex_lock(i_mutex)", next=("bw.write", "mx.retry"),
          sleeps="mutex_lock(i_mutex) sleeps while another task holds it")
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
    @step("fa.lock", "fallocate", "mutex_lock(i_mutex)", next=("fa.alloc", "mx.retry"),
          sleeps="mutex_lock(i_mutex) sleeps while another task holds it")
    def fa_lock(self, w, t):
        return self.take_mutex(w, t, "fa.alloc")

    @step("fa.alloc", "fallocate", "allocate unwritten extents again", next=("fa.unlock",),
          sleeps="ext4_fallocate starts a journal handle and takes i_data_sem")
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
