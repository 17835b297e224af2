"""The exhaustive explorer: every schedule of a scenario, up to the state the runs reach.

``explore(scenario, design, ios, property=...)`` searches the reachable states breadth-first (so the
first counterexample it meets is a shortest one) and returns a ``Result`` whose verdict is

* ``ok``: no reachable state breaks the property;
* ``violation``: a named invariant fails (shortest schedule that makes it fail);
* ``deadlock``: a state where no task can run while work is unfinished (``no-deadlock``);
* ``livelock``: an infinite, weakly fair run on which the awaited progress never happens, given as a
  prefix plus a cycle (``counterexample.cycle_start``);
* ``bounded``: ``max_states`` / ``max_seconds`` / Ctrl-C / running out of memory (a MemoryError) stopped
  the search first; what was explored is reported, nothing was found.

Properties:

* ``safety``: every invariant of the design's family (or the ``checks`` given) in every reachable
  state, and no deadlock;
* ``fsync-durable``: safety plus the property of that name (scenarios with an fsync task);
* ``punch-waits``: safety plus the property of that name (scenarios with a punch task);
* ``liveness``: every caller (truncate, fsync, punch hole, reader) eventually returns and every
  io_end is eventually freed, under weak fairness (see ``explore.fair``). The whole graph is built;
  a violation or a deadlock met on the way is reported as such, because no run continues past it;
* ``all``: liveness with ``fsync-durable`` and ``punch-waits`` added where they apply.

``can_complete(...)`` answers the stepper's challenge question: from the state a schedule prefix
reaches, is there any continuation on which the task (truncate) returns?
"""

from __future__ import annotations

import time

from ..designs.roles import ROLES
from ..errors import InvariantViolation, bad_input, shown
from ..progress import progress_for
from ..scenarios import get_scenario
from ..sched import Run, validate_inputs
from . import fair
from .engine import Graph
from .result import VERDICTS, Counterexample, Result

PROPERTIES = ("safety", "liveness", "fsync-durable", "punch-waits", "all")
OPTIONAL = {"fsync-durable": "fsync", "punch-waits": "punch"}  # property -> the role it needs
MAX_IOS = 6  # the explorer's cap on N (state counts grow fast; see docs/explorer.md)
DEFAULT_MAX_STATES = 2_000_000
MAX_STATES_CAP = 8_000_000  # at most 560 bytes a state measured (N = 6, liveness): about 4.2 GiB


def check_bounds(max_states, max_seconds) -> None:
    """``max_states``: 1..``MAX_STATES_CAP`` or None (no bound: the caller's own risk, a MemoryError then
    ends the search as ``bounded``); ``max_seconds``: a positive number or None."""
    if max_states is not None and (isinstance(max_states, bool) or not isinstance(max_states, int)
                                   or not 1 <= max_states <= MAX_STATES_CAP):
        raise bad_input("max_states", f"{shown(max_states)} is out of range", f"1..{MAX_STATES_CAP:,}, or none")
    if max_seconds is not None and (isinstance(max_seconds, bool) or not isinstance(max_seconds, (int, float))
                                    or not max_seconds > 0):  # (NaN is not > 0)
        raise bad_input("max_seconds", f"{shown(max_seconds)} is not a positive number", "a number > 0, or none")


def _check_prefix(prefix) -> list[int]:
    if prefix is None:
        return []
    from ..sched import check_schedule

    return check_schedule(prefix, "prefix")


def applicable_properties(scenario: str) -> list[str]:
    """The properties that make sense for a scenario (``fsync-durable`` needs an fsync task,
    ``punch-waits`` a punch task)."""
    roles = {role for _, role in get_scenario(scenario).roles}
    return [p for p in PROPERTIES if p not in OPTIONAL or OPTIONAL[p] in roles]


def _goals(world) -> list[tuple[str, object, str]]:
    """The liveness goals: ``(name, predicate(world), what never happens)``."""
    out = []
    for t in world.tasks:
        if ROLES[t.role].flusher:  # a flush caller's return is a goal
            tid = t.tid
            out.append((f"{t.name}-returns", lambda w, tid=tid: w.tasks[tid].pc == "done", f"{t.name} never returns"))
    out.append(("ioends-freed", lambda w: all(io.freed for io in w.ios), "some io_end is never freed"))
    return out


def _start(scenario, design, ios, split_rmw, fail_io, checks, properties, prefix, workers=1):
    inputs = validate_inputs(scenario, design, ios, split_rmw=split_rmw, fail_io=fail_io, max_ios=MAX_IOS,
                             workers=workers)
    run = Run(scenario, design, ios, split_rmw=split_rmw, fail_io=inputs["fail_io"], checks=checks,
              properties=properties, keep_trace=False, workers=workers)
    violation = None
    try:
        run.replay(prefix)
    except InvariantViolation as v:
        violation = v
    except ValueError as e:  # a step of the prefix cannot run: the parameter here is ``prefix``
        text = str(e)
        raise ValueError("prefix: " + text.split(": ", 1)[1] if text.startswith("schedule: ") else text) from None
    return run, violation


def explore(scenario: str, design: str, ios: int, *, property: str = "safety", split_rmw: bool = False,
            fail_io=None, prefix=None, checks=None, max_states: int | None = DEFAULT_MAX_STATES,
            max_seconds: float | None = None, progress=None, workers: int = 1) -> Result:
    """Search every schedule (from the state after ``prefix``, if given). See the module docstring.

    ``checks`` replaces the design family's invariant set (the mutant gallery passes
    ``invariants.CONSEQUENCES``); ``progress``: None = a tqdm bar after about a second, True, False, or a
    callable ``f(states, expanded)`` called every 1024 expanded states (raise KeyboardInterrupt in it to stop)."""
    if property not in PROPERTIES:
        raise bad_input("property", f"unknown property {shown(property)}", ", ".join(PROPERTIES))
    validate_inputs(scenario, design, ios, split_rmw=split_rmw, fail_io=fail_io, max_ios=MAX_IOS, workers=workers)
    applicable = applicable_properties(scenario)
    if property not in applicable:
        raise bad_input("property", f"{property} does not apply to {scenario} (it has no {OPTIONAL[property]} task)",
                        ", ".join(applicable))
    check_bounds(max_states, max_seconds)
    prefix = _check_prefix(prefix)
    bar = progress_for(progress, max_states, f"{scenario} {design} N={ios}", "states", "expanded")
    properties = tuple(p for p in OPTIONAL if p in applicable and property in (p, "all"))
    liveness = property in ("liveness", "all")
    t0 = time.perf_counter()
    run, pre_violation = _start(scenario, design, ios, split_rmw, fail_io, checks, properties, prefix, workers)
    res = Result(dict(run.inputs), property, "ok", checks=None if checks is None else frozenset(checks),
                 properties=properties, start=len(prefix), tasks=run.task_names)
    if pre_violation is not None:
        res.verdict = "violation"
        res.violation = {"invariant": pre_violation.invariant, "message": pre_violation.message}
        res.counterexample = Counterexample(list(pre_violation.schedule))
        res.notes.append("the given prefix itself ends in this violation")
        res.seconds = time.perf_counter() - t0
        return res
    world = run.world
    goals = _goals(world) if liveness else []
    graph = Graph(world, keep_edges=liveness, goal_fns=[fn for _, fn, _ in goals], max_states=max_states,
                  max_seconds=max_seconds, progress=bar)
    try:
        graph.search()
    finally:
        bar.close()
    if graph.stopped == "memory":  # a bounded verdict needs only the counts: leave room to report it
        graph.release()
    res.states, res.transitions, res.depth = graph.states, graph.transitions, graph.max_depth
    try:
        _verdict(res, graph, prefix, goals)
    except MemoryError:  # the search itself stopped cleanly, but the cycle analysis ran out: undecided
        graph.stopped = "memory"
        _verdict(res, graph, prefix, [])
    res.seconds = time.perf_counter() - t0
    return res


def _verdict(res: Result, graph: Graph, prefix: list[int], goals) -> None:
    if graph.violation is not None:
        sid, tid, v = graph.violation
        res.verdict = "violation"
        res.violation = {"invariant": v.invariant, "message": v.message}
        res.counterexample = Counterexample(prefix + graph.path_to(sid) + [tid])
        return
    if graph.deadlock is not None:
        sid = graph.deadlock
        graph.codec.restore(graph.keys[sid])
        w = graph.world
        why = "; ".join(f"{t.name} {w.blocked_reason(t)}" for t in w.tasks if w.blocked_reason(t))
        res.verdict = "deadlock"
        res.violation = {"invariant": "no-deadlock", "message": f"no task can run while work is unfinished: {why}"}
        res.counterexample = Counterexample(prefix + graph.path_to(sid))
        return
    if goals:
        if _livelock(res, graph, prefix, goals):
            return
    if graph.stopped:
        res.verdict = "bounded"
        res.stopped = graph.stopped
        res.notes.append(f"the search stopped ({graph.stopped}) after {graph.states} states and "
                         f"{graph.transitions} transitions (depth {graph.max_depth}); nothing was found so far")
        return
    res.verdict = "ok"
    if not goals:
        res.notes.append(f"every one of the {res.states} reachable states keeps the invariants"
                         + "".join(f" and {p}" for p in res.properties) + ", and none is a deadlock")


def _livelock(res: Result, graph: Graph, prefix: list[int], goals) -> bool:
    comps, comp = fair.components(graph)
    res.cycles = len(comps)
    res.acyclic = not comps
    everything = (1 << len(goals)) - 1
    bad = [c for c in comps if c.fair and c.goals != everything]
    if bad:
        c = min(bad, key=lambda c: c.entry)
        missing = everything & ~c.goals
        g = (missing & -missing).bit_length() - 1
        name, _, never = goals[g]
        start = c.entry
        cycle = fair.fair_cycle(graph, comp, c, start)
        head = prefix + graph.path_to(start)
        res.verdict = "livelock"
        graph.codec.restore(graph.keys[start])
        w = graph.world
        looping = sorted({w.tasks[t].name for t, _ in cycle})
        res.violation = {"invariant": name, "message": f"{never}: {', '.join(looping)} can loop forever "
                         "under a weakly fair schedule"}
        res.counterexample = Counterexample(head + [t for t, _ in cycle], cycle_start=len(head))
        return True
    if graph.stopped:
        return False
    if res.acyclic:
        res.notes.append(f"the state graph is acyclic ({res.states} states): every run ends, so there is no "
                         "infinite run at all, fair or not")
    else:
        unfair = [c for c in comps if not c.fair]
        names = set()
        for c in unfair:
            s = c.starved()
            names |= {graph.world.tasks[t].name for t in range(len(graph.world.tasks)) if s >> t & 1}
        res.notes.append(f"{len(comps)} cycle(s) exist, but no weakly fair run can stay in one without progress: "
                         f"in each, a runnable task ({', '.join(sorted(names)) or 'none'}) never runs inside it")
    res.notes.append("every weakly fair run reaches: " + ", ".join(n for n, _, _ in goals))
    return False


def can_complete(scenario: str, design: str, ios: int, prefix=None, task: str = "truncate", *,
                 split_rmw: bool = False, fail_io=None, checks=None, max_states: int | None = 200_000,
                 max_seconds: float | None = 10.0, workers: int = 1) -> bool:
    """Is there any continuation of ``prefix`` on which ``task`` returns? (Violating steps are dead
    ends.) False if the prefix itself ends in a violation. If a bound stops the search first the
    answer is True: the explorer could not prove the task stuck."""
    check_bounds(max_states, max_seconds)
    prefix = _check_prefix(prefix)
    run, violation = _start(scenario, design, ios, split_rmw, fail_io, checks, (), prefix, workers)
    names = run.task_names
    if task not in names:
        raise bad_input("task", f"{scenario} has no task {shown(task)}", ", ".join(names))
    if violation is not None:
        return False
    tid = names.index(task)
    graph = Graph(run.world, keep_edges=False, goal_fns=[lambda w: w.tasks[tid].pc == "done"],
                  max_states=max_states, max_seconds=max_seconds)
    graph.search(stop_on_violation=False, stop_on_deadlock=False, until_goal=1)
    return graph.found_goal is not None or graph.stopped is not None


__all__ = ["explore", "can_complete", "applicable_properties", "Result", "Counterexample", "PROPERTIES", "VERDICTS",
           "MAX_IOS", "DEFAULT_MAX_STATES", "MAX_STATES_CAP", "check_bounds"]
