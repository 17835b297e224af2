"""Schedules: a run's choices as a list of task ids, from text or a list, checked.

Whether each task can run is checked when it steps (``sched.Run.step``); here only the form.
"""

from __future__ import annotations

from .errors import bad_input, shown

MAX_TASK_ID_DIGITS = 6  # far more tasks than any scenario has; a longer number is no task id
SCHEDULE_ALLOWED = "task ids 0, 1, 2, ... separated by commas, e.g. 0,1,1,2"


def parse_schedule(text: str, parameter: str = "schedule") -> list[int]:
    """``"0,1,1,2"`` (spaces allowed) to ``[0, 1, 1, 2]``; ValueError on anything else. A task id is
    ASCII digits only (``str.isdigit`` also takes '²' and '①', which ``int`` then refuses)."""
    if not isinstance(text, str):
        raise bad_input(parameter, f"{shown(text)} is not a string", SCHEDULE_ALLOWED)
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    out = []
    for p in parts:
        if not (p.isascii() and p.isdigit() and len(p) <= MAX_TASK_ID_DIGITS):
            raise bad_input(parameter, f"{shown(p)} is not a task id", SCHEDULE_ALLOWED)
        out.append(int(p))
    return out


def check_schedule(schedule, parameter: str = "schedule") -> list[int]:
    """A schedule as text (``parse_schedule``) or as a list or tuple of task ids (whole numbers >= 0);
    returns the list of ints. Whether each task can run is checked when it steps."""
    if isinstance(schedule, str):
        return parse_schedule(schedule, parameter)
    if not isinstance(schedule, (list, tuple)):
        raise bad_input(parameter, f"{shown(schedule)} is not a schedule", f"a list of {SCHEDULE_ALLOWED}")
    out = []
    for k, x in enumerate(schedule):
        if isinstance(x, bool) or not isinstance(x, int) or not 0 <= x < 10 ** MAX_TASK_ID_DIGITS:
            raise bad_input(parameter, f"entry {k}, {shown(x)}, is not a task id", f"a list of {SCHEDULE_ALLOWED}")
        out.append(int(x))
    return out
