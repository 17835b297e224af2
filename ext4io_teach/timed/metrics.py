"""Metrics of a timed run: a dict for the CLI (``--json``) and pandas DataFrames for notebooks (plain
``tables.Table``s when pandas is not installed, as in the browser site).

``metrics(run)`` has exactly the keys of the ``metrics --json`` output:

* ``work_items_queued``: successful ``queue_work`` calls (old: one per io_end plus every requeue).
* ``requeues``, ``yields``: the old ``ext4_end_io_work`` requeueing itself, and its ``yield()`` calls.
* ``worker_cpu_us``: the worker's CPU time ``converting`` (``ext4_end_io`` / ``ext4_end_io_nolock``:
  conversion, aio_complete, inode_dio_done, i_unwritten) and ``wasted`` (every step of a work item
  that ended in a requeue, its yields, and spinning on ``i_completed_io_lock``). The rest of its time
  (dequeueing, list and flag work, frees) is ``bookkeeping`` in ``activity_frame``.
* ``lock_acquisitions``: ``spin_lock(i_completed_io_lock)`` calls, by every task.
* ``conversion_latency_us``: ``p50`` / ``p99`` (nearest rank) of the time from the device finishing a
  write to its ``aio_complete`` (null when no write was completed).
* ``truncate_latency_us``: from the truncate call to its return; the longest one if the workload
  truncates repeatedly; null when a truncate did not return within the time limit.
* ``i_mutex_hold_us``: total time anyone held i_mutex. ``sim_time_us``: simulated time at the end
  (the time limit when the run did not finish). ``wall_seconds``: real time the run took.
"""

from __future__ import annotations

from ..designs.kinds import ACTIVITIES
from ..tables import Table, pandas_or_none
from .run import TimedRun

JSON_KEYS = ("work_items_queued", "requeues", "yields", "worker_cpu_us", "lock_acquisitions",
             "conversion_latency_us", "truncate_latency_us", "i_mutex_hold_us", "sim_time_us", "wall_seconds")
WASTED = ("requeue", "yield", "spinning")


def percentile(values, q: float) -> int | None:
    """Nearest-rank percentile (``q`` in 0..100) of integers; None for no values."""
    if not values:
        return None
    s = sorted(values)
    rank = max(1, -(-len(s) * q // 100))  # ceil(n*q/100), at least 1
    return int(s[int(rank) - 1])


def truncate_latency(run: TimedRun) -> int | None:
    """The longest truncate, or None if one was called and had not returned at the end (or none ran)."""
    w = run.world
    if not w.truncates or w.truncate_calls > len(w.truncates):
        return None
    return max(end - start for start, end in w.truncates)


def metrics(run: TimedRun) -> dict:
    """One run's metrics, with exactly the keys of ``JSON_KEYS``."""
    s = run.stats
    wid = run.tid("worker")
    tot = run.totals[wid] if wid is not None else {}
    lat = run.world.conv_latency
    return {
        "work_items_queued": int(s.get("work_items_queued", 0)),
        "requeues": int(s.get("requeues", 0)),
        "yields": int(s.get("yields", 0)),
        "worker_cpu_us": {"converting": int(tot.get("converting", 0)),
                          "wasted": int(sum(tot.get(a, 0) for a in WASTED))},
        "lock_acquisitions": int(s.get("lock_acquisitions", 0)),
        "conversion_latency_us": {"p50": percentile(lat, 50), "p99": percentile(lat, 99)},
        "truncate_latency_us": truncate_latency(run),
        "i_mutex_hold_us": int(sum(end - start for _, start, end in run.holds)),
        "sim_time_us": int(run.sim_time_us),
        "wall_seconds": round(run.wall_seconds, 3),
    }


def flat(m: dict) -> dict:
    """``worker_cpu_us.converting`` style flat keys (for a table row)."""
    out = {}
    for k, v in m.items():
        if isinstance(v, dict):
            for k2, v2 in v.items():
                out[f"{k}.{k2}"] = v2
        else:
            out[k] = v
    return out


def _frame(rows: list[dict], columns: list[str] | None = None):
    """A pandas DataFrame of ``rows``, or a ``Table`` without pandas."""
    pd = pandas_or_none()
    if pd is None:
        return Table.from_dicts(rows, columns)
    return pd.DataFrame(rows, columns=columns)


def metrics_frame(runs: dict):
    """DataFrame: one row per design (``runs`` maps a design name to its TimedRun)."""
    rows = []
    for name, run in runs.items():
        row = {"design": name, "ios": run.workload.writes + run.workload.reads, "outcome": run.outcome}
        row.update(flat(metrics(run)))
        rows.append(row)
    return _frame(rows).set_index("design")


def activity_frame(run: TimedRun):
    """DataFrame: CPU µs per task and activity, plus µs runnable but waiting for a CPU."""
    rows = []
    for tid, name in enumerate(run.names):
        row = {"task": name, "role": run.roles[tid]}
        for a in ACTIVITIES:
            row[a] = int(run.totals[tid].get(a, 0))
        row["waiting for a CPU"] = int(run.cpu_wait[tid])
        rows.append(row)
    return _frame(rows).set_index("task")


def counters_frame(run: TimedRun):
    """DataFrame of the sampled counters over time (list length, i_dio_count, pending work, i_unwritten)."""
    cols = ["time_us", "list_len", "i_dio_count", "pending_work", "i_unwritten"]
    pd = pandas_or_none()
    return pd.DataFrame(run.samples, columns=cols) if pd else Table(cols, run.samples)


def segments_frame(run: TimedRun):
    """DataFrame of the activity segments (the swimlanes), one row per merged segment; ``--csv`` writes it."""
    import pandas as pd

    rows = [(run.names[tid], tid, cpu, start, end, ACTIVITIES[act])
            for tid, segs in enumerate(run.segments) for start, end, act, cpu in segs]
    rows += [(run.names[tid], tid, cpu, start, end, "holding i_mutex") for tid, start, end in run.holds
             for cpu in (-1,)]
    rows += [(run.names[f["task"]], f["task"], f["cpu"], f["start"], f["end"], "requeue (fast-forwarded)")
             for f in run.fast_forwards]
    df = pd.DataFrame(rows, columns=["task", "tid", "cpu", "start_us", "end_us", "activity"])
    return df.sort_values(["start_us", "tid"], kind="stable").reset_index(drop=True)
