"""io_end flag bits, as defined in fs/ext4/ext4.h at 28a535f9 (IN_FSYNC from v3.6, removed by 28a535f9)."""

UNWRITTEN = 0x01  # EXT4_IO_END_UNWRITTEN: the extent still needs conversion
ERROR = 0x02  # EXT4_IO_END_ERROR (not used by the model; kept for the numbering)
QUEUED = 0x04  # EXT4_IO_END_QUEUED: a work item for this io_end was queued (old: requeued)
DIRECT = 0x08  # EXT4_IO_END_DIRECT: inode_dio_done must run after conversion
IN_FSYNC = 0x10  # EXT4_IO_END_IN_FSYNC (v3.6 only): the old fsync flush is converting it

NAMES = {UNWRITTEN: "UNWRITTEN", QUEUED: "QUEUED", DIRECT: "DIRECT", IN_FSYNC: "IN_FSYNC", ERROR: "ERROR"}


def describe(flags: int) -> str:
    """``UNWRITTEN|DIRECT`` style text for a flag word (``-`` when none is set)."""
    names = [name for bit, name in NAMES.items() if flags & bit]
    return "|".join(names) if names else "-"
