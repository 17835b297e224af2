"""A task: one kernel context that the scheduler steps (a completion, the kworker, truncate, ...).

A task is a program counter plus the local variables of the kernel functions it is in:

* ``pc``: the step it runs next (a key of the design's handler table); ``"done"`` when finished.
* ``stack``: return points of the helper routines it is inside (``ext4_end_io``, a flush).
* ``io``: the io_end it is working on (completion cursor, drain cursor, or the old worker's io).
* ``work_io``: the worker's own io_end (the ``work_io`` argument of ``ext4_do_flush_completed_IO``).
* ``unwritten``, ``complete``, ``to_free``: a drainer's local lists in stages A-D.
* ``ret``: the first conversion error a flush saw (0 = none); ``result``: what the task returned.
* ``loaded``: with ``--split-rmw``, a flag word loaded but not yet stored back.
* ``was_queued``: the old worker's ``was_queued`` local.
* ``must``: the io_ends added before this task's flush began (for the ``fsync-durable`` property).
"""

from __future__ import annotations


class Task:
    __slots__ = ("tid", "name", "role", "pc", "stack", "io", "work_io", "unwritten", "complete",
                 "to_free", "ret", "result", "loaded", "was_queued", "must", "waits_for")

    def __init__(self, tid: int, name: str, role: str, pc: str):
        self.tid = tid
        self.name = name
        self.role = role
        self.pc = pc
        self.stack: tuple = ()
        self.io: int | None = None
        self.work_io: int | None = None
        self.unwritten: list[int] = []
        self.complete: list[int] = []
        self.to_free: list[int] = []
        self.ret = 0
        self.result: str | None = None
        self.loaded: tuple | None = None
        self.was_queued = False
        self.must: tuple = ()
        self.waits_for: str | None = None  # "i_mutex" / "i_completed_io_lock" while queued on a lock

    def snapshot(self) -> tuple:
        return (self.pc, self.stack, self.io, self.work_io, tuple(self.unwritten), tuple(self.complete),
                tuple(self.to_free), self.ret, self.result, self.loaded, self.was_queued, self.must,
                self.waits_for)

    def restore(self, snap: tuple) -> None:
        (self.pc, self.stack, self.io, self.work_io, unwritten, complete, to_free, self.ret, self.result,
         self.loaded, self.was_queued, self.must, self.waits_for) = snap
        self.unwritten = list(unwritten)
        self.complete = list(complete)
        self.to_free = list(to_free)

    def local_list(self, name: str) -> list[int]:
        return getattr(self, name)
