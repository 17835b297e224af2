"""What the main notebooks call to drive and read a run: ``priority_schedule``, ``step_until``,
``print_steps``, ``outcome_line``. Notebooks reach them as ``ex.print_steps`` and so on (``exercises``
re-exports them, so a notebook needs one import).

They live here and not in ``exercises`` because none of them checks an answer or knows the registry: they
read a ``Run`` and its step records, like ``sched`` and ``trace`` do. The exercises use
``priority_schedule`` to build model answers, so ``exercises`` depends on this module, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import InvariantViolation, bad_input
from .sched import Run


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

