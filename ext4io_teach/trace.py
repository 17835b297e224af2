"""Step records: one per step, the currency the CLI, the widgets, the plots and the tests read.

``to_frame(records)`` builds a pandas DataFrame; pandas is imported only then (without pandas, as in the
browser site, a plain ``tables.Table`` with the same columns).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .step import where


@dataclass(frozen=True)
class StepRecord:
    i: int  # step index in the run
    task: int  # task id
    name: str  # task name
    func: str  # short kernel function name (see docs/glossary.md)
    stage: str  # A, B, C, D inside a flush, else ""
    action: str  # what the step did, in words
    kind: str  # cost-model kind (spin_lock, list, flag, convert, free, yield, ...)
    io: int | None  # the io_end it touched
    spin_holder: str | None  # after the step
    mutex_holder: str | None
    list_len: int  # the inode's completed list
    dio_count: int  # i_dio_count
    pending: int  # work items pending on the workqueue

    @property
    def label(self) -> str:
        return f"{where(self.func, self.stage)} {self.action}"

    def as_json(self) -> dict:
        return {"i": self.i, "task": self.task, "name": self.name, "label": self.label, "io": self.io}


def record(i: int, world, t, out) -> StepRecord:
    """The record of the step task ``t`` just took (``out``, a ``step.StepOutcome``)."""
    inode = world.inode
    tasks = world.tasks
    sh, mh = inode.lock.holder, inode.i_mutex.holder
    return StepRecord(i, t.tid, t.name, out.func, out.stage, out.text, out.kind, out.io,
                      tasks[sh].name if sh is not None else None, tasks[mh].name if mh is not None else None,
                      len(inode.completed), inode.dio_count, len(world.wq.pending))


def to_frame(records):
    """A pandas DataFrame with one row per step (pandas is imported here, not at package import);
    a ``tables.Table`` when pandas is not installed."""
    from .tables import Table, pandas_or_none

    rows = [dict(asdict(r), label=r.label) for r in records]
    columns = list(StepRecord.__dataclass_fields__) + ["label"]
    pd = pandas_or_none()
    return pd.DataFrame(rows, columns=columns) if pd else Table.from_dicts(rows, columns)
