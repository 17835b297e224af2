"""Timed runs: the same design steps on K simulated CPUs, with integer microsecond time.

``run_timed(workload, design, cpus=K, seed=S)`` is a small discrete-event simulation:

* A task on a CPU runs one design step (``design.do_step``, the very code the stepper runs), which
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
* Python's cyclic garbage collector is paused during the run (``gcpause.collector_paused``): a run at
  the seed's scale keeps about a million small lists alive, and full collections over them grew
  faster than the run (2.5 % of the instructions at 100,000 IOs).
"""

from __future__ import annotations

import heapq
import random
import time
from collections import Counter, deque
from dataclasses import dataclass, field

from ..designs import design_names, get_design
from ..errors import InvariantViolation, bad_input, shown
from ..gcpause import collector_paused
from ..invariants import CONSEQUENCES, enabled_for, state_checker
from ..progress import progress_for
from ..sched import SEED_MAX, SEED_MIN
from .costs import DEFAULT_COSTS, CostModel
from .workload import Workload
from .world import INF, TimedWorld, roles_for, timed_design

MAX_CPUS = 64
MAX_TIME_LIMIT_US = 10 ** 15  # about 31 years of simulated time
ACTIVITIES = ("converting", "requeue", "yield", "spinning", "completion", "submitting", "buffered write",
              "bookkeeping")
ACT = {a: i for i, a in enumerate(ACTIVITIES)}
REQUEUE_PCS = frozenset({"ow.rq_set", "ow.rq_unlock", "ow.rq_queue", "ob.rq_mutex"})
ROLE_ACT = {"dio": "completion", "submit": "submitting", "bwriter": "buffered write"}
RUN, SPIN, READY, SLEEP, DONE = range(5)
YIELD, CONVERTING, REQUEUE, BOOK, SPINNING = (ACT["yield"], ACT["converting"], ACT["requeue"], ACT["bookkeeping"],
                                              ACT["spinning"])
OW_CHECK = -1  # the old worker's check: requeue or bookkeeping, by where it went
# step kinds after which a sleeping or spinning task may have become runnable: a lock released (and
# handed over), a work item queued, i_dio_count / i_unwritten dropped, an aio slot freed, an IO
# submitted (a completion time is now known). Other steps cannot wake anyone, so the engine skips the
# scan; if it ever runs out of events with work left, it scans everything once more (``run``).
WAKE_KINDS = frozenset({"spin_unlock", "mutex_unlock", "queue_work", "dio_done", "unwritten", "aio", "submit"})
# Of those, the kinds that only release a lock, and which lock. No guard reads a lock, so such a step can
# wake a task only through the lock's waiters: the spinlock hands itself to the next spinner (it then has a
# holder again); mutex_unlock frees i_mutex and wakes its first waiter, which stays on the wait list until
# its retry takes the mutex (so the list is not empty). Else the scan runs only if an event is due now: a
# sleeper's time gate may have opened, and the scan wakes such a sleeper before its timer event does (``look``).
RELEASES = {"spin_unlock": "lock", "mutex_unlock": "i_mutex"}


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
    roles = roles_for(workload)
    w = TimedWorld(timed_design(design), roles, workload, random.Random(seed), checks=checks)
    sim = _Engine(w, cpus, costs, limit, keep_steps, fast_forward, bar)
    for tid, (_, role) in enumerate(roles):
        start = {"truncate": workload.truncate_at_us, "trloop": workload.truncate_every_us,
                 "fsync": workload.fsync_every_us}.get(role, 0) or 0
        if role == "bwriter":
            start = (tid * 37) % max(1, workload.buffered_every_us)
        w.start_at[tid] = w.started[tid] = start
    try:
        with collector_paused():  # the run's segments, samples and steps: many objects, no cycles
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


# why a sleeping task is not runnable, as the engine last found it (``_Engine.why``): until then it
# needs a full look; a queued lock waiter stays put until the lock is handed to it (or, for i_mutex,
# until mutex_unlock wakes it); a closed time gate stays closed until its time (or until an IO is
# submitted: ``timers_changed``); a failing guard is all that holds back a task that is not waiting for
# a lock or a time
UNKNOWN, LOCKED, TIMED, GUARDED = range(4)


class _Engine:
    # Slots, not an instance dict: CPython 3.11 shares an instance dict's keys (which makes ``self.x`` and
    # ``self.method()`` fast) only up to 30 attributes, and the engine has more
    __slots__ = ("w", "K", "cost", "ctx_us", "slice_us", "limit", "ff_on", "n", "is_dio", "state", "cpu_of",
                 "busy_to", "slice_from", "ready_since", "gen", "timer_at", "timer_gen", "yielding", "cpu_task",
                 "cpu_free", "cpu_last", "events", "runq", "sleepers", "why", "why_arg", "spinners", "segs", "tot",
                 "tot_order", "totals", "cpu_wait", "holds", "samples", "sample_us", "next_sample", "steps",
                 "n_steps", "now", "outcome", "ffs", "inv_start", "inv_book", "inv_requeued", "ff_ref", "worker",
                 "act_cache", "progress", "violation")

    def __init__(self, w: TimedWorld, cpus: int, costs: CostModel, limit: int, keep_steps: bool, ff: bool,
                 progress):
        self.w = w
        self.K = cpus
        self.cost = dict(costs.step_us)
        self.ctx_us = costs.context_switch_us
        self.slice_us = costs.timeslice_us
        self.limit = limit
        self.ff_on = ff
        n = len(w.tasks)
        self.n = n
        self.is_dio = [t.role == "dio" for t in w.tasks]
        self.state = [SLEEP] * n
        self.cpu_of = [-1] * n
        self.busy_to = [0] * n
        self.slice_from = [0] * n
        self.ready_since = [0] * n
        self.gen = [0] * n
        # a sleeper's pending timer event: its time and generation (-1: none); a timer that is re-armed
        # for the time it is already set for is left alone (the heap would only collect stale copies)
        self.timer_at = [0] * n
        self.timer_gen = [-1] * n
        self.yielding = [False] * n
        self.cpu_task = [-1] * cpus
        self.cpu_free = [0] * cpus
        self.cpu_last = [-1] * cpus
        self.events: list = []
        self.runq: deque = deque()
        self.sleepers: set = set(range(n))
        self.why = [UNKNOWN] * n  # see UNKNOWN .. GUARDED; ``why_arg``: the gate's time or the guard
        self.why_arg: list = [None] * n
        self.spinners: set = set()
        self.segs = [[] for _ in range(n)]
        # CPU µs per task and activity index while running (None: never charged), and the order in
        # which each task's activities were first charged; ``totals`` (Counters) are built at the end
        self.tot = [[None] * len(ACTIVITIES) for _ in range(n)]
        self.tot_order = [[] for _ in range(n)]
        self.totals: list = []
        self.cpu_wait = [0] * n
        self.holds: list = []
        self.samples: list = []
        self.sample_us = max(1, w.load.expected_us // 3000)
        self.next_sample = 0
        self.steps = [] if keep_steps else None
        self.n_steps = 0
        self.now = 0  # set at the end (while running, the time is ``w.now``)
        self.outcome = "completed"
        self.ffs: list = []
        self.inv_start = 0  # the worker's current invocation: start time, bookkeeping µs so far
        self.inv_book = 0
        self.inv_requeued = False
        self.ff_ref = None
        self.worker = next((t.tid for t in w.tasks if t.role == "worker"), -1)
        self.act_cache: dict = {}
        self.progress = progress  # called with (IOs done, simulated ms) at each sample
        self.violation = None  # (InvariantViolation, task id, "func.stage") of the step that broke it

    # ------------------------------------------------------------ bookkeeping of time
    def seg(self, tid: int, start: int, end: int, act: int, cpu: int) -> None:
        if end <= start:
            return
        lst = self.segs[tid]
        if lst:
            last = lst[-1]
            if last[1] == start and last[2] == act and last[3] == cpu:
                last[1] = end
                return
        lst.append([start, end, act, cpu])

    def charge(self, tid: int, act: int, us: int) -> None:
        """Add ``us`` to task ``tid``'s total for activity ``act`` (as ``Counter[...] += us`` would)."""
        tl = self.tot[tid]
        v = tl[act]
        if v is None:
            self.tot_order[tid].append(act)
            tl[act] = us
        else:
            tl[act] = v + us

    def totals_of(self, tid: int) -> dict:
        """Task ``tid``'s totals by activity name, in the order they were first charged."""
        tl = self.tot[tid]
        return {ACTIVITIES[a]: tl[a] for a in self.tot_order[tid]}

    def relabel_invocation(self) -> None:
        """The worker's current invocation ended in a requeue: its dequeue/lock steps were wasted too."""
        lst = self.segs[self.worker]
        since = self.inv_start
        book, req = BOOK, REQUEUE
        moved = []
        while lst and lst[-1][1] > since and lst[-1][2] == book:
            s = lst.pop()
            if s[0] < since:
                lst.append([s[0], since, book, s[3]])
                s = [since, s[1], book, s[3]]
            moved.append(s)
        for s in reversed(moved):
            self.seg(self.worker, s[0], s[1], req, s[3])
        self.charge(self.worker, book, -self.inv_book)
        self.charge(self.worker, req, self.inv_book)
        self.inv_book = 0

    def sample(self, now: int) -> None:
        """The counters over time, and the progress bar (the run loop writes this out)."""
        w = self.w
        self.samples.append((now, len(w.inode.completed), w.inode.dio_count, len(w.wq.pending), w.inode.unwritten))
        self.next_sample = now + self.sample_us
        self.progress(w.writes_done + w.reads_done, now // 1000)

    # ------------------------------------------------------------ CPU handling
    def schedule(self, tid: int, at: int) -> None:
        g = self.gen[tid] = self.gen[tid] + 1
        heapq.heappush(self.events, (at, tid, g))

    def arm(self, tid: int, at: int) -> None:
        """Schedule sleeper ``tid``'s timer for ``at``."""
        g = self.gen[tid] = self.gen[tid] + 1
        self.timer_at[tid] = at
        self.timer_gen[tid] = g
        heapq.heappush(self.events, (at, tid, g))

    def make_ready(self, tid: int, now: int) -> None:
        self.state[tid] = READY
        self.ready_since[tid] = now
        if self.is_dio[tid]:
            self.runq.appendleft(tid)
        else:
            self.runq.append(tid)
        if -1 in self.cpu_task:
            self.dispatch(now)

    def dispatch(self, now: int) -> None:
        runq, cpu_task, cpu_last, cpu_free = self.runq, self.cpu_task, self.cpu_last, self.cpu_free
        K = self.K
        while runq:
            if -1 not in cpu_task:
                return
            tid = runq.popleft()
            # an idle CPU that last ran this task (the lowest such), else the idle CPU free the
            # longest (the lowest on a tie)
            c = -1
            for i in range(K):
                if cpu_task[i] < 0:
                    if cpu_last[i] == tid:
                        c = i
                        break
                    if c < 0 or cpu_free[i] < cpu_free[c]:
                        c = i
            cpu_task[c] = tid
            self.cpu_of[tid] = c
            self.state[tid] = RUN
            f = cpu_free[c]
            at = now if now >= f else f
            self.cpu_wait[tid] += at - self.ready_since[tid]
            self.slice_from[tid] = at
            g = self.gen[tid] = self.gen[tid] + 1
            heapq.heappush(self.events, (at, tid, g))

    def release(self, tid: int, at: int) -> None:
        c = self.cpu_of[tid]
        self.cpu_task[c] = -1
        self.cpu_free[c] = at
        self.cpu_of[tid] = -1
        if self.runq:
            self.dispatch(self.w.now)

    def go_to_sleep(self, tid: int, at: int) -> None:
        self.release(tid, at)
        self.state[tid] = SLEEP
        self.sleepers.add(tid)
        self.why[tid] = UNKNOWN
        wt = self.w.wake_time(self.w.tasks[tid])
        if wt < INF:
            self.arm(tid, wt)

    def wake(self, now: int) -> None:
        """Tasks the last change made runnable: sleepers whose guard now holds (``TimedWorld.can_run``,
        written out), in task-id order, and spinners handed the lock. A sleeper is looked at in full only
        when what held it back may have changed (see ``UNKNOWN`` .. ``GUARDED``) or a timer moved."""
        w = self.w
        sleepers = self.sleepers
        if sleepers:
            woken = []
            if w.timers_changed:
                w.timers_changed = False
                look = self.look
                for s in sleepers:
                    if look(s, now, True):
                        woken.append(s)
            else:
                why, why_arg = self.why, self.why_arg
                for s in sleepers:
                    y = why[s]
                    if y == TIMED:
                        if now < why_arg[s]:
                            continue
                    elif y == GUARDED:
                        # the guard is all that can have changed
                        if why_arg[s](w, w.tasks[s]):
                            woken.append(s)
                        continue
                    elif y == LOCKED and w.tasks[s].waits_for is not None:
                        continue
                    if self.look(s, now, False):
                        woken.append(s)
            if woken:
                if len(woken) > 1:
                    woken.sort()
                for s in woken:
                    sleepers.discard(s)
                    self.make_ready(s, now)
        elif w.timers_changed:
            w.timers_changed = False
        if self.spinners:
            tasks = w.tasks
            for s in sorted(self.spinners):
                if tasks[s].waits_for is None:
                    self.spinners.discard(s)
                    start = self.busy_to[s]
                    at = max(now, start)
                    c = self.cpu_of[s]
                    self.seg(s, start, at, SPINNING, c)
                    self.charge(s, SPINNING, at - start)
                    self.state[s] = RUN
                    self.schedule(s, at)

    def look(self, s: int, now: int, timers: bool) -> bool:
        """``TimedWorld.can_run`` for sleeper ``s``, noting why not; with ``timers``, re-arm its timer."""
        w = self.w
        t = w.tasks[s]
        pc = t.pc
        why = self.why
        if t.waits_for is not None or pc == "done":
            why[s] = LOCKED
        elif now < w.start_at[s]:
            why[s] = TIMED
            self.why_arg[s] = w.start_at[s]
        elif pc == w._add_entry and t.role == "dio" and w.complete_at[t.io] > now:
            why[s] = TIMED
            self.why_arg[s] = w.complete_at[t.io]
        else:
            guard = w._guards[pc]
            if guard is None or guard(w, t):
                return True
            why[s] = GUARDED
            self.why_arg[s] = guard
        if timers:
            wt = w.wake_time(t)
            if now < wt < INF and not (self.timer_gen[s] == self.gen[s] and self.timer_at[s] == wt):
                self.arm(s, wt)
        return False

    def rescan(self) -> bool:
        """Safety net: wake anything runnable and re-arm every timer; True if that found work."""
        w = self.w
        w.timers_changed = True
        before = len(self.events) + len(self.runq)
        self.wake(w.now)
        return len(self.events) + len(self.runq) > before

    def act_of(self, role: str, pc: str) -> int:
        """The activity a step at ``pc`` of a task in ``role`` is shown as (cached per role and pc);
        ``OW_CHECK`` when it depends on where the old worker's check went, ``-1`` never (yield is by kind)."""
        key = (role, pc)
        a = self.act_cache.get(key)
        if a is None:
            if pc[:4] == "eio.":
                a = ACT["converting"]
            elif role == "worker" and pc in REQUEUE_PCS:
                a = ACT["requeue"]
            elif role == "worker" and pc == "ow.check":
                a = OW_CHECK
            else:
                a = ACT[ROLE_ACT.get(role, "bookkeeping")]
            self.act_cache[key] = a
        return a

    # ------------------------------------------------------------ the loop
    def run(self) -> None:
        """The event loop. An event is ``(time, task id, generation)``; only the newest generation of a
        task's event counts. A task on a CPU runs its steps here; while it stays runnable and its next
        step is due before every other pending event (the heap head, the next device event, the limit)
        it steps on at once instead of going through the heap: the same order the heap would give,
        since events at the same time run in task-id order and a later event of another task is
        untouched."""
        w = self.w
        tasks = w.tasks
        events = self.events
        limit = self.limit
        for t in tasks:
            if w.can_run(t):
                self.sleepers.discard(t.tid)
                self.make_ready(t.tid, 0)
            else:
                wt = w.wake_time(t)
                if wt < INF:
                    self.arm(t.tid, wt)
        self.sample(0)
        dev = w.device_events
        heappop = heapq.heappop
        heappush = heapq.heappush
        state, gen, yielding, cpu_of, cpu_last = self.state, self.gen, self.yielding, self.cpu_of, self.cpu_last
        slice_from, slice_us = self.slice_from, self.slice_us
        runq = self.runq
        is_dio_of = self.is_dio
        inode = w.inode
        spin = inode.lock
        i_mutex = inode.i_mutex
        design = w.design
        table = design.table
        own_do_step = None
        can_run = w.can_run
        check_state = state_checker(w)
        start_at, complete_at, add_entry = w.start_at, w.complete_at, w._add_entry
        cost_of = self.cost
        # kind -> (µs, may wake someone, the lock it releases if that is all it does)
        kinds = {k: (us, k in WAKE_KINDS, getattr(inode, RELEASES[k]) if k in RELEASES else None)
                 for k, us in cost_of.items()}
        ctx_us = self.ctx_us
        steps = self.steps
        holds = self.holds
        samples = self.samples
        sample_us = self.sample_us
        next_sample = self.next_sample
        wq_pending = w.wq.pending
        worker = self.worker
        hold_tid = None
        hold_from = 0
        n_steps = 0
        ff_on = self.ff_on
        wake = self.wake
        progress = self.progress
        # per role: pc -> (step method, activity, guard, the worker takes a work item, local control flow:
        # what settle() runs); "done" has an entry too, so that the pc after a step is looked up once; per
        # task: what the loop needs of it
        entries = {}
        per_task = []
        for t in tasks:
            key = (t.role, t.tid == worker)
            ent = entries.get(key)
            if ent is None:
                ent = entries[key] = {pc: (method, self.act_of(t.role, pc), spec.guard,
                                              t.tid == worker and pc == "wq.idle", spec.local)
                                         for pc, (spec, method) in table.items()}
                ent["done"] = (None, -1, None, False, False)
            per_task.append((t, ent, is_dio_of[t.tid], t.tid == worker, self.segs[t.tid], self.tot[t.tid],
                             self.tot_order[t.tid]))
        while True:
            t_ev = events[0][0] if events else INF
            if dev:
                t_dev = dev[0][0]
                if t_dev <= t_ev and t_dev <= limit:
                    w.now = t_dev
                    if w.complete_reads(t_dev):
                        wake(t_dev)
                    continue
            if t_ev == INF:
                if self.sleepers and self.rescan():
                    continue
                break
            if t_ev > limit:
                w.now = limit
                self.outcome = "time-limit"
                break
            now, tid, g = heappop(events)
            if g != gen[tid]:
                continue
            w.now = now
            st = state[tid]
            if st == SLEEP:  # its timer
                self.timer_gen[tid] = -1
                t = tasks[tid]
                if can_run(t):
                    self.sleepers.discard(tid)
                    self.make_ready(tid, now)
                else:
                    wt = w.wake_time(t)
                    if now < wt < INF:
                        self.arm(tid, wt)
                continue
            if st != RUN:
                continue
            # ---- task tid runs on its CPU c from now, step after step while nothing else is due
            t, ent, is_dio, is_worker, segs, tl, order = per_task[tid]
            c = cpu_of[tid]
            yld = yielding[tid]
            if yld:
                yielding[tid] = False
            # its last segment, extended while the activity stays the same on this CPU without a gap;
            # ``pend``: µs of that segment not yet added to the task's totals
            last = segs[-1] if segs else None
            seg_a = last[2] if last is not None and last[3] == c else -2
            seg_end = last[1] if last is not None else -1
            pend = 0
            n_ev = -1  # len(events) and len(dev) when ``stop_at`` was computed
            n_dev = -1
            stop_at = 0
            first = True
            switch = cpu_last[c] != tid
            while True:
                if runq:
                    if yld or (now - slice_from[tid] >= slice_us and spin.holder != tid) \
                            or (is_dio_of[runq[0]] and spin.holder != tid and not is_dio):
                        self.release(tid, now)
                        self.make_ready(tid, now)
                        break
                pc = t.pc
                if first:
                    first = False
                    if pc == "done":
                        state[tid] = DONE
                        self.release(tid, now)
                        break
                    # can_run(t), written out
                    if t.waits_for is not None or now < start_at[tid] or (
                            is_dio and pc == add_entry and complete_at[t.io] > now):
                        self.go_to_sleep(tid, now)
                        break
                    e = ent[pc]
                    guard = e[2]
                    if guard is not None and not guard(w, t):
                        self.go_to_sleep(tid, now)
                        break
                # else: stepping inline: the guard held after the last step and nothing has changed since
                # but the time, which only opens time gates (no guard reads the time)
                method, a, _, ff_point, _ = e
                if ff_point:  # the worker takes its next work item
                    if pend:
                        tl[seg_a] += pend
                        pend = 0
                    if self.inv_requeued and ff_on:
                        self.n_steps = n_steps
                        if self.try_fast_forward(now):
                            n_steps = self.n_steps
                            break
                    self.inv_start, self.inv_book, self.inv_requeued = now, 0, False
                w.touched = None
                if steps is not None:  # the label, named as the stepper names it (a helper after its caller)
                    func, stage = design.label_of(t)
                try:  # (free in CPython 3.11 while nothing is raised)
                    if own_do_step is None:
                        kind, text, io = method(w, t)
                        if t.waits_for is None:  # settle(): run the local control flow that follows
                            e = ent[t.pc]
                            while e[4]:
                                e[0](w, t)
                                if t.waits_for is not None:
                                    break
                                e = ent[t.pc]
                    else:
                        _, kind, text, io = own_do_step(w, t)
                        if t.waits_for is None:
                            e = ent[t.pc]
                    check_state(w.touched)
                except InvariantViolation as v:  # the run ends here, as sched.run ends on one
                    spec = table[pc][0]
                    self.violation = (v, tid, f"{spec.func}.{spec.stage}" if spec.stage else (spec.func or pc))
                    self.outcome = "violation"
                    break
                n_steps += 1
                cost, wakes, released = kinds[kind]
                if switch:  # the first step after this CPU ran another task
                    cost += ctx_us
                    cpu_last[c] = tid
                    switch = False
                end = now + cost
                # what the step was, for the lanes and the totals
                if kind == "yield":
                    a = YIELD
                elif is_worker:
                    if a == OW_CHECK:
                        a = REQUEUE if t.pc in ("ow.rq_set", "ow.rq_unlock") else BOOK
                    if a == REQUEUE:
                        if not self.inv_requeued:
                            self.inv_requeued = True
                            if pend:
                                tl[seg_a] += pend
                                pend = 0
                            self.relabel_invocation()
                            last = segs[-1] if segs else None
                            seg_a = last[2] if last is not None and last[3] == c else -2
                            seg_end = last[1] if last is not None else -1
                    elif a != CONVERTING:
                        self.inv_book += cost
                if a == seg_a and now == seg_end:
                    last[1] = end
                    pend += cost
                else:
                    if pend:
                        tl[seg_a] += pend  # present: charged when its segment began
                    last = [now, end, a, c]
                    segs.append(last)
                    seg_a = a
                    v = tl[a]
                    if v is None:
                        order.append(a)
                        tl[a] = cost
                    else:
                        tl[a] = v + cost
                    pend = 0
                seg_end = end
                if steps is not None:
                    where = f"{func}.{stage}" if stage else func
                    steps.append((now, end, c, tid, t.name, kind, ACTIVITIES[a], f"{where} {text}"))
                # i_mutex holder changes
                h = i_mutex.holder
                if h != hold_tid:
                    if hold_tid is not None:
                        holds.append((hold_tid, hold_from, now))
                    hold_tid, hold_from = h, now
                # where the task goes next (can_run written out: waits_for, done, time gates, guard)
                pc = t.pc
                wf = t.waits_for
                if pc == "done":
                    stay = False
                    state[tid] = DONE
                    self.release(tid, end)
                elif wf is not None:
                    stay = False
                    if wf == "i_completed_io_lock":
                        state[tid] = SPIN
                        self.busy_to[tid] = end
                        self.spinners.add(tid)
                    else:
                        self.go_to_sleep(tid, end)
                else:  # e = ent[pc], looked up after the step
                    guard = e[2]
                    if now >= start_at[tid] and not (is_dio and pc == add_entry and complete_at[t.io] > now) and (
                            guard is None or guard(w, t)):
                        yld = kind == "yield"
                        stay = True
                    else:
                        stay = False
                        self.go_to_sleep(tid, end)
                # a lock released with nobody on its wait list, and no event due now, wakes nobody (``RELEASES``)
                if wakes and (released is None or released.holder is not None or released.waiters
                              or (events and events[0][0] <= now)):
                    wake(now)
                if now >= next_sample:
                    samples.append((now, len(inode.completed), inode.dio_count, len(wq_pending), inode.unwritten))
                    next_sample = now + sample_us
                    progress(w.writes_done + w.reads_done, now // 1000)  # as sample() does
                if not stay:
                    break
                # the next step of this task is the next event if nothing else is due before it (or at the
                # same time for a lower task id); else it goes through the heap like any other event.
                # Nothing leaves the heaps while this task steps, so their heads move only when they grow.
                if len(events) != n_ev or len(dev) != n_dev:
                    n_ev, n_dev = len(events), len(dev)
                    stop_at = limit + 1
                    if dev and dev[0][0] < stop_at:
                        stop_at = dev[0][0]
                    if events:
                        head = events[0]
                        h_at = head[0] if head[1] <= tid else head[0] + 1
                        if h_at < stop_at:
                            stop_at = h_at
                if end >= stop_at:
                    if yld:
                        yielding[tid] = True
                    g = gen[tid] = gen[tid] + 1
                    heappush(events, (end, tid, g))
                    break
                w.now = now = end
            if pend:  # the rest of the task's last segment, into its totals
                tl[seg_a] += pend
            if self.violation is not None:
                break
        self.n_steps = n_steps
        self.now = w.now
        if self.outcome == "completed" and not all(w.finished(t) for t in tasks):
            self.outcome = "stuck"
        if hold_tid is not None:
            holds.append((hold_tid, hold_from, self.now))
        self.sample(self.now)
        self.totals = [Counter(self.totals_of(tid)) for tid in range(self.n)]

    # ------------------------------------------------------------ fast-forward of a requeue loop
    def try_fast_forward(self, now: int) -> bool:
        """If only the worker can ever run again before the limit and a whole pass over the pending
        items returned to the same state, skip whole passes up to the limit (counting their cost)."""
        w = self.w
        wid = self.worker
        if self.runq or self.spinners or (w.device_events and w.device_events[0][0] <= self.limit):
            self.ff_ref = None
            return False
        for s in range(self.n):
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
        d_stats = {k: v - ref["stats"].get(k, 0) for k, v in w.stats.items()}
        d_tot = {k: v - ref["totals"].get(k, 0) for k, v in self.totals_of(wid).items()}
        for k, v in d_stats.items():
            if v:
                w.stats[k] += v * reps
        for k, v in d_tot.items():
            if v:
                self.charge(wid, ACT[k], v * reps)
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
        return True
