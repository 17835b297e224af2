"""Punch hole after 02d262df "ext4: punch_hole should wait for DIO writers" (v3.7 merge window).

At 28a535f9, ``ext4_ext_punch_hole`` (fs/ext4/extents.c) takes neither i_mutex nor waits for DIO: it
flushes the completed list and removes the blocks (``Design.ph_*``). Its flush misses io_ends another
drainer holds and io_ends not yet completed, so it can remove blocks whose conversion is still pending
(the ``punch-waits`` property).

02d262df guards the whole function with i_mutex, blocks new unlocked DIO
(``ext4_inode_block_unlocked_dio``), waits for DIO in flight (``inode_dio_wait``), then flushes and
checks the flush's error, then removes the blocks (extents.c at 02d262df). c278531d, merged in the same
window, turned the flush into ``ext4_flush_unwritten_io`` and moved it before ``inode_dio_wait``: the
released v3.7 flushes and waits for ``i_unwritten == 0`` first, then waits for DIO (extents.c at
c278531d). ``PUNCH_FLUSH_FIRST`` selects that order.

``PunchWaits`` is a mixin placed before a design class: it replaces the punch role's steps and leaves
every other step as it is. With the v3.6 worker (``old+02d262df``) the DIO wait hangs just as
truncate's does: the worker converts only after ``mutex_trylock(i_mutex)`` succeeds, and punch holds
i_mutex while it waits for ``i_dio_count`` to drop, which happens only after a conversion.

SIMPLIFICATION: ``ext4_inode_block_unlocked_dio`` is not modelled (no scenario has an unlocked DIO
read racing punch); writing back and dropping the page cache is part of the first local.
"""

from __future__ import annotations

from .base import _dio_guard
from .table import local, step


class PunchWaits:
    """The punch role of 02d262df (``PUNCH_FLUSH_FIRST`` False) or of the released v3.7 (True)."""

    PUNCH_CHECKS_ERROR = True
    PUNCH_HOLDS_I_MUTEX = True
    PUNCH_FLUSH_FIRST = False

    @local("ph.call", "punch_hole", "ext4_ext_punch_hole: write back and drop the page cache", next=("ph.lock",))
    def ph_call(self, w, t):
        t.pc = "ph.lock"

    @step("ph.lock", "punch_hole", "mutex_lock(i_mutex); ext4_inode_block_unlocked_dio (02d262df)",
          next=("mx.retry", "ph.locked"), sleeps="mutex_lock(i_mutex) sleeps while another task holds it")
    def ph_lock(self, w, t):
        return self.take_mutex(w, t, "ph.locked")

    @local("ph.locked", "punch_hole", "02d262df: inode_dio_wait, then flush; v3.7: flush and wait, then "
           "inode_dio_wait",
          next=("ph.dio_wait if not PUNCH_FLUSH_FIRST", "FLUSH_ENTRY if PUNCH_FLUSH_FIRST",
                "ph.check if PUNCH_FLUSH_FIRST", "uw.wait if FLUSH_WAITS_UNWRITTEN and PUNCH_FLUSH_FIRST"))
    def ph_locked(self, w, t):
        if self.PUNCH_FLUSH_FIRST:
            self.call_flush(w, t, "ph.check")
        else:
            t.pc = "ph.dio_wait"

    @step("ph.dio_wait", "punch_hole", "inode_dio_wait: sleep until i_dio_count == 0 (02d262df)",
          guard=_dio_guard, wait_text=lambda w, t: f"waits for i_dio_count == 0 (now {w.inode.dio_count})",
          next=("ph.blocks if PUNCH_FLUSH_FIRST", "FLUSH_ENTRY if not PUNCH_FLUSH_FIRST",
                "ph.check if not PUNCH_FLUSH_FIRST", "uw.wait if FLUSH_WAITS_UNWRITTEN and not PUNCH_FLUSH_FIRST"),
          sleeps="inode_dio_wait sleeps until i_dio_count is 0")
    def ph_dio_wait(self, w, t):
        if self.PUNCH_FLUSH_FIRST:
            t.pc = "ph.blocks"
        else:
            self.call_flush(w, t, "ph.check")
        return "wait", "inode_dio_wait returns: i_dio_count is 0", None

    @local("ph.check", "punch_hole", "if the flush failed: unlock, return its error",
          next=("ph.unlock", "ph.dio_wait if PUNCH_FLUSH_FIRST", "ph.blocks if not PUNCH_FLUSH_FIRST"))
    def ph_check(self, w, t):
        if self.PUNCH_CHECKS_ERROR and t.ret:
            t.result = f"error {t.ret}: removed nothing"
            t.pc = "ph.unlock"
        else:
            t.pc = "ph.dio_wait" if self.PUNCH_FLUSH_FIRST else "ph.blocks"

    @step("ph.unlock", "punch_hole", "ext4_inode_resume_unlocked_dio; mutex_unlock(i_mutex); return", next=())
    def ph_unlock(self, w, t):
        w.mutex_unlock(t)
        t.pc = "done"
        return "mutex_unlock", "mutex_unlock(i_mutex): punch hole returns", None
