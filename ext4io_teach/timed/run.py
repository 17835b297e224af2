"""Timed runs: the same design steps on K simulated CPUs, with integer microsecond time.

``run_timed(workload, design, cpus=K, seed=S)`` is a small discrete-event simulation:

* A task on a CPU runs one design step (``step.step``, the very routine the stepper runs), which
  takes effect at once; the CPU is then busy for the step's cost (``costs.CostModel``), plus a
  context switch when that CPU last ran another task. Events at the same time run in task-id order.
* A task that asks for a held **spinlock** keeps its CPU and spins (CPU time, shown as spinning) until
  the FIFO ticket lock is handed to it. A task that waits for **i_mutex**, for ``i_dio_count == 0``
  (``inode_dio_wait``), for a work item (the idle worker), for a device completion or for its start
  time **sleeps**: it gives its CPU away and uses no CPU time. ``mutex_unlock`` hands nothing over: it
  frees i_mutex and wakes the first waiter, which needs a CPU again to retry (``mx.retry``) and sleeps
  again if another task (the old worker's trylock, a submitter, a buffered writer) took it first.
* ``yield()`` gives the CPU to a runnable task waiting for one and returns at once if there is none,
  so the old worker's requeue/yield loop keeps a CPU busy. A task keeps its CPU until it sleeps,
  yields, finishes or has run ``timeslice_us`` while another task waits (never while it holds the
  spinlock). The completion task (interrupt context) is served first when it waits for a CPU.
  SIMPLIFICATION: completions run as an ordinary task that is queued first, not as an interrupt.
* Invariants are checked after every step, incrementally: the core's ``invariants.check_state``
  looks only at the io_end the step touched. A step that breaks one ends the run: ``outcome`` is
  ``violation`` and ``violation`` / ``violation_step`` / ``violation_task`` say which invariant, at
  which step, in which task (``describe_violation()`` in one line), as ``sched.run`` does. The checks
  are the design family's set, and for a variant of the mutant gallery the consequences only, as the
  gallery checks it (``timed_checks``): an equivalent variant breaks, by construction, the protocol
  rule its change restates, which is no consequence and no bug.
* The run stops when every task has finished or at the time limit. The old design with an
  overlapping truncate never finishes: when nothing but the worker's requeue loop can run and a
  whole pass over the pending work items returns to exactly the same state, the loop is
  **fast-forwarded** to the time limit, counting what the skipped passes cost (requeues, yields,
  lock acquisitions, CPU time). ``TimedRun.fast_forwards`` says where and how often.
* ``progress``: a tqdm bar of the IOs done once a run has taken about a second (``None``, the default;
  ``True`` at once, ``False`` never, or a callable ``f(ios_done, simulated_ms)``), updated when the
  counters over time are sampled (at most about 3,000 times a run, so it costs nothing per step).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field

from ..designs import design_names, get_design
from ..errors import InvariantViolation, bad_input, shown
from ..invariants import CONSEQUENCES, enabled_for
from ..progress import progress_for
from ..sched import SEED_MAX, SEED_MIN
from .costs import DEFAULT_COSTS, CostModel
from .engine import Engine
from .roles import roles_for, timed_design
from .workload import Workload
from .world import TimedWorld

MAX_CPUS = 64
MAX_TIME_LIMIT_US = 10 ** 15  # about 31 years of simulated time


@dataclass
class TimedRun:
    """Everything a timed run produced. Times are µs; ``segments[tid]`` are ``[start, end, activity
    index, cpu]`` lists (consecutive equal activity merged); ``holds`` are i_mutex holds
    ``(tid, start, end)``; ``samples`` are ``(time, list length, i_dio_count, pending work items,
    i_unwritten)`` taken at most once per ``sample_us``."""

    design: str
    workload: Workload
    cpus: int
    seed: int
    costs: CostModel
    limit_us: int
    world: TimedWorld
    names: list
    roles: list
    segments: list
    holds: list
    samples: list
    totals: list  # per task: Counter activity -> µs on a CPU
    cpu_wait: list  # per task: µs runnable but waiting for a CPU
    sim_time_us: int = 0
    outcome: str = "completed"  # or "time-limit", "stuck", "violation"
    fast_forwards: list = field(default_factory=list)
    steps: list | None = None
    n_steps: int = 0
    wall_seconds: float = 0.0
    checks: frozenset = frozenset()
    violation: InvariantViolation | None = None
    violation_step: int | None = None  # the number of the step that broke it (the steps before it: n_steps)
    violation_task: int | None = None
    violation_at: str = ""  # where in the design's code: "func.stage" of the step

    @property
    def completed(self) -> bool:
        return self.outcome == "completed"

    @property
    def stats(self) -> Counter:
        return self.world.stats

    def describe_violation(self) -> str:
        """One line: the invariant, the step, the task, the simulated time and the message."""
        v = self.violation
        if v is None:
            return ""
        return (f"violation of {v.invariant} at step {self.violation_step} ({self.names[self.violation_task]}, "
                f"{self.violation_at}, {self.sim_time_us} us simulated): {v.message}")

    def tid(self, role_or_name: str) -> int | None:
        for i, (name, role) in enumerate(zip(self.names, self.roles)):
            if role_or_name in (name, role):
                return i
        return None


def _check_int(name, value, low, high, allowed):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise bad_input(name, f"{shown(value)} is out of range", allowed)



def timed_checks(design: str) -> frozenset:
    """The invariants a timed run of ``design`` checks: the consequences for a variant of the mutant
    gallery (as ``explore.gallery`` checks it), else the design family's set."""
    d = get_design(design)
    from ..designs.mutants import VARIANTS

    return CONSEQUENCES if design in VARIANTS else enabled_for(d.family)


def timed_design_names() -> list[str]:
    """The designs a timed run accepts: all but those that differ from another only in a role no timed
    workload has (``Design.TIMED_AS``: 02d262df and old+02d262df change punch hole only)."""
    return [n for n in design_names() if get_design(n).TIMED_AS is None]


def run_timed(workload: Workload, design: str = "new", *, cpus: int = 2, seed: int = 0,
              costs: CostModel = DEFAULT_COSTS, time_limit_us: int | None = None, keep_steps: bool = False,
              fast_forward: bool = True, progress=None) -> TimedRun:
    """Run ``workload`` under ``design`` on ``cpus`` simulated CPUs; see the module docstring."""
    same_as = get_design(design).TIMED_AS
    if same_as is not None:
        raise bad_input("design", f"{design} differs from {same_as} only in punch hole, which no timed workload runs "
                        f"(run {same_as})", ", ".join(timed_design_names()))
    checks = timed_checks(design)
    if not isinstance(workload, Workload):
        raise bad_input("workload", f"{shown(workload)} is not a Workload",
                        "ext4io_teach.timed.workload.make_workload(...)")
    _check_int("cpus", cpus, 1, MAX_CPUS, f"1..{MAX_CPUS}")
    _check_int("seed", seed, SEED_MIN, SEED_MAX, f"{SEED_MIN}..{SEED_MAX}")
    if not isinstance(costs, CostModel):
        raise bad_input("costs", f"{shown(costs)} is not a CostModel", "ext4io_teach.timed.costs.CostModel(...)")
    limit = workload.limit_us if time_limit_us is None else time_limit_us
    _check_int("time_limit_us", limit, 1, MAX_TIME_LIMIT_US, f"1..{MAX_TIME_LIMIT_US} (microseconds)")
    bar = progress_for(progress, workload.writes + workload.reads, f"{workload.name} {design}", "IOs", "sim_ms")
    wall0 = time.perf_counter()
    w = TimedWorld(timed_design(design), roles_for(workload), workload, random.Random(seed), checks=checks)
    sim = Engine(w, cpus, costs, limit, keep_steps, fast_forward, bar)
    try:
        sim.run()
    finally:
        bar.close()
    run = TimedRun(design, workload, cpus, seed, costs, limit, w, [t.name for t in w.tasks],
                   [t.role for t in w.tasks], sim.segs, sim.holds, sim.samples, sim.totals, sim.cpu_wait,
                   sim.now, sim.outcome, sim.ffs, sim.steps, sim.n_steps, checks=w.checks)
    if sim.violation is not None:
        run.violation, run.violation_task, run.violation_at = sim.violation
        run.violation_step = sim.n_steps
    run.wall_seconds = time.perf_counter() - wall0
    return run
