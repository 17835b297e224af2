"""A crash view: what a read after a crash would return for each io_end's range, at any step of a run.

Each io_end stands for a write into an unwritten extent. After a crash a read of its range returns the
data only if both have reached the disk: the data blocks, and the extent converted to written. An
unwritten extent reads as zeros whatever its blocks hold [K37]; ``ext4_convert_unwritten_extents``
(``ext4_end_io``) is what makes it written [K43]. So the view asks, per io_end:

* is the data on disk? A buffered writeback io_end's pages are once ``ext4_end_bio`` has ended their
  writeback (``end_page_writeback``) [K64]; an AIO direct write's data is once its bio completed, which
  the model takes to be the first step of its completion (``ext4_end_io_dio`` runs after the bio).
* is the extent converted? Yes once a conversion ran and did not fail (``--fail-io``: the extent stays
  unwritten and the kernel logs "potential data loss" [K43]).
* did a fsync that has returned owe it? fsync owes every io_end whose write the application was told is
  done before fsync's flush began: a buffered io_end whose page writeback had ended, an AIO direct write
  whose ``aio_complete`` had run [K63] [K64] (the rule of the property ``fsync-durable``,
  ``Design.fs_unlock``).

SIMPLIFICATION (what the model does not know):

* No journal. A conversion changes extent metadata inside a journal handle [K31]; on a real disk it is
  durable only once that transaction commits (fsync forces a commit). The view counts a conversion as
  durable the moment it runs: it shows the best a crash could leave, and a zero it shows is certain.
* No ordering of metadata against data and no volatile disk cache: data is "on disk" when its bio ends.
* No file layout: truncate and punch hole remove blocks, but the model does not say where the io_ends'
  ranges lie against the new size or the hole. The view ignores the removal and says so in a note.

``crash_view(run, step=None)`` replays the run's schedule up to ``step`` in a fresh run with the same
inputs (the run itself is not touched) and reads the World; ``step=None`` is the run's current state.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import bad_input, shown

_WAITING_FOR_I_MUTEX = ("fs.lock", "mx.retry")  # an fsync at these pcs has not begun its flush


@dataclass(frozen=True)
class CrashRow:
    """One io_end's range after a crash at this point of the run."""

    io: int
    write: str  # "direct AIO" or "buffered"
    data: str  # "on disk" or "not yet": the data blocks
    extent: str  # "unwritten", "written" (converted) or "unwritten (conversion failed)"
    reads: str  # "data" or "zeros": what a read after the crash returns
    owed_by: str  # the fsync that returned owing this io_end, or ""

    @property
    def lost(self) -> bool:
        """A fsync returned owing this io_end, and a crash now would read zeros: the durability bug."""
        return bool(self.owed_by) and self.reads == "zeros"


@dataclass(frozen=True)
class CrashView:
    inputs: dict
    step: int  # the view is of the state after this many steps
    rows: tuple
    notes: tuple

    @property
    def lost(self) -> list[int]:
        return [r.io for r in self.rows if r.lost]

    def __str__(self) -> str:
        head = ("io_end", "write", "data", "extent", "a read after a crash", "fsync returned owing it")
        body = [(f"io#{r.io}", r.write, r.data, r.extent, r.reads + ("  <- LOST" if r.lost else ""),
                 r.owed_by or "-") for r in self.rows]
        widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
        lines = [f"crash after step {self.step} of {self.inputs['scenario']}, {self.inputs['design']}, "
                 f"N={self.inputs['ios']}:"]
        lines += ["  " + "  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip() for row in (head, *body)]
        return "\n".join(lines + [f"  note: {n}" for n in self.notes])

    def to_frame(self):
        """The rows as a DataFrame (``tables.py`` gives a plain table where pandas is missing)."""
        from .tables import Table, pandas_or_none

        columns = ["io_end", "write", "data", "extent", "reads", "owed_by", "lost"]
        rows = [dict(zip(columns, (f"io#{r.io}", r.write, r.data, r.extent, r.reads, r.owed_by, r.lost)))
                for r in self.rows]
        pd = pandas_or_none()
        return pd.DataFrame(rows, columns=columns) if pd else Table.from_dicts(rows, columns)


def _as_run(run):
    """A ``sched.Run`` from a Run, a RunResult or anything with a ``.run`` Run (the stepper's controller)."""
    from .sched import Run

    inner = getattr(run, "run", None)
    if isinstance(run, Run):
        return run
    if isinstance(inner, Run):
        return inner
    raise bad_input("run", f"{shown(run)} is not a run", "an e4.Run, the result of e4.run(...), or a stepper")


def _data_on_disk(w, io) -> bool:
    """Buffered: its page writeback ended. Direct: its completion has taken its first step for it."""
    if not io.iocb:
        return io.writeback_ended
    for t in w.tasks:
        if t.role != "dio":
            continue
        if t.pc == "done" or (t.io is not None and t.io > io.id):
            return True
        if t.io == io.id and (t.pc != w.design.ADD_ENTRY or t.waits_for is not None):
            return True
    return io.added


def _row(w, io, owed_by: str) -> CrashRow:
    data = _data_on_disk(w, io)
    if io.conv and io.fails:
        extent = "unwritten (conversion failed)"
    else:
        extent = "written" if io.conv else "unwritten"
    reads = "data" if data and extent == "written" else "zeros"
    return CrashRow(io.id, "direct AIO" if io.iocb else "buffered", "on disk" if data else "not yet", extent,
                    reads, owed_by)


def _replay(run, step: int):
    """A fresh Run with ``run``'s inputs after ``step`` steps of its schedule, and what each fsync owed:
    ``{fsync tid: (io ids, returned)}``, the io_ends told done when its flush began."""
    from .errors import InvariantViolation

    fresh = run.fresh()
    fresh.keep_trace = False
    owed: dict = {}
    for tid in run.schedule[:step]:
        try:
            fresh.step(tid)
        except InvariantViolation:
            pass  # the run's own last step: the state it leaves is the view's
        w = fresh.world
        for t in w.tasks:
            if t.role == "fsync" and t.tid not in owed and t.pc not in _WAITING_FOR_I_MUTEX:
                owed[t.tid] = tuple(io.id for io in w.ios if io.writeback_ended or io.aio)
    return fresh, owed


def _returned(fresh, tid: int) -> bool:
    """fsync ``tid`` has returned: it is done, or its return step is the one that broke ``fsync-durable``."""
    t = fresh.world.tasks[tid]
    v = fresh.violation
    return t.pc == "done" or (v is not None and v.invariant == "fsync-durable" and fresh.schedule[-1] == tid)


def crash_view(run, step: int | None = None) -> CrashView:
    """What a read after a crash would return for each io_end's range, after ``step`` steps of ``run``
    (default: all it has taken). ``run`` is an ``e4.Run``, a ``RunResult`` or a stepper."""
    r = _as_run(run)
    total = len(r.schedule)
    if step is None:
        step = total
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= total:
        raise bad_input("step", f"{shown(step)} is not a step of this run", f"0..{total} (the steps taken), or None")
    fresh, owed = _replay(r, step)
    w = fresh.world
    owed_by = {}
    for tid, ios in owed.items():
        if _returned(fresh, tid):
            for k in ios:
                owed_by.setdefault(k, w.tasks[tid].name)
    rows = tuple(_row(w, io, owed_by.get(io.id, "")) for io in w.ios)
    notes = []
    removers = [t.name for t in w.tasks if t.role in ("truncate", "punch")
                and (t.result or "").startswith(("truncated", "removed blocks"))]
    if removers:
        notes.append(f"{', '.join(removers)} removed blocks; the model does not place the io_ends' ranges against "
                     "the new size or the hole, so the view ignores the removal")
    if any(r_.extent == "written" for r_ in rows):
        notes.append("'written' counts a conversion as durable at once; on a real disk it waits for the journal "
                     "commit (not modelled)")
    return CrashView(dict(r.inputs), step, rows, tuple(notes))


__all__ = ["crash_view", "CrashView", "CrashRow"]
