"""Fast-forwarding the old worker's requeue loop to the time limit.

The old design with an overlapping truncate never finishes: the worker requeues and yields for ever.
When nothing but the worker can run again before the limit, and a whole pass over the pending work
items brought the world back to exactly the same state, every later pass is the same: the engine
skips whole passes up to the limit and counts what they cost (requeues, yields, lock acquisitions,
CPU time, steps). ``TimedRun.fast_forwards`` says where and how often.
"""

from __future__ import annotations

from collections import Counter

from ..designs.kinds import ACTIVITIES
from .cpus import DONE, SLEEP


class FastForward:
    """Mixin of the engine (``engine.Engine``): ``try_fast_forward`` at the start of each work item."""

    __slots__ = ()

    def try_fast_forward(self, now: int) -> bool:
        """If only the worker can ever run again before the limit and a whole pass over the pending
        items returned to the same state, skip whole passes up to the limit (counting their cost)."""
        w = self.w
        wid = self.worker
        if self.runq or self.spinners or (w.device_events and w.device_events[0][0] <= self.limit):
            self.ff_ref = None
            return False
        for s in range(len(w.tasks)):
            if s != wid and self.state[s] != DONE:
                if self.state[s] != SLEEP or w.wake_time(w.tasks[s]) <= self.limit:
                    self.ff_ref = None
                    return False
        pend = w.wq.pending
        if not pend:
            return False
        ref = self.ff_ref
        if ref is not None and pend[0] != ref["head"]:
            return False
        key = (tuple(pend), tuple(w.inode.completed), tuple(w.ios[k].snapshot() for k in pend), w.inode.snapshot(),
               tuple(t.snapshot() for t in w.tasks), self.cpu_of[wid], tuple(self.cpu_last))
        mark = {"head": pend[0], "key": key, "now": now, "stats": Counter(w.stats),
                "totals": self.totals_of(wid), "steps": self.n_steps}
        if ref is None or ref["key"] != key:
            self.ff_ref = mark
            return False
        period = now - ref["now"]
        reps = (self.limit - now) // period if period > 0 else 0
        if reps <= 0:
            return False
        self.skip(wid, now, period, reps, ref)
        return True

    def skip(self, wid: int, now: int, period: int, reps: int, ref: dict) -> None:
        """Charge ``reps`` more passes like the last one and move the worker to their end."""
        w = self.w
        d_stats = {k: v - ref["stats"].get(k, 0) for k, v in w.stats.items()}
        d_tot = {k: v - ref["totals"].get(k, 0) for k, v in self.totals_of(wid).items()}
        for k, v in d_stats.items():
            if v:
                w.stats[k] += v * reps
        for k, v in d_tot.items():
            if v:
                self.charge(wid, ACTIVITIES.index(k), v * reps)
        end = now + reps * period
        self.ffs.append({"task": wid, "start": now, "end": end, "period_us": period, "repeats": reps,
                         "per_period_us": {k: v for k, v in d_tot.items() if v},
                         "steps_per_period": self.n_steps - ref["steps"], "cpu": self.cpu_of[wid]})
        self.n_steps += reps * (self.n_steps - ref["steps"])
        self.ff_ref = None
        self.inv_requeued = False
        self.now = w.now = end
        self.schedule(wid, end)
        self.slice_from[wid] = end
