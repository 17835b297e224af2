"""Each task's program as the stepper shows it: blocks of pseudo-code lines, one per step.

The design's ``listing((role,))`` holds the steps a task of that role can reach, in program order. A
task's column keeps the blocks its role runs: its own function, the flush (or the v3.6 worker) it calls, and
``ext4_end_io``. A step's program counter is ``<segment>.<name>``; the segment says which block a
line belongs to. Standard library only: no ipywidgets here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..panel import FLUSH_STAGES  # one definition, shared with the text views

# role -> its own segments (the function the task is in)
ROLE_OWN = {
    "dio": ("dio", "add"),
    "wb": ("wb", "add"),
    "worker": ("wq",),
    "truncate": ("tr",),
    "fsync": ("fs",),
    "punch": ("ph",),
    "reader": ("rd",),
}
SEGMENT_TITLES = {
    "dio": "completion (ext4_end_io_dio)", "wb": "writeback completion (ext4_end_bio)",
    "add": "ext4_add_complete_io",
    "wq": "kworker: process_one_work", "tr": "truncate (do_truncate, ext4_setattr)",
    "fs": "fsync (ext4_sync_file)", "ph": "punch hole (ext4_ext_punch_hole)", "rd": "nolock DIO read",
    "A": "flush stage A: take the list", "B": "flush stage B: convert, no lock",
    "C": "flush stage C: settle flags", "D": "flush stage D: free",
    "ow": "v3.6 ext4_end_io_work", "of": "v3.6 ext4_flush_completed_IO",
    "eio": "ext4_end_io (convert one io_end)", "uw": "c278531d: ext4_unwritten_wait",
    "rmw": "--split-rmw store", "mx": "mutex_lock: woken by mutex_unlock, try again",
}
SHORT_TITLES = {"dio": "completion", "wb": "end_bio", "add": "add_complete_io", "wq": "process_one_work",
                "tr": "truncate", "fs": "fsync", "ph": "punch hole", "rd": "DIO read",
                "A": "A", "B": "B", "C": "C", "D": "D",
                "ow": "end_io_work", "of": "old flush", "eio": "ext4_end_io", "uw": "unwritten_wait",
                "rmw": "rmw store", "mx": "mutex retry"}
COMPLETION_ROLES = ("dio", "wb")


def segment(pc: str) -> str:
    return pc.split(".", 1)[0]


def _flush_segments(entry_pc: str) -> tuple:
    seg = segment(entry_pc)
    return FLUSH_STAGES if seg in FLUSH_STAGES else (seg,)


@dataclass(frozen=True)
class Line:
    pc: str
    text: str
    local: bool  # purely local control flow, run inside the step before it


@dataclass(frozen=True)
class Block:
    segment: str
    title: str
    lines: tuple


def role_segments(design, role: str, split_rmw: bool = False) -> list[str]:
    """The segments of a role's column, in display order."""
    segs = list(ROLE_OWN.get(role, (role,)))
    if role != "dio":
        segs.append("mx")  # shown only where the role can reach it (``task_program``)
    if role == "worker":
        segs += _flush_segments(design.WORKER_ENTRY)
    elif role not in COMPLETION_ROLES:
        segs += _flush_segments(design.FLUSH_ENTRY)
        if getattr(design, "FLUSH_WAITS_UNWRITTEN", False):
            segs.append("uw")
    if role not in COMPLETION_ROLES:
        segs.append("eio")
    if split_rmw:
        segs.append("rmw")
    return segs


def task_program(design, role: str, split_rmw: bool = False) -> list[Block]:
    """The blocks of pseudo-code a task of this role can run under this design."""
    by_seg: dict[str, list[Line]] = {}
    for spec in design.listing((role,)):
        by_seg.setdefault(segment(spec.pc), []).append(Line(spec.pc, spec.text, spec.local))
    blocks = []
    for seg in role_segments(design, role, split_rmw):
        if seg in by_seg:
            title = SEGMENT_TITLES.get(seg, seg)
            if seg == "add" and design.family == "old":
                title = "v3.6 completion: add to the list, queue its own work"
            blocks.append(Block(seg, title, tuple(by_seg[seg])))
    return blocks


def with_pc(blocks: list[Block], design, pc: str) -> list[Block]:
    """``blocks`` plus a block for ``pc`` if no block holds it (a broken variant may add steps)."""
    if pc == "done" or pc not in design.table or any(ln.pc == pc for b in blocks for ln in b.lines):
        return blocks
    seg = segment(pc)
    spec = design.table[pc][0]
    return blocks + [Block(seg, SEGMENT_TITLES.get(seg, seg), (Line(pc, spec.text, spec.local),))]
