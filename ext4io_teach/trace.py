"""Step records: one per step, the currency the CLI, the widgets, the plots and the tests read.

``to_frame(records)`` builds a pandas DataFrame; pandas is imported only then (without pandas, as in the
browser site, a plain ``tables.Table`` with the same columns).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


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
        where = f"{self.func}.{self.stage}" if self.stage else self.func
        return f"{where} {self.action}"

    def as_json(self) -> dict:
        return {"i": self.i, "task": self.task, "name": self.name, "label": self.label, "io": self.io}


def record(i: int, world, t, func: str, stage: str, kind: str, text: str, io: int | None) -> StepRecord:
    """Build the record of a step just taken by task ``t``; ``func`` and ``stage`` come from
    ``Design.label_of(t)``, taken before the step."""
    inode = world.inode
    tasks = world.tasks
    sh, mh = inode.lock.holder, inode.i_mutex.holder
    return StepRecord(i, t.tid, t.name, func, stage, text, kind, io,
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
