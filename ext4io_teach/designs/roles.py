"""The task roles, declared once: where a task starts, what kind of kernel context it is, how the
stepper titles its code and how a timed run colours its steps.

A scenario (``scenarios.py``) or a timed workload (``timed/roles.py``) names its tasks' roles; everything
else reads this table: ``Design.entry`` (where a task starts), the explorer (a flush caller's return is
a liveness goal), the stepper's columns (``widgets/program.py``), the panel and the pictures (which task
is the worker, which completes io_ends) and the timed engine (a role's activity, the worker's
invocations). ``SEGMENTS`` titles the shared code a task calls (the flush stages, ``ext4_end_io``, ...):
a program counter ``<segment>.<name>`` belongs to the block of its segment.

Adding a role: one ``Role`` here, the steps its entry leads to (a design, or ``timed/roles.py``'s
``TimedRoles``), and a scenario or workload that uses it (DESIGN.md, "Adding a role or a scenario").
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import bad_input, shown


@dataclass(frozen=True)
class Role:
    name: str
    entry: str  # the program counter a task of this role starts at
    segments: tuple  # the pc segments of its own code, in the order the stepper shows them
    title: str  # the stepper's title for its own code
    short: str  # the same, short (the stepper's compact columns)
    glossary: str  # the kernel context a task of this role stands for
    completes: bool = False  # it completes io_ends (it calls no flush and no ext4_end_io)
    worker: bool = False  # it runs the workqueue's work items (process_one_work)
    flusher: bool = False  # it calls the design's flush; the explorer's liveness goal: it returns
    activity: str = "bookkeeping"  # how a timed run colours its steps, unless a step declares its own
    timed: bool = False  # only timed workloads have it


ROLES: dict[str, Role] = {r.name: r for r in (
    Role("dio", "dio.next", ("dio", "add"), "completion (ext4_end_io_dio)", "completion",
         "the AIO direct-write completion, ext4_end_io_dio, one io_end after the other", completes=True,
         activity="completion"),
    Role("wb", "dio.next", ("wb", "add"), "writeback completion (ext4_end_bio)", "end_bio",
         "the bio completion of buffered writeback, ext4_end_bio, one io_end after the other", completes=True),
    Role("worker", "wq.idle", ("wq",), "kworker: process_one_work", "process_one_work",
         "the kworker of dio_unwritten_wq running ext4_end_io_work", worker=True),
    Role("truncate", "tr.lock", ("tr",), "truncate (do_truncate, ext4_setattr)", "truncate",
         "truncate(2): do_truncate, ext4_setattr, ext4_truncate", flusher=True),
    Role("fsync", "fs.lock", ("fs",), "fsync (ext4_sync_file)", "fsync", "fsync(2): ext4_sync_file", flusher=True),
    Role("punch", "ph.call", ("ph",), "punch hole (ext4_ext_punch_hole)", "punch hole",
         "fallocate(2) with FALLOC_FL_PUNCH_HOLE: ext4_ext_punch_hole", flusher=True),
    Role("reader", "rd.check", ("rd",), "nolock DIO read", "DIO read",
         "a direct read with dioread_nolock: ext4_ind_direct_IO", flusher=True),
    Role("submit", "sub.next", ("sub",), "aio-stress / fio submitter", "submit",
         "an aio-stress thread or fio job submitting direct IO under i_mutex", activity="submitting", timed=True),
    Role("bwriter", "bw.lock", ("bw",), "buffered writer", "write()",
         "a buffered write(2) holding i_mutex", activity="buffered write", timed=True),
    Role("trloop", "tr.lock", ("tr", "fa"), "xfstests 299 loop: truncate, fallocate", "truncate loop",
         "xfstests 299's shell loop: truncate, then fallocate, again and again", flusher=True, timed=True),
)}

# the shared code a task calls: segment -> (title, short title)
SEGMENTS: dict[str, tuple[str, str]] = {
    "add": ("ext4_add_complete_io", "add_complete_io"),
    "A": ("flush stage A: take the list", "A"), "B": ("flush stage B: convert, no lock", "B"),
    "C": ("flush stage C: settle flags", "C"), "D": ("flush stage D: free", "D"),
    "ow": ("v3.6 ext4_end_io_work", "end_io_work"), "of": ("v3.6 ext4_flush_completed_IO", "old flush"),
    "eio": ("ext4_end_io (convert one io_end)", "ext4_end_io"),
    "uw": ("c278531d: ext4_unwritten_wait", "unwritten_wait"),
    "rmw": ("--split-rmw store", "rmw store"), "mx": ("mutex_lock: woken by mutex_unlock, try again", "mutex retry"),
}


def get_role(name: str) -> Role:
    if name not in ROLES:
        raise bad_input("role", f"unknown role {shown(name)}", ", ".join(ROLES))
    return ROLES[name]


def segment_titles() -> dict[str, tuple[str, str]]:
    """Every segment's ``(title, short title)``: each role's own first segment, then the shared code."""
    out = {r.segments[0]: (r.title, r.short) for r in ROLES.values() if not r.timed}
    return {**out, **SEGMENTS}
