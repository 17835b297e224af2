"""``ext4_io_end_t``: one completed write whose unwritten extent still has to be converted.

Two kinds: an AIO direct write (``ext4_end_io_dio``: flags UNWRITTEN|DIRECT, an iocb that
``aio_complete`` completes after the conversion, counted in ``i_dio_count``), or a buffered writeback
bio (``ext4_end_bio``: flags UNWRITTEN only, no iocb, not counted in ``i_dio_count``; its pages end
writeback in the bio completion, before the io_end joins the completed list).

Models the struct in fs/ext4/ext4.h and its life cycle: ``ext4_init_io_end`` allocates it,
``ext4_set_io_unwritten_flag`` sets UNWRITTEN and bumps ``i_unwritten``, a completion adds it to
the inode's completed list, a drainer converts it (``ext4_end_io``) and ``ext4_free_io_end`` frees it.

Besides the kernel fields (``flags``, the ``list`` link, the embedded work item) the record keeps
ghost counters that the kernel does not have but the invariants need: how often it was converted,
aio-completed, DIO-done, counted out of ``i_unwritten`` and freed.

SIMPLIFICATION: ``where`` stands for the ``list_head`` link. It names the one list the io_end is on
(``"inode"`` or ``"<tid>.<local list>"``) or is ``None`` when the link is empty (``list_empty``).
"""

from __future__ import annotations

from .flags import DIRECT, UNWRITTEN


class IoEnd:
    """One io_end. ``snapshot()`` is an immutable tuple of every field that is state."""

    __slots__ = ("id", "flags", "where", "conv", "aio", "dio_done", "unw_done", "freed", "freed_by",
                 "added", "cleared", "writeback_ended", "fails", "iocb")

    def __init__(self, io_id: int, flags: int = UNWRITTEN | DIRECT, fails: bool = False, iocb: bool = True):
        self.id = io_id
        self.flags = flags
        self.where: str | None = None  # the list its ``list`` link is on, None when list_empty
        self.conv = 0  # conversions run (ext4_convert_unwritten_extents)
        self.aio = 0  # aio_complete calls
        self.dio_done = 0  # inode_dio_done calls
        self.unw_done = 0  # i_unwritten decrements
        self.freed = 0  # ext4_free_io_end calls
        self.freed_by: int | None = None  # task id that freed it
        self.added = False  # ghost: a completion added it to the inode's list
        self.cleared = False  # ghost: UNWRITTEN has been cleared once
        self.writeback_ended = False  # buffered only: end_page_writeback ran for its pages (ext4_end_bio)
        self.fails = fails  # configuration: its conversion fails (--fail-io); not state
        self.iocb = iocb  # configuration: an AIO direct write has an iocb to complete; writeback has none

    def snapshot(self) -> tuple:
        return (self.flags, self.where, self.conv, self.aio, self.dio_done, self.unw_done,
                self.freed, self.freed_by, self.added, self.cleared, self.writeback_ended)

    def restore(self, snap: tuple) -> None:
        (self.flags, self.where, self.conv, self.aio, self.dio_done, self.unw_done,
         self.freed, self.freed_by, self.added, self.cleared, self.writeback_ended) = snap

    @property
    def label(self) -> str:
        return f"io#{self.id}"
