"""Timed runs: the designs' steps on simulated CPUs, in simulated time.

* ``run``: ``run_timed`` (validates its inputs once) and ``TimedRun``, what a run produced;
* ``engine``: the discrete-event simulation around the one step routine, with ``cpus`` (who runs
  where, who sleeps), ``accounts`` (segments, totals, holds, samples) and ``fastforward`` (the old
  worker's endless requeue loop skipped to the time limit);
* ``world``: ``TimedWorld`` (io_ends submitted over time, completed by a device model) and the roles
  only timed runs have (submitters, buffered writers, the xfstests 299 loop);
* ``costs``: how many simulated microseconds each kind of step takes;
* ``workload``: the timed workloads as data;
* ``metrics``: the figures of a run (latencies, CPU time by activity, counters);
* ``plot`` and ``committed``: timelines and scaling curves, or the committed figures without matplotlib.

matplotlib and pandas are imported only by the functions that draw or build frames.
"""

from ..designs.kinds import ACTIVITIES
from .run import MAX_CPUS, MAX_TIME_LIMIT_US, TimedRun, run_timed, timed_checks, timed_design_names

__all__ = ["ACTIVITIES", "MAX_CPUS", "MAX_TIME_LIMIT_US", "TimedRun", "run_timed", "timed_checks",
           "timed_design_names"]
