"""The scheduler: (scenario, design, inputs) + a schedule determines a run.

A schedule is a list of task ids. ``Run`` steps one task at a time and validates each choice;
``run()`` drives a whole run by a policy (``round-robin``, the default, or ``random`` with a private
``random.Random(seed)`` whose picks are recorded as the schedule) or by a given schedule. Undo is a
replay of the prefix. Nothing here starts a thread, sleeps, reads a clock or touches a global RNG.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from . import invariants
from .designs import get_design
from .errors import InvariantViolation, bad_input, shown
from .scenarios import MAX_WORKERS, get_scenario
from .schedule import MAX_TASK_ID_DIGITS, SCHEDULE_ALLOWED, check_schedule, parse_schedule  # noqa: F401
from .step import step
from .trace import StepRecord, record
from .world import World

MAX_IOS = 64  # cap on N for run/stepping (the explorer has its own, smaller cap)
DEFAULT_MAX_STEPS = 2000
MAX_STEPS_CAP = 10_000_000  # a kept trace costs about 285 bytes a step (N = 64): about 2.7 GiB
POLICIES = ("round-robin", "random")
SEED_MIN, SEED_MAX = -(2 ** 63), 2 ** 63 - 1  # a seed everywhere (run, timed runs, exercises, the CLI)


def validate_inputs(scenario: str, design: str, ios, *, split_rmw: bool = False, fail_io=None,
                    max_ios: int = MAX_IOS, workers: int = 1) -> dict:
    """Check every input; return them as a dict (the echo every output starts with)."""
    sc = get_scenario(scenario)
    get_design(design)
    if not isinstance(split_rmw, bool):
        raise bad_input("split_rmw", f"{shown(split_rmw)} is not true or false", "true or false")
    if isinstance(ios, bool) or not isinstance(ios, int):
        raise bad_input("ios", f"{shown(ios)} is not a whole number", f"1..{max_ios}")
    if not 1 <= ios <= max_ios:
        raise bad_input("ios", f"{shown(ios)} is out of range", f"1..{max_ios}")
    if fail_io is not None:
        if isinstance(fail_io, bool) or not isinstance(fail_io, int) or not 0 <= fail_io < ios:
            raise bad_input("fail_io", f"{shown(fail_io)} names no io_end", f"an io_end number 0..{ios - 1}, or none")
    elif sc.needs_fail_io:
        fail_io = 0
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise bad_input("workers", f"{shown(workers)} is not a number of kworkers", f"1..{MAX_WORKERS} (the kernel's "
                        "dio_unwritten_wq has 1: max_active 1)")
    return {"scenario": scenario, "design": design, "ios": ios, "split_rmw": bool(split_rmw), "fail_io": fail_io,
            "workers": workers}


def build_world(scenario: str, design: str, ios: int, *, split_rmw: bool = False, fail_io=None,
                checks=None, properties=(), max_ios: int = MAX_IOS, workers: int = 1) -> World:
    """A validated World. ``checks`` overrides the default invariant set of the design's family;
    ``properties`` adds properties such as ``fsync-durable`` and ``punch-waits``."""
    inputs = validate_inputs(scenario, design, ios, split_rmw=split_rmw, fail_io=fail_io, max_ios=max_ios,
                             workers=workers)
    d = get_design(design)
    enabled = invariants.enabled_for(d.family) if checks is None else check_names("checks", checks)
    enabled = enabled | check_names("properties", properties)
    sc = get_scenario(scenario)
    return World(d, list(sc.roles_with(workers)), ios, split_rmw=inputs["split_rmw"], fail_io=inputs["fail_io"],
                 checks=enabled, inputs=inputs, buffered=sc.buffered)


def check_names(parameter: str, names) -> frozenset:
    """``checks`` (any invariant or property name) or ``properties`` (property names only): a collection
    of names, not a string (which would be a set of characters); ValueError naming the parameter."""
    if parameter == "properties":
        known = [n for n, i in invariants.REGISTRY.items() if i.kind == "property"]
    else:
        known = list(invariants.REGISTRY)
    what = "property" if parameter == "properties" else "invariant"
    if isinstance(names, (str, bytes)) or not isinstance(names, (set, frozenset, list, tuple)):
        raise bad_input(parameter, f"{shown(names)} is not a collection of {what} names",
                        f"a set of {what} names such as {{{known[0]!r}}}")
    for n in names:
        if not isinstance(n, str) or n not in known:
            raise bad_input(parameter, f"unknown {what} {shown(n)}", ", ".join(known))
    return frozenset(names)


class Run:
    """One run in progress: the World, the schedule so far and the trace."""

    def __init__(self, scenario: str, design: str, ios: int, *, split_rmw: bool = False, fail_io=None,
                 checks=None, properties=(), keep_trace: bool = True, workers: int = 1):
        self.world = build_world(scenario, design, ios, split_rmw=split_rmw, fail_io=fail_io,
                                 checks=checks, properties=properties, workers=workers)
        self.inputs = self.world.inputs
        self._checks, self._properties = checks, tuple(properties)
        self.schedule: list[int] = []
        self.trace: list[StepRecord] = []
        self.keep_trace = keep_trace
        self.violation: InvariantViolation | None = None

    # -------------------------------------------------------------- views
    @property
    def task_names(self) -> list[str]:
        return [t.name for t in self.world.tasks]

    def runnable(self) -> list[int]:
        if self.violation is not None:
            return []
        return self.world.runnable()

    def snapshot(self) -> tuple:
        return self.world.snapshot()

    def outcome(self) -> str | None:
        """``completed``, ``deadlock`` or ``violation`` once decided; None while work remains."""
        if self.violation is not None:
            return "violation"
        if self.world.all_finished():
            return "completed"
        if not self.world.runnable():
            return "deadlock"
        return None

    def describe_task(self, tid: int) -> str:
        return f"{tid} ({self.world.tasks[tid].name})"

    def __str__(self) -> str:
        """The stepper's state panel and each task's next step as plain text (``textview.py``)."""
        from .textview import run_text
        return run_text(self)

    def show(self) -> None:
        """Print the panel (``print(run)``): for nbconvert, slides, a terminal, a screen reader."""
        print(self)

    # -------------------------------------------------------------- stepping
    def step(self, tid: int) -> StepRecord:
        """Run one step of task ``tid``. ValueError if it cannot run now; InvariantViolation (with
        the inputs and the schedule attached) if the step breaks an invariant."""
        w = self.world
        n = len(self.schedule)
        if self.violation is not None:
            raise bad_input("schedule", f"step {n}: the run already stopped on a violation "
                            f"({self.violation.invariant})", "Undo or Reset")
        if isinstance(tid, bool) or not isinstance(tid, int) or not 0 <= tid < len(w.tasks):
            raise bad_input("schedule", f"step {n} names task {shown(tid)}, which does not exist",
                            ", ".join(self.describe_task(i) for i in range(len(w.tasks))))
        t = w.tasks[tid]
        if not w.can_run(t):
            why = w.blocked_reason(t) or ("it has finished" if w.finished(t) else "it cannot run")
            allowed = ", ".join(self.describe_task(i) for i in w.runnable()) or "none (no task can run)"
            raise bad_input("schedule", f"step {n} names task {self.describe_task(tid)}, which cannot run: {why}",
                            f"a runnable task: {allowed}")
        self.schedule.append(tid)
        out = step(w, tid)
        v = out.violation
        if v is None and w.all_finished():
            try:
                invariants.check_final(w)
            except InvariantViolation as final:
                v = final
        if v is not None:
            v.inputs = dict(self.inputs)
            v.schedule = list(self.schedule)
            self.violation = v
            if self.keep_trace:
                self.trace.append(StepRecord(n, tid, t.name, "violation", "", v.message, "violation", w.touched,
                                             None, None, len(w.inode.completed), w.inode.dio_count,
                                             len(w.wq.pending)))
            raise v
        rec = record(n, w, t, out)
        if self.keep_trace:
            self.trace.append(rec)
        return rec

    def replay(self, schedule) -> None:
        for tid in check_schedule(schedule):
            self.step(tid)

    def fresh(self) -> Run:
        """A new Run with the same inputs, at the start."""
        i = self.inputs
        return Run(i["scenario"], i["design"], i["ios"], split_rmw=i["split_rmw"], fail_io=i["fail_io"],
                   checks=self._checks, properties=self._properties, keep_trace=self.keep_trace,
                   workers=i["workers"])


@dataclass
class RunResult:
    inputs: dict
    tasks: list[str]
    schedule: list[int]
    steps: list[StepRecord]
    outcome: str
    violation: InvariantViolation | None = None
    cycling: list[str] = field(default_factory=list)  # for "running": tasks still stepping at the limit
    blocked: dict = field(default_factory=dict)  # task name -> why it cannot run, at the end
    results: dict = field(default_factory=dict)  # task name -> what it returned
    stats: dict = field(default_factory=dict)
    run: Run | None = None

    def as_json(self, *, steps: bool = True) -> dict:
        """The run as JSON-ready data (``steps=False``: ``"steps"`` is None instead of the step records)."""
        v = self.violation
        return {**self.inputs, "tasks": self.tasks, "schedule": self.schedule,
                "steps": [r.as_json() for r in self.steps] if steps else None, "outcome": self.outcome,
                "violation": None if v is None else {"invariant": v.invariant, "message": v.message}}

    def describe(self) -> str:
        """The outcome in one line: what ended the run and why (the CLI's ``outcome:`` line, the exercises'
        ``outcome_line``). A violation names the invariant and what broke it; a limit names the step count."""
        o = self.outcome
        if o == "completed":
            got = ", ".join(f"{k}: {v}" for k, v in self.results.items())
            return "completed: every task finished" + (f" ({got})" if got else "")
        if o == "deadlock":
            why = "; ".join(f"{k} {v}" for k, v in self.blocked.items())
            return f"deadlock: no task can run, work unfinished ({why})"
        if o == "running":
            why = "; ".join(f"{k} {v}" for k, v in self.blocked.items())
            return (f"running: step limit hit after {len(self.schedule)} steps; still cycling: "
                    f"{', '.join(self.cycling) or 'none'}" + (f"; {why}" if why else ""))
        if o == "stopped":
            return f"stopped: the schedule ran out after {len(self.schedule)} steps, before the work finished"
        if o == "out-of-memory":
            return (f"out of memory after {len(self.schedule)} steps: undecided (the step records were dropped to "
                    "report it); ask for fewer steps (--max-steps; a kept step costs about 285 bytes)")
        v = self.violation
        return f"violation of {v.invariant}: {v.message}"


def _round_robin():
    last = [-1]

    def pick(runnable: list[int]) -> int:
        after = [t for t in runnable if t > last[0]]
        last[0] = after[0] if after else runnable[0]
        return last[0]
    return pick


def run(scenario: str, design: str, ios: int, *, schedule=None, policy: str | None = None, seed=None,
        max_steps: int = DEFAULT_MAX_STEPS, split_rmw: bool = False, fail_io=None, checks=None,
        properties=(), keep_trace: bool = True, workers: int = 1) -> RunResult:
    """Run to an outcome. Give at most one of ``schedule``, ``seed`` (implies ``random``) and ``policy``."""
    policy, schedule = _check_policy(schedule, policy, seed, max_steps)
    r = Run(scenario, design, ios, split_rmw=split_rmw, fail_io=fail_io, checks=checks, properties=properties,
            keep_trace=keep_trace, workers=workers)
    w = r.world
    pick = None if schedule is not None else _picker(policy, seed)
    outcome = _steps(r, pick, schedule, max_steps)
    cycling = []
    if outcome == "running":
        cycling = sorted({w.tasks[t].name for t in r.schedule[-32:] if not w.finished(w.tasks[t])})
    blocked = {t.name: why for t in w.tasks if not w.finished(t) and (why := w.blocked_reason(t))}
    results = {t.name: t.result for t in w.tasks if t.result is not None}
    inputs = dict(r.inputs)
    return RunResult(inputs, r.task_names, list(r.schedule), r.trace, outcome, r.violation, cycling, blocked,
                     results, dict(w.stats), r)


def _check_policy(schedule, policy, seed, max_steps):
    """``run``'s scheduling inputs checked (the seed's range by ``_picker``, once the run is built, as
    before): ``(policy, schedule)``."""
    given = [name for name, val in (("schedule", schedule), ("seed", seed), ("policy", policy)) if val is not None]
    if len(given) > 1 and not (set(given) == {"seed", "policy"} and policy == "random"):
        raise bad_input(given[1], f"given together with {given[0]}", "one of schedule, seed, policy")
    if policy is None:
        policy = "random" if seed is not None else "round-robin"
    if policy not in POLICIES:
        raise bad_input("policy", f"unknown policy {shown(policy)}", ", ".join(POLICIES))
    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or not 1 <= max_steps <= MAX_STEPS_CAP:
        raise bad_input("max_steps", f"{shown(max_steps)} is out of range", f"1..{MAX_STEPS_CAP}")
    return policy, None if schedule is None else check_schedule(schedule)


def _picker(policy: str, seed):
    """``pick(runnable)``: the next task by the policy (a seeded random choice, or round robin)."""
    if policy != "random":
        return _round_robin()
    if seed is None:
        seed = 0
    if isinstance(seed, bool) or not isinstance(seed, int) or not SEED_MIN <= seed <= SEED_MAX:
        raise bad_input("seed", f"{shown(seed)} is not a whole number in range", f"{SEED_MIN}..{SEED_MAX}")
    return random.Random(seed).choice


def _steps(r: Run, pick, schedule, max_steps: int) -> str:
    """Step ``r`` by the schedule or ``pick`` until an outcome, the end of the schedule or ``max_steps``."""
    try:
        while True:
            outcome = r.outcome()
            if outcome is not None:
                if schedule is not None and len(r.schedule) < len(schedule):
                    left = len(schedule) - len(r.schedule)
                    raise bad_input("schedule", f"{left} entries left after the run ended ({outcome}) at step "
                                    f"{len(r.schedule)}", "a schedule that ends where the run ends")
                return outcome
            if schedule is not None:
                if len(r.schedule) >= len(schedule):
                    return "stopped"
                tid = schedule[len(r.schedule)]
            else:
                if len(r.schedule) >= max_steps:
                    return "running"
                tid = pick(r.world.runnable())
            r.step(tid)
    except InvariantViolation:
        return "violation"
    except MemoryError:  # like the step limit: undecided; the step records go, to leave room to report it
        r.trace = []
        return "out-of-memory"
