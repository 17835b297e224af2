"""Each task's program as the stepper shows it: blocks of pseudo-code lines, one per step.

The design's ``listing((role,))`` holds the steps a task of that role can reach, in program order. A
task's column keeps the blocks its role runs: its own function, the flush (or the v3.6 worker) it calls, and
``ext4_end_io``. A step's program counter is ``<segment>.<name>``; the segment says which block a
line belongs to. Standard library only: no ipywidgets here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..designs.roles import get_role, segment_titles
from ..panel import FLUSH_STAGES  # one definition, shared with the text views

# every segment's titles, from the roles (designs/roles.py): segment -> title, segment -> short title
SEGMENT_TITLES = {seg: titles[0] for seg, titles in segment_titles().items()}
SHORT_TITLES = {seg: titles[1] for seg, titles in segment_titles().items()}


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
    """The segments of a role's column, in display order: its own code (``Role.segments``), the flush
    it calls (a worker: the design's worker entry), ``ext4_end_io`` unless it completes io_ends. The
    mutex retry, ``ext4_unwritten_wait`` and the split store are listed where a role might reach them;
    ``task_program`` keeps only the blocks it can."""
    r = get_role(role)
    segs = [*r.segments, "mx"]
    if r.worker:
        segs += _flush_segments(design.WORKER_ENTRY)
    elif not r.completes:
        segs += _flush_segments(design.FLUSH_ENTRY)
        if getattr(design, "FLUSH_WAITS_UNWRITTEN", False):
            segs.append("uw")
    if not r.completes:
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
