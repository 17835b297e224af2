"""Answers read from the model: replay a student's schedule, who converted and who freed each io_end, the
explorer's verdict. The exercises of every notebook build their model answers and their goals from these.
"""

from __future__ import annotations

from ..errors import InvariantViolation
from ..sched import Run
from .feedback import Incorrect


def replay(scenario: str, design: str, ios: int, schedule, properties=()) -> tuple[Run, InvariantViolation | None]:
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


def replay_safe(scenario: str, design: str, ios: int, schedule) -> Run:
    """``replay`` for goals that a broken invariant can never meet: Incorrect naming the invariant."""
    r, v = replay(scenario, design, ios, schedule)
    if v is not None:
        raise Incorrect(f"your schedule breaks {v.invariant}: {v.message}.")
    return r


def freed_by(r: Run) -> dict[int, str | None]:
    """io number -> the name of the task that freed it (None while it is not freed)."""
    w = r.world
    return {io.id: (w.tasks[io.freed_by].name if io.freed else None) for io in w.ios}


def converted_by(r: Run) -> dict[int, str]:
    """io number -> the name of the task whose step converted it."""
    return {rec.io: rec.name for rec in r.trace if rec.kind == "convert"}


def explore_result(scenario, design, ios, prop):
    """The explorer's Result (the explorer is imported only when an exercise needs it)."""
    from ..explore import explore

    return explore(scenario, design, ios, property=prop, progress=False)


def explore_verdict(scenario, design, ios, prop) -> str:
    """The explorer's verdict: ok, violation, deadlock, livelock or bounded."""
    return explore_result(scenario, design, ios, prop).verdict

