"""Exercises that check themselves: helpful feedback, seeded problems and reveals.

Every exercise has a key (``"04-one-work-item"``), a question, a hint and a way to compute the
right answer *from the model* (never a hard-coded number that could drift from the designs).

* ``check(key, answer, **params)`` prints what was right and returns True, or raises:
  ``Unanswered`` while the answer is still the placeholder ``...`` (the student version of a
  notebook), ``Incorrect`` with what kind of answer was expected, how this one differs and a hint.
  Both subclass ``AssertionError``, so nbgrader and pytest count them as a failed check.
* ``problem(key, seed)`` makes a seeded problem (a seed makes the problem, as in the OSTEP
  homework simulators); ``Problem.show()`` prints it, ``Problem.check(answer)`` checks an answer,
  and ``Problem.reveal()`` prints the answer (the simulators' ``-c``).
* ``reveal(key)`` prints a model answer for any exercise (for schedules: one schedule that works).
* ``grading()`` is True while nbgrader executes the notebook (``NBGRADER_EXECUTION`` is set to
  ``autograde`` or ``validate``); notebooks use it to leave out slow or interactive cells.

Only the standard library and the model core are imported here; the explorer is imported lazily
by the exercises that need it.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import InvariantViolation, bad_input, shown
from .model.flags import NAMES
from .sched import SEED_MAX, SEED_MIN, Run, check_schedule, run

PLACEHOLDER = ...  # what the student versions assign before "# YOUR CODE HERE"


class CheckFailed(AssertionError):
    """A check did not pass. In a notebook it shows as one line, its name and message, without the
    stack of the checking code (IPython asks an exception for ``_render_traceback_`` first): the
    message says all a student needs, and no install path appears on the projector."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class Unanswered(CheckFailed):
    """The answer is still the placeholder ``...``."""


class Incorrect(CheckFailed):
    """The answer is wrong; the message says what was expected and gives a hint."""


def grading() -> bool:
    """True while nbgrader runs the notebook (autograde or validate)."""
    return os.environ.get("NBGRADER_EXECUTION", "") in ("autograde", "validate")


# ---------------------------------------------------------------------------- generic checks
def _unanswered(name: str, answer: Any, hint: str) -> None:
    __tracebackhide__ = True  # IPython and pytest show the message, not these frames
    if answer is PLACEHOLDER:
        raise Unanswered(f"{name} is still the placeholder `...`: replace it with your answer. Hint: {hint}")


def check_value(name: str, answer: Any, expected: Any, *, hint: str, unit: str = "") -> str:
    """A number or a word. Feedback says what kind of value was expected and, for numbers,
    whether the answer is too high or too low."""
    __tracebackhide__ = True
    _unanswered(name, answer, hint)
    u = f" {unit}" if unit else ""
    if isinstance(expected, bool) or not isinstance(expected, int):
        if isinstance(expected, str) and not isinstance(answer, str):
            raise Incorrect(f"{name}: expected a word (a str), got {type(answer).__name__} {shown(answer)}. "
                            f"Hint: {hint}")
        if answer != expected:
            raise Incorrect(f"{name}: {shown(answer)} is not it. Hint: {hint}")
        return f"{name}: {answer!r} is right."
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise Incorrect(f"{name}: expected a whole number{u}, got {type(answer).__name__} {shown(answer)}. "
                        f"Hint: {hint}")
    if answer != expected:
        way = "too high" if answer > expected else "too low"
        raise Incorrect(f"{name}: {shown(answer)}{u} is {way}. Hint: {hint}")
    return f"{name}: {answer}{u} is right."


def check_set(name: str, answer: Any, expected: set, *, hint: str, universe=None) -> str:
    """A set of names. Feedback names what is missing and what should not be there (by count)."""
    __tracebackhide__ = True
    _unanswered(name, answer, hint)
    if isinstance(answer, str) or not isinstance(answer, (set, frozenset, list, tuple)) or not all(
            isinstance(x, (str, int)) and not isinstance(x, bool) for x in answer):
        choices = f" from the choices {', '.join(map(str, universe))}" if universe is not None else ""
        raise Incorrect(f"{name}: expected a set of names (str){choices}, got {type(answer).__name__} "
                        f"{shown(answer)}. Hint: {hint}")
    got = set(answer)
    if universe is not None:
        unknown = sorted(map(str, got - set(universe)))
        if unknown:
            raise Incorrect(f"{name}: {', '.join(unknown)} is not one of the choices "
                            f"({', '.join(map(str, universe))}). Hint: {hint}")
    if got != set(expected):
        missing, extra = len(set(expected) - got), len(got - set(expected))
        parts = []
        if missing:
            parts.append(f"{missing} right choice{'s are' if missing > 1 else ' is'} missing")
        if extra:
            parts.append(f"{extra} choice{'s do' if extra > 1 else ' does'} not belong")
        raise Incorrect(f"{name}: {' and '.join(parts)}. Hint: {hint}")
    return f"{name}: {sorted(map(str, got))} is right."


def check_mapping(name: str, answer: Any, expected: dict, *, hint: str) -> str:
    """A dict. Feedback names the keys whose value is wrong (not their right values)."""
    __tracebackhide__ = True
    _unanswered(name, answer, hint)
    if not isinstance(answer, dict):
        raise Incorrect(f"{name}: expected a dict with the keys {sorted(expected, key=str)}, got "
                        f"{type(answer).__name__} {shown(answer)}. Hint: {hint}")
    missing = [k for k in expected if k not in answer]
    if missing:
        raise Incorrect(f"{name}: the keys {sorted(expected, key=str)} are expected; missing: "
                        f"{sorted(missing, key=str)}. Hint: {hint}")
    extra = [k for k in answer if k not in expected]
    if extra:
        raise Incorrect(f"{name}: unexpected keys {sorted(extra, key=str)}; expected exactly "
                        f"{sorted(expected, key=str)}. Hint: {hint}")
    for k in expected:
        if isinstance(expected[k], (set, frozenset)) and not (
                isinstance(answer[k], (set, frozenset, list, tuple))
                and all(isinstance(x, str) for x in answer[k])):
            raise Incorrect(f"{name}: the value for {k!r} must be {_shape_of(expected[k])}, got "
                            f"{type(answer[k]).__name__} {shown(answer[k])}. Hint: {hint}")
    wrong = [k for k in expected if _norm(answer[k]) != _norm(expected[k])]
    if wrong:
        raise Incorrect(f"{name}: {len(wrong)} of {len(expected)} entries are wrong: "
                        f"{', '.join(repr(k) for k in wrong)}. Hint: {hint}")
    return f"{name}: all {len(expected)} entries are right."


def _norm(v):
    if isinstance(v, (set, frozenset, list, tuple)) and not isinstance(v, str):
        return frozenset(v)
    return v


# ---------------------------------------------------------------------------- schedules
def _replay(scenario: str, design: str, ios: int, schedule, properties=()) -> tuple[Run, InvariantViolation | None]:
    """Replay a schedule step by step; Incorrect (with the step and why) if a step cannot run."""
    if isinstance(schedule, str) or not isinstance(schedule, (list, tuple)):
        raise Incorrect(f"expected a schedule: a list of task ids such as [0, 0, 1, 2], got "
                        f"{type(schedule).__name__} {schedule!r}")
    r = Run(scenario, design, ios, properties=properties)
    for tid in schedule:
        try:
            r.step(tid)
        except InvariantViolation as v:
            return r, v
        except ValueError as e:
            raise Incorrect(f"your schedule cannot be replayed: {e}") from None
    return r, None


def _replay_safe(scenario: str, design: str, ios: int, schedule) -> Run:
    """``_replay`` for goals that a broken invariant can never meet: Incorrect naming the invariant."""
    r, v = _replay(scenario, design, ios, schedule)
    if v is not None:
        raise Incorrect(f"your schedule breaks {v.invariant}: {v.message}.")
    return r


def priority_schedule(scenario: str, design: str, ios: int, order: list[str], *, stop=None,
                      max_steps: int = 2000, properties=()) -> list[int]:
    """A schedule that always steps the first runnable task in ``order`` (task names), until the
    run ends, ``stop(run)`` is true, or ``max_steps``. Used to build model answers."""
    r = Run(scenario, design, ios, properties=properties)
    rank = {name: i for i, name in enumerate(order)}
    while len(r.schedule) < max_steps and r.outcome() is None:
        if stop is not None and stop(r):
            break
        tid = min(r.runnable(), key=lambda t: rank.get(r.world.tasks[t].name, len(rank)))
        try:
            r.step(tid)
        except InvariantViolation:
            break
    return list(r.schedule)


def _freed_by(r: Run) -> dict[int, str | None]:
    w = r.world
    return {io.id: (w.tasks[io.freed_by].name if io.freed else None) for io in w.ios}


def _converted_by(r: Run) -> dict[int, str]:
    return {rec.io: rec.name for rec in r.trace if rec.kind == "convert"}


# ---------------------------------------------------------------------------- notebook helpers
def print_steps(steps, *, tasks=None, kinds=None, stages=None, ios=None, text: str | None = None,
                first: int | None = None, last: int | None = None, columns=("dio_count",)) -> None:
    """Print step records as a compact table (``step task action``), each text whole. Optionally only
    some tasks (names), step kinds, flush stages, io_ends (numbers), steps whose text contains ``text``,
    then the first or last few; ``columns`` adds StepRecord fields (e.g. ``"list_len"``, ``"kind"``).
    When steps are left out, a first line says how many, and by which filter."""
    steps = list(steps)
    rows = [r for r in steps if (tasks is None or r.name in tasks) and (kinds is None or r.kind in kinds)
            and (stages is None or r.stage in stages) and (ios is None or r.io in ios)
            and (text is None or text in r.label)]
    if first is not None:
        rows = rows[:first]
    if last is not None:
        rows = rows[-last:]
    if len(rows) < len(steps):
        print(f"{len(rows)} of {len(steps)} steps shown ({_filters(tasks, kinds, stages, ios, text, first, last)}); "
              f"the other {len(steps) - len(rows)} are hidden")
    head = f"{'step':>4}  {'task':<8} " + "".join(f"{c:>10} " for c in columns) + "action"
    print(head)
    for r in rows:
        print(f"{r.i:>4}  {r.name:<8} " + "".join(f"{getattr(r, c)!s:>10} " for c in columns) + r.label)


def _filters(tasks, kinds, stages, ios, text, first, last) -> str:
    """What ``print_steps`` kept, in words: "only task worker, stage C; the last 3"."""
    def some(word: str, values) -> str:
        return f"{word}{'s' if len(values) > 1 else ''} {', '.join(sorted(map(str, values)))}"

    only = [some(w, v) for w, v in (("task", tasks), ("kind", kinds), ("stage", stages)) if v is not None]
    only += [", ".join(f"io#{k}" for k in sorted(ios))] if ios is not None else []
    only += [f"steps whose text has {text!r}"] if text is not None else []
    cut = [f"the first {first}"] * (first is not None) + [f"the last {last}"] * (last is not None)
    return "; ".join((["only " + ", ".join(only)] if only else []) + cut)


def step_until(r: Run, tid: int, done: Callable, *, max_steps: int = 1000) -> int:
    """Step task ``tid`` of the run ``r`` until ``done(r.world)`` holds; return how many steps it took.
    A step the task cannot take raises ValueError (``Run.step``), and so does a condition still false
    after ``max_steps`` steps of that task."""
    n = 0
    while not done(r.world):
        if n >= max_steps:
            raise bad_input("done", f"still false after {max_steps} steps of task {tid}",
                            "a condition that task reaches")
        r.step(tid)
        n += 1
    return n


def outcome_line(result) -> str:
    """One line for a RunResult: its outcome in words (the CLI's last line; ``RunResult.describe()``)."""
    return result.describe()


# ---------------------------------------------------------------------------- the registry
@dataclass(frozen=True)
class Exercise:
    key: str
    notebook: str  # the solutions notebook it lives in
    kind: str  # "value" | "set" | "mapping" | "schedule" | "fix" (the last two are checked by ``goal``)
    question: str
    hint: str
    explain: str  # why the answer is what it is (shown on success and on reveal)
    solve: Callable[[dict], Any]  # params -> the expected answer (a schedule for "schedule")
    goal: Callable | None = None  # for "schedule": (params, schedule) -> raises Incorrect or returns text
    make: Callable[[int], dict] | None = None  # seeded problems: seed -> params
    show: Callable[[dict], str] | None = None  # seeded problems: params -> the problem as text
    defaults: dict = field(default_factory=dict)
    universe: tuple | None = None  # for "set": the allowed choices

    @property
    def seeded(self) -> bool:
        return self.make is not None


REGISTRY: dict[str, Exercise] = {}


def _add(ex: Exercise) -> None:
    REGISTRY[ex.key] = ex


def get(key: str) -> Exercise:
    if not isinstance(key, str) or key not in REGISTRY:
        raise ValueError(f"exercise: unknown key {shown(key)}; allowed: {', '.join(REGISTRY)}")
    return REGISTRY[key]


# The parameters an exercise takes are those of its ``defaults``, each of the same type as its default.
# Whole numbers have a range, so that no call runs for long (``08-*`` run the explorer at N = ``ios``).
PARAM_RANGES = {"ios": (1, 8), "io": (0, 7), "seeds": (1, 1000), "max_steps": (1, 20_000),
                "seed": (SEED_MIN, SEED_MAX)}
PARAM_RANGES_OF = {("08-equivalent", "ios"): (1, 3), ("08-fix-variant", "ios"): (1, 3)}


def _check_param(key: str, name: str, value, default) -> None:
    if isinstance(default, bool) or not isinstance(default, (int, str, list)):
        return
    if isinstance(default, int):
        low, high = PARAM_RANGES_OF.get((key, name), PARAM_RANGES.get(name, (0, 10 ** 6)))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name}: {shown(value)} is not a whole number in range for {key}; "
                             f"allowed: {low}..{high}")
    elif isinstance(default, str):
        if not isinstance(value, str):
            raise ValueError(f"{name}: {shown(value)} is not a name; allowed: a str such as {shown(default)}")
        if name == "design":
            from .designs import get_design
            get_design(value)
    else:
        check_schedule(value, name)


def _params(ex: Exercise, params: dict) -> dict:
    """The exercise's defaults updated by ``params``, each checked (ValueError naming the parameter)."""
    for name, value in params.items():
        if name not in ex.defaults:
            raise ValueError(f"{name}: not a parameter of {ex.key}; allowed: "
                             + (", ".join(ex.defaults) or "none (it takes no parameters)"))
        _check_param(ex.key, name, value, ex.defaults[name])
    p = dict(ex.defaults)
    p.update(params)
    if "io" in p and "ios" in p and not p["io"] < p["ios"]:
        raise ValueError(f"io: {p['io']} names no io_end of {p['ios']}; allowed: 0..{p['ios'] - 1}")
    return p


def check(key: str, answer: Any, **params) -> None:
    """Check an answer: print ``Correct.`` and why, or raise Unanswered / Incorrect."""
    __tracebackhide__ = True  # IPython and pytest show the message, not these frames
    ex = get(key)
    p = _params(ex, params)
    if ex.goal is not None:
        _unanswered(key, answer, ex.hint)
        try:
            text = ex.goal(p, answer)
        except Incorrect as e:
            raise Incorrect(f"{key}: {e} Hint: {ex.hint}") from None
        except Exception:  # noqa: BLE001 - whatever an oddly shaped answer makes the goal trip over
            raise Incorrect(f"{key}: expected {SHAPES[ex.kind]}, got {type(answer).__name__} {shown(answer)}. "
                            f"Hint: {ex.hint}") from None
    else:
        expected = ex.solve(p)
        try:
            if ex.kind == "value":
                text = check_value(key, answer, expected, hint=ex.hint)
            elif ex.kind == "set":
                text = check_set(key, answer, expected, hint=ex.hint, universe=ex.universe)
            else:
                text = check_mapping(key, answer, expected, hint=ex.hint)
        except CheckFailed:
            raise
        except Exception:  # noqa: BLE001 - an answer whose comparison itself fails (e.g. its __eq__ raises)
            raise Incorrect(f"{key}: expected {_shape_of(expected)}, got {type(answer).__name__} "
                            f"{shown(answer)}. Hint: {ex.hint}") from None
    print(f"Correct. {text}\nWhy: {ex.explain}")


SHAPES = {"schedule": "a schedule: a list of task ids such as [0, 0, 1, 2]",
          "fix": "a dict like ex.BROKEN_PLACE", "value": "a value", "set": "a set", "mapping": "a dict"}


def _shape_of(expected) -> str:
    """What kind of answer ``expected`` is, in words (for the one-line Incorrect)."""
    if isinstance(expected, bool):
        return "True or False"
    if isinstance(expected, int):
        return "a whole number"
    if isinstance(expected, str):
        return "a word (a str)"
    if isinstance(expected, (set, frozenset)):
        return "a set of names (str)"  # no example: it could give part of the answer away
    if isinstance(expected, dict):
        keys = sorted(expected, key=str)
        first = expected[keys[0]] if keys else None
        return f"a dict with the keys {keys}" + (f", each value {_shape_of(first)}" if keys else "")
    return type(expected).__name__


def hint(key: str) -> str:
    return get(key).hint


def question(key: str) -> None:
    print(get(key).question)


def answer_for(key: str, **params) -> Any:
    """The model answer (for a schedule exercise: one schedule that works)."""
    ex = get(key)
    return ex.solve(_params(ex, params))


def reveal(key: str, **params) -> Any:
    """Print and return the model answer, with the reason."""
    ans = answer_for(key, **params)
    print(f"Answer to {key}: {_fmt(ans)}\nWhy: {get(key).explain}")
    return ans


def _fmt(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {_fmt(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (set, frozenset)):
        return "{" + ", ".join(repr(x) for x in sorted(v, key=str)) + "}"
    return repr(v)


@dataclass
class Problem:
    """A seeded problem: the same seed always makes the same problem."""

    key: str
    seed: int
    params: dict

    def show(self) -> None:
        ex = get(self.key)
        print(f"{self.key}, seed {self.seed}: {ex.question}")
        if ex.show is not None:
            print(ex.show(self.params))

    def check(self, answer: Any) -> None:
        __tracebackhide__ = True  # IPython and pytest show the message, not these frames
        check(self.key, answer, **self.params)

    def reveal(self) -> Any:
        return reveal(self.key, **self.params)

    @property
    def answer(self) -> Any:
        return answer_for(self.key, **self.params)


def problem(key: str, seed: int) -> Problem:
    """Make the seeded problem ``key`` for ``seed``."""
    ex = get(key)
    if not ex.seeded:
        raise ValueError(f"seed: exercise {shown(key)} is not seeded; allowed: "
                         + ", ".join(k for k, e in REGISTRY.items() if e.seeded))
    if isinstance(seed, bool) or not isinstance(seed, int) or not SEED_MIN <= seed <= SEED_MAX:
        raise ValueError(f"seed: {shown(seed)} is not a whole number in range; allowed: {SEED_MIN}..{SEED_MAX}")
    return Problem(key, seed, ex.make(seed))


def keys(notebook: str | None = None) -> list[str]:
    return [k for k, e in REGISTRY.items() if notebook is None or e.notebook == notebook]


# ============================================================================ the exercises
def _flags_after_completions(p):
    r = Run("completion-storm", "new", p["ios"])
    while r.world.tasks[0].pc != "done":
        r.step(0)
    return {io.id: {NAMES[b] for b in NAMES if io.flags & b} for io in r.world.ios}


_add(Exercise(
    "01-flags-on-list", "01_io_end", "mapping",
    "New design, completion-storm, N=2: let only the dio task run until it has completed both io_ends. "
    "Which flags does each io_end carry then? Answer a dict {0: {...}, 1: {...}} of flag names "
    "(UNWRITTEN, QUEUED, DIRECT, IN_FSYNC).",
    "Every io_end here is an AIO direct write into an unwritten extent. ext4_add_complete_io marks an io_end "
    "QUEUED only when it finds the list empty.",
    "Both are UNWRITTEN|DIRECT (a direct write into fallocated space). io#0 found the list empty, so its work "
    "was queued and it is QUEUED; io#1 found io#0 there and only joined the list.",
    _flags_after_completions, defaults={"ios": 2}))


def _make_dio_count(seed):
    rng = random.Random(seed)
    ios = rng.randint(2, 4)
    full = run("truncate-vs-dio", "new", ios, seed=seed).schedule
    cut = rng.randint(len(full) // 3, 2 * len(full) // 3)
    return {"ios": ios, "schedule": full[:cut]}


def _prefix_run(p, scenario="truncate-vs-dio", design="new"):
    r = Run(scenario, design, p["ios"])
    r.replay(p["schedule"])
    return r


def _show_dio_count(p):
    r = _prefix_run(p)
    lines = [f"  {rec.i:3} {rec.name:8} {rec.label}" for rec in r.trace]
    lines = [ln.split(" (i_dio_count=")[0] for ln in lines]
    return f"truncate-vs-dio, design new, N={p['ios']}, i_dio_count starts at {p['ios']}:\n" + "\n".join(lines)


_add(Exercise(
    "01-dio-count", "01_io_end", "value",
    "Read the trace (the i_dio_count figures are hidden). What is i_dio_count after its last step?",
    "A completion (add_complete_io) does not drop i_dio_count: for a write into an unwritten extent "
    "inode_dio_done runs only after the conversion, in ext4_end_io. Count the inode_dio_done lines.",
    "i_dio_count drops once per conversion (flush.B inode_dio_done), never at completion: that is what "
    "makes truncate's inode_dio_wait wait for the worker.",
    lambda p: _prefix_run(p).world.inode.dio_count, make=_make_dio_count, show=_show_dio_count,
    defaults={"ios": 2, "schedule": []}))


_add(Exercise(
    "02-requeues", "02_old_worker", "value",
    "Old design, truncate-vs-dio, N=1, round robin for 200 steps: how many times does the worker "
    "requeue itself? Compute it with ext4io_teach.run.",
    "run(...) returns a RunResult; its .stats counts 'requeues'. Round robin is the default policy; "
    "pass max_steps=200.",
    "Once truncate holds i_mutex and waits for i_dio_count, every pass of the worker is dequeue, spin_lock, "
    "failed trylock, set QUEUED, spin_unlock, requeue (and yield): about one requeue every six or seven steps.",
    lambda p: run("truncate-vs-dio", "old", 1, max_steps=p["max_steps"]).stats["requeues"],
    defaults={"max_steps": 200}))


def _goal_old_fsync_converts(p, schedule):
    r = _replay_safe("fsync-vs-worker", "old", 1, schedule)
    if r.outcome() != "completed":
        raise Incorrect(f"your schedule stops before the run is finished (after {len(schedule)} steps); "
                        "run it to the end.")
    conv, freed = _converted_by(r), _freed_by(r)
    if conv.get(0) != "fsync":
        raise Incorrect(f"io#0 was converted by {conv.get(0)}, not by fsync.")
    return (f"fsync converted io#0 (IN_FSYNC kept the work item away) and {freed[0]} freed it, "
            "as the old design intends.")


_add(Exercise(
    "02-fsync-converts", "02_old_worker", "schedule",
    "Old design, fsync-vs-worker, N=1 (tasks 0 dio, 1 worker, 2 fsync): find a complete schedule in which "
    "fsync converts io#0. Who frees it then?",
    "fsync must take i_mutex and pop io#0 from the list before the worker's trylock succeeds: let the dio "
    "task complete io#0, then let fsync run as far as it can, and finish with whatever is runnable.",
    "The old fsync flush converts under i_mutex but never frees: io#0's own work item is still queued; it "
    "finds io#0 off the list and frees it.",
    lambda p: priority_schedule("fsync-vs-worker", "old", 1, ["dio", "fsync", "worker"]),
    goal=_goal_old_fsync_converts))


def _outcomes(p):
    return {d: run("truncate-vs-dio", d, p["ios"], max_steps=p["max_steps"]).outcome
            for d in ("old", "old-blocking", "new")}


_add(Exercise(
    "03-outcomes", "03_hang", "mapping",
    "truncate-vs-dio, N=2, round robin, max_steps=1000: predict the outcome for each design "
    "'old', 'old-blocking' (the counterfactual: v3.6 with the trylock turned back into mutex_lock) and 'new' "
    "(one of completed, deadlock, running, stopped, violation).",
    "'running' means the step limit was hit while some task kept stepping; 'deadlock' means no task "
    "could run at all. Which designs leave a task that can always step?",
    "old: 'running' (the worker requeues and yields forever: a livelock, so the limit is hit); old-blocking: "
    "'deadlock' (the worker sleeps on i_mutex, truncate sleeps on i_dio_count; a counterfactual: no released "
    "kernel had a sleeping worker once truncate waited for the conversion); new: 'completed'.",
    _outcomes, defaults={"ios": 2, "max_steps": 1000}))


def _hung(r: Run) -> bool:
    w = r.world
    return (w.inode.i_mutex.holder == 2 and w.inode.dio_count > 0 and w.stats["trylock_failed"] >= 1)


def _goal_hang(p, schedule):
    r = _replay_safe("truncate-vs-dio", "old", p["ios"], schedule)
    w = r.world
    if w.inode.i_mutex.holder != 2:
        who = "nobody" if w.inode.i_mutex.holder is None else w.tasks[w.inode.i_mutex.holder].name
        raise Incorrect(f"at the end of your schedule i_mutex is held by {who}, not by truncate.")
    if w.inode.dio_count == 0:
        raise Incorrect("i_dio_count is already 0, so inode_dio_wait returns: truncate will finish.")
    if w.stats["trylock_failed"] < 1:
        raise Incorrect("the worker has not yet failed a mutex_trylock: step it until it does.")
    return (f"truncate holds i_mutex and waits for i_dio_count == 0 (now {w.inode.dio_count}); the worker "
            f"failed trylock {w.stats['trylock_failed']} time(s) and will requeue forever.")


_add(Exercise(
    "03-hang", "03_hang", "schedule",
    "Old design, truncate-vs-dio, N=1 (tasks 0 dio, 1 worker, 2 truncate): find a schedule after which the "
    "hang is certain: truncate holds i_mutex, i_dio_count is still above 0, and the worker has failed "
    "mutex_trylock at least once.",
    "truncate needs just one step to take i_mutex. Give it that step before the worker converts io#0, then "
    "let the dio task complete io#0 and the worker try.",
    "With i_mutex held by a task that waits for i_dio_count, and i_dio_count dropping only after a conversion "
    "that needs i_mutex, no schedule can ever finish truncate.",
    lambda p: priority_schedule("truncate-vs-dio", "old", p["ios"], ["truncate", "dio", "worker"], stop=_hung),
    goal=_goal_hang, defaults={"ios": 1}))

# The facts behind these statements: docs/claims.md K11 (the v3.6 worker trylocks with the spinlock held),
# K21 (inode_dio_wait sleeps uninterruptibly), K24 (why lockdep is silent), K25 (the counterfactual).
LOCKDEP_STATEMENTS = {
    "a": "mutex_trylock never sleeps, so lockdep adds no dependency edge for the worker's try.",
    "b": "truncate waits in inode_dio_wait for a counter (i_dio_count), which is not a lock lockdep tracks.",
    "c": "had lockdep been enabled, it would have reported the hang, since truncate holds i_mutex while it sleeps.",
    "d": "the worker drops i_completed_io_lock before it tries i_mutex, so no lock is held across the try.",
    "e": "no task ever sleeps in the hang: the worker stays runnable, requeueing and yielding.",
    "f": "there is no cycle among the locks lockdep tracks: the try adds no edge and truncate waits on a counter.",
    "g": "had the worker slept in mutex_lock(i_mutex) (the old-blocking counterfactual), lockdep would have "
         "reported a cycle.",
}

_add(Exercise(
    "03-lockdep", "03_hang", "set",
    "lockdep said nothing about the hang. Which statements in LOCKDEP_STATEMENTS are true "
    "(answer a set of letters)?",
    "lockdep reports cycles in a graph of lock classes; an edge A -> B is added when a task blocks to acquire B "
    "while holding A. Which waits in the hang are blocking lock acquisitions, and who is asleep?",
    "True: (a) a trylock adds no edge, (b) truncate waits for a counter, not a lock, hence (f) no cycle among "
    "the tracked locks. False: (c) enabled, lockdep would still have found no cycle; (d) v3.6's "
    "ext4_end_io_work calls mutex_trylock with i_completed_io_lock held, and even so the try adds no edge; "
    "(e) truncate sleeps in inode_dio_wait, uninterruptibly, so the hung-task detector reports it (only the "
    "worker never sleeps); (g) a sleeping mutex_lock would add an edge into i_mutex (from the workqueue's "
    "lockdep maps held around the work function), but truncate's half of the circle is still a counter: "
    "lockdep would have missed the counterfactual too, and the hung-task detector would have reported both tasks.",
    lambda p: {"a", "b", "f"}, universe=tuple(LOCKDEP_STATEMENTS)))


def _goal_one_work_item(p, schedule):
    r = _replay_safe("completion-storm", "new", p["ios"], schedule)
    if r.outcome() != "completed":
        raise Incorrect(f"your schedule stops after {len(schedule)} steps, before every io_end was freed.")
    n = r.world.stats["work_items_queued"]
    if n != 1:
        raise Incorrect(f"your schedule queued {n} work items: the worker emptied the list before the "
                        "next completion, so that completion found the list empty and queued work again.")
    return f"one work item converted all {p['ios']} io_ends."


_add(Exercise(
    "04-one-work-item", "04_add_complete_io", "schedule",
    "New design, completion-storm, N=4 (tasks 0 dio, 1 worker): find a complete schedule in which a single "
    "work item drains all four io_ends.",
    "Work is queued only when a completion finds the list empty. Keep the list non-empty until every "
    "io_end has been added.",
    "ext4_add_complete_io queues work only on the empty-to-non-empty transition; if all completions arrive "
    "before the worker's stage A, one drain takes them all.",
    lambda p: priority_schedule("completion-storm", "new", p["ios"], ["dio", "worker"]),
    goal=_goal_one_work_item, defaults={"ios": 4}))


def _queued_counts(p):
    n = p["ios"]
    old = run("completion-storm", "old", n).stats["work_items_queued"]
    lo, hi = n, 0
    for seed in range(p["seeds"]):
        q = run("completion-storm", "new", n, seed=seed).stats["work_items_queued"]
        lo, hi = min(lo, q), max(hi, q)
    for order in (["dio", "worker"], ["worker", "dio"]):  # all completions first; drain after each one
        q = run("completion-storm", "new", n,
                schedule=priority_schedule("completion-storm", "new", n, order)).stats["work_items_queued"]
        lo, hi = min(lo, q), max(hi, q)
    return {"old": old, "new_min": lo, "new_max": hi}


_add(Exercise(
    "04-work-items", "04_add_complete_io", "mapping",
    "completion-storm, N=4: how many work items are queued in the old design (any schedule), and what are the "
    "fewest and the most the new design can queue? Answer {'old': ., 'new_min': ., 'new_max': .}.",
    "Old: each completion queues its own io_end's work. New: one queue_work per empty-to-non-empty "
    "transition of the list; how few and how many such transitions can four completions make?",
    "Old: 4, one per io_end (more if the worker requeues, which it cannot here: nobody holds i_mutex). "
    "New: 1 if all four arrive before the worker drains, 4 if the worker empties the list each time.",
    _queued_counts, defaults={"ios": 4, "seeds": 40}))


def _stage_locks(p):
    r = run("completion-storm", "new", 2, schedule=answer_for("04-one-work-item", ios=2))
    held: dict[str, bool] = {}
    for rec in r.steps:
        if rec.name == "worker" and rec.stage and rec.kind not in ("spin_lock", "spin_unlock"):
            held[rec.stage] = held.get(rec.stage, True) and rec.spin_holder == "worker"
    return {s: held[s] for s in "ABCD" if s in held}


_add(Exercise(
    "05-stage-locks", "05_four_stages", "mapping",
    "For each flush stage A, B, C, D: does the drainer hold i_completed_io_lock while it does that stage's "
    "work? Answer {'A': True/False, ...}.",
    "Only work on shared state needs the spinlock: the inode list and the io_end flags. A conversion "
    "may sleep (it starts a journal handle), and nobody may sleep holding a spinlock.",
    "A (splice the list) and C (clear UNWRITTEN/QUEUED, sort into to_free) are locked; B (convert) and D "
    "(free what is on the private to_free list) run unlocked.",
    _stage_locks))


def _make_who_frees(seed):
    rng = random.Random(seed)
    return {"ios": rng.randint(2, 3), "seed": seed}


def _who_frees_run(p):
    return run("fsync-vs-worker", "new", p["ios"], seed=p["seed"])


def _show_who_frees(p):
    r = _who_frees_run(p)
    lines = [f"  {rec.i:3} {rec.name:7} {rec.label}" for rec in r.steps if rec.kind != "free"]
    return (f"fsync-vs-worker, design new, N={p['ios']}, random schedule seed {p['seed']} "
            f"(the 'free' steps are hidden):\n" + "\n".join(lines))


_add(Exercise(
    "06-who-frees", "06_who_frees", "mapping",
    "Read the trace of stage C (the free steps are hidden) and say who frees each io_end: a dict "
    "{io number: 'worker' or 'fsync'}.",
    "In stage C a QUEUED io_end is only unlinked (its own worker puts it on its to_free list in its stage C if "
    "UNWRITTEN is clear by then); any other io_end goes to the drainer's to_free list. Stage D frees what is on "
    "to_free. Look for 'move to to_free' and 'onto to_free'.",
    "Whoever takes an io_end in stage A converts it; if it is not QUEUED that drainer frees it; if it is "
    "QUEUED, whichever of drainer and owning worker passes stage C second frees it.",
    lambda p: _freed_by(_who_frees_run(p).run), make=_make_who_frees, show=_show_who_frees,
    defaults={"ios": 2, "seed": 0}))


def _goal_fsync_frees(p, schedule):
    r = _replay_safe("fsync-vs-worker", "new", p["ios"], schedule)
    if r.outcome() != "completed":
        raise Incorrect(f"your schedule stops after {len(schedule)} steps, before the run is finished.")
    freed = _freed_by(r)
    k = p["io"]
    if freed[k] != "fsync":
        conv = _converted_by(r).get(k)
        raise Incorrect(f"io#{k} was converted by {conv} and freed by {freed[k]}.")
    return f"fsync freed io#{k}."


_add(Exercise(
    "06-fsync-frees", "06_who_frees", "schedule",
    "New design, fsync-vs-worker, N=2 (tasks 0 dio, 1 worker, 2 fsync): find a complete schedule in which "
    "fsync frees io#1.",
    "io#1 is not QUEUED if it joins a non-empty list. Let dio complete both io_ends first, then let fsync "
    "drain and settle the list before the worker gets its stage A.",
    "A flusher frees only io_ends that are not QUEUED (or whose worker already cleared QUEUED): io#1 joined "
    "a non-empty list, so it never had a work item of its own.",
    lambda p: priority_schedule("fsync-vs-worker", "new", p["ios"], ["dio", "fsync", "worker"]),
    goal=_goal_fsync_frees, defaults={"ios": 2, "io": 1}))


def _goal_fsync_durable(p, schedule):
    r, v = _replay("fsync-vs-writeback", p["design"], p["ios"], schedule, properties=("fsync-durable",))
    if v is None:
        raise Incorrect(f"your schedule ({'finished' if r.outcome() == 'completed' else 'stopped'}) never "
                        "breaks fsync-durable: fsync must return while another drainer still holds an io_end "
                        "whose page writeback had ended.")
    if v.invariant != "fsync-durable":
        raise Incorrect(f"your schedule breaks {v.invariant}, not fsync-durable.")
    return f"fsync returned too early: {v.message}."


def _durable_solution(p):
    # the writeback task completes io#0 (page writeback ends, io#0 joins the list and queues the work); the
    # worker takes io#0 in stage A and stops; fsync passes its writeback wait, flushes an empty list and
    # returns while io#0 is still unconverted in the worker's hands.
    r = Run("fsync-vs-writeback", p["design"], p["ios"], properties=("fsync-durable",))
    while r.world.tasks[1].pc != "eio.convert":  # the worker has taken io#0 and is about to convert it
        r.step(min(r.runnable()))
    while True:
        try:
            r.step(2)
        except InvariantViolation:
            return list(r.schedule)


_add(Exercise(
    "09-fsync-durable", "09_what_was_left", "schedule",
    "New design, fsync-vs-writeback, N=1 (tasks 0 writeback, 1 worker, 2 fsync): find a schedule that breaks "
    "the fsync-durable property (checked with properties=('fsync-durable',)).",
    "Let the writeback task complete io#0, then let the worker take io#0 in its stage A and stop it there. Then "
    "run fsync alone: what does its flush find on the list?",
    "A flush only drains what is on the list. An io_end another drainer has already taken is invisible to it, "
    "so fsync returns before that conversion is done, although the page writeback it waited for had ended: the "
    "extent is still unwritten on disk. c278531d makes it wait for i_unwritten == 0.",
    _durable_solution, goal=_goal_fsync_durable, defaults={"ios": 1, "design": "new"}))


_add(Exercise(
    "09-c278531d", "09_what_was_left", "value",
    "c278531d design, fsync-vs-writeback, N=1, property fsync-durable on: how many of the seeded random runs "
    "with seeds 0..99 end in a violation?",
    "c278531d makes a flush caller wait until i_unwritten is 0, i.e. until every conversion in any drainer "
    "has finished. Can fsync still return before a conversion is done?",
    "None: after its own flush, fsync sleeps until i_unwritten == 0, so every io_end whose pages were written "
    "back before it began has been converted by whichever drainer took it.",
    lambda p: sum(run("fsync-vs-writeback", "c278531d", 1, seed=s, properties=("fsync-durable",)).outcome
                  == "violation" for s in range(p["seeds"])), defaults={"seeds": 100}))


PUNCH_DESIGNS = ("old", "new", "02d262df", "c278531d", "old+02d262df")


_add(Exercise(
    "09-punch-waits", "09_what_was_left", "set",
    "punch-hole-error, N=2: which of the designs in ex.PUNCH_DESIGNS keep the property punch-waits (punch hole "
    "removes blocks only when no conversion is pending) in every schedule? Answer a set of names.",
    "Which punch holes wait for DIO before they remove blocks? Waiting can also mean never getting there.",
    "02d262df and c278531d wait in inode_dio_wait (c278531d also for i_unwritten == 0) under i_mutex, so no "
    "conversion is pending when they remove blocks. old+02d262df waits the same way: when its punch gets that "
    "far, everything is converted; in the other runs it never returns (a hang, not a punch-waits violation). "
    "v3.6 and 28a535f9 punch without waiting.",
    lambda p: {d for d in PUNCH_DESIGNS
               if explore_verdict("punch-hole-error", d, p["ios"], "punch-waits") == "ok"},
    defaults={"ios": 2}, universe=PUNCH_DESIGNS))


_add(Exercise(
    "09-counterfactual", "09_what_was_left", "value",
    "Design old+02d262df (the v3.6 worker with 02d262df's punch hole), punch-hole-error, N=1, property "
    "liveness: which liveness goal never holds? Answer its name (a string such as 'truncate-returns').",
    "Which task holds i_mutex while it waits for i_dio_count, and what does the v3.6 worker need before it "
    "converts?",
    "punch-returns: punch holds i_mutex and sleeps in inode_dio_wait; the count drops only after a conversion, "
    "and the v3.6 worker converts only after mutex_trylock(i_mutex) succeeds, so it requeues and yields forever. "
    "The truncate hang again: 02d262df could only land after 28a535f9 took i_mutex out of the worker.",
    lambda p: _explore("punch-hole-error", "old+02d262df", 1, "liveness").violation["invariant"]))


def _explore(scenario, design, ios, prop):
    from .explore import explore
    return explore(scenario, design, ios, property=prop, progress=False)


def explore_verdict(scenario, design, ios, prop) -> str:
    return _explore(scenario, design, ios, prop).verdict


EQUIVALENT_CANDIDATES = ("flusher-frees-queued", "stage-c-unlocked", "queue-before-flag", "drain-one",
                         "add-then-test-singular", "worker-never-frees-own")


def _equivalent(p):
    from .explore.gallery import check_variant

    return {name for name in EQUIVALENT_CANDIDATES if check_variant(name, p["ios"])[1] is None}


_add(Exercise(
    "08-equivalent", "08_proving_it", "set",
    "Six variants of the new design (ex.EQUIVALENT_CANDIDATES; each design's .title says what it changes). Which "
    "of them are actually safe: the explorer finds no consequence and no hang up to N=2? Answer a set of names.",
    "Ask what each change lets another task see. A flag that is only ever read under the spinlock can be set in "
    "any order inside the same critical section.",
    "queue-before-flag and add-then-test-singular only reorder steps inside one critical section of "
    "i_completed_io_lock; nobody can observe the order. The others free too early, lose an io_end or hang.",
    _equivalent, defaults={"ios": 2}, universe=EQUIVALENT_CANDIDATES))

PLACE_KEYS = (("worker", True), ("worker", False), ("flusher", True), ("flusher", False))
BROKEN_PLACE = {("worker", True): "unlink", ("worker", False): "to_free",
                ("flusher", True): "to_free", ("flusher", False): "to_free"}  # flusher-frees-queued


def design_from_table(table: dict) -> str:
    """Register (once) a variant of the new design whose stage C places each converted io_end by
    ``table[(drainer, queued)]`` (``"unlink"`` or ``"to_free"``); returns its design name."""
    from .designs import DESIGNS, register
    from .designs.new import NewDesign
    from .model.flags import QUEUED

    bad = [k for k in PLACE_KEYS if table.get(k) not in ("unlink", "to_free")]
    if set(table) != set(PLACE_KEYS) or bad:
        raise Incorrect(f"expected a dict with the keys {list(PLACE_KEYS)} and the values 'unlink' or 'to_free'"
                        + (f"; wrong or missing: {bad}" if bad else ""))
    name = "table-" + "".join("u" if table[k] == "unlink" else "f" for k in PLACE_KEYS)
    if name not in DESIGNS:
        class TableDesign(NewDesign):
            def c_place(self, w, t):
                k = t.io
                io = w.use(t, k, "places")
                key = ("worker" if t.work_io is not None else "flusher", bool(io.flags & QUEUED))
                if self.TABLE[key] == "unlink":
                    w.list_del_init(t, k)
                else:
                    w.list_move(t, k, f"{t.tid}.to_free")
                t.pc = "C.loop"
                return "list", f"io#{k} ({key[0]}, QUEUED={key[1]}): {self.TABLE[key]}", k

        TableDesign.name, TableDesign.TABLE = name, dict(table)
        TableDesign.title = f"stage C placement table {name}"
        register(TableDesign)
    return name


def _goal_fix(p, table):
    from .explore import explore
    from .invariants import CONSEQUENCES

    if not isinstance(table, dict):
        raise Incorrect(f"expected a dict like ex.BROKEN_PLACE, got {type(table).__name__} {table!r}.")
    name = design_from_table(table)
    for scenario in ("fsync-vs-worker", "completion-storm", "truncate-vs-dio"):
        for n in range(1, p["ios"] + 1):
            res = explore(scenario, name, n, property="liveness", checks=CONSEQUENCES, progress=False)
            if res.verdict != "ok":
                raise Incorrect(f"the explorer finds a problem in {scenario} at N={n}: {res.headline()}")
    return f"the explorer proves your table safe (every consequence, and liveness) up to N={p['ios']}."


_add(Exercise(
    "08-fix-variant", "08_proving_it", "fix",
    "The variant flusher-frees-queued places converted io_ends in stage C by the table ex.BROKEN_PLACE: "
    "(drainer, QUEUED?) -> 'unlink' (its worker frees it) or 'to_free' (this drainer frees it). Fix the table "
    "so that the explorer proves it safe.",
    "A QUEUED io_end's work item may still be pending or running: who is the only one that may free it?",
    "A QUEUED io_end is only unlinked, whoever drains it; its own worker frees it after clearing QUEUED in stage "
    "C. Any other io_end is freed by the drainer that converted it.",
    lambda p: {**BROKEN_PLACE, ("flusher", True): "unlink"}, goal=_goal_fix, defaults={"ios": 2}))


__all__ = ["CheckFailed", "Unanswered", "Incorrect", "PLACEHOLDER", "grading", "check", "check_value", "check_set",
           "check_mapping", "hint", "question", "reveal", "answer_for", "problem", "Problem", "keys",
           "priority_schedule", "REGISTRY", "LOCKDEP_STATEMENTS", "print_steps", "step_until", "outcome_line",
           "EQUIVALENT_CANDIDATES", "PLACE_KEYS", "BROKEN_PLACE", "design_from_table"]
