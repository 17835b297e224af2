"""The per-inode state the fix is about (``struct ext4_inode_info`` and ``struct inode``).

* ``i_mutex``: the VFS inode mutex (taken by truncate, fsync and, in v3.6, the worker by trylock).
* ``lock``: ``i_completed_io_lock``, the spinlock that guards the completed list (and, after
  28a535f9, every change of an io_end's flags).
* ``completed``: ``i_completed_io_list``, io_end ids in list order.
* ``dio_count``: ``i_dio_count``, direct IOs in flight; ``inode_dio_wait`` waits for 0.
* ``unwritten``: ``i_unwritten`` (``i_aiodio_unwritten`` before e27f41e1), io_ends still to convert.
* ``ioend_count``: ``i_ioend_count``, io_ends allocated and not yet freed.
* ``writeback``: buffered io_ends whose pages are still under writeback (PG_writeback), what
  fsync's ``filemap_write_and_wait_range`` waits for.
"""

from __future__ import annotations

from .locks import Mutex, SpinLock


class Inode:
    __slots__ = ("i_mutex", "lock", "completed", "dio_count", "unwritten", "ioend_count", "writeback")

    def __init__(self, dio_count: int, unwritten: int, writeback: int = 0):
        self.i_mutex = Mutex("i_mutex")
        self.lock = SpinLock("i_completed_io_lock")
        self.completed: list[int] = []
        self.dio_count = dio_count
        self.unwritten = unwritten
        self.ioend_count = unwritten
        self.writeback = writeback

    def snapshot(self) -> tuple:
        return (self.i_mutex.snapshot(), self.lock.snapshot(), tuple(self.completed),
                self.dio_count, self.unwritten, self.ioend_count, self.writeback)

    def restore(self, snap: tuple) -> None:
        mutex, lock, completed, self.dio_count, self.unwritten, self.ioend_count, self.writeback = snap
        self.i_mutex.restore(mutex)
        self.lock.restore(lock)
        self.completed = list(completed)
