"""The two kinds of failure the package reports.

* ``ValueError`` for bad input (a wrong scenario name, a schedule naming a task that cannot run, ...):
  one line that names the parameter and what is allowed.
* ``InvariantViolation`` when the model reaches a state a named invariant forbids.
"""

from __future__ import annotations


def shown(value, limit: int = 40) -> str:
    """``repr(value)`` for a message, cut to about ``limit`` characters (a 5,000-digit int or a long
    string stays one readable line; Python refuses even to repr an int of more than 4,300 digits)."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - an int too large to convert (in a container, too), a broken __repr__
        if isinstance(value, int):
            return f"a whole number of about {value.bit_length() * 30103 // 100000 + 1} digits"
        return f"a {type(value).__name__} that cannot be shown"
    return text if len(text) <= limit else f"{text[:limit - 12]}... ({len(text)} characters)"


def bad_input(parameter: str, problem: str, allowed: str) -> ValueError:
    """One clear line: which parameter, what is wrong with it, and what is allowed."""
    return ValueError(f"{parameter}: {problem}; allowed: {allowed}")


class InvariantViolation(Exception):
    """A named invariant failed. ``message`` says in plain words what went wrong.

    The scheduler fills in ``inputs`` (scenario, design, ios, ...) and ``schedule`` (the task ids
    that led here), so the violation can be replayed with ``ext4io-teach run ... --schedule``.
    """

    def __init__(self, invariant: str, message: str):
        super().__init__(f"{invariant}: {message}")
        self.invariant = invariant
        self.message = message
        self.inputs: dict | None = None
        self.schedule: list[int] | None = None

    def replay_hint(self) -> str:
        if not self.inputs or self.schedule is None:
            return ""
        i = self.inputs
        sched = ",".join(map(str, self.schedule))
        extra = " --split-rmw" if i.get("split_rmw") else ""
        if i.get("fail_io") is not None:
            extra += f" --fail-io {i['fail_io']}"
        if i.get("workers", 1) != 1:
            extra += f" --workers {i['workers']}"
        return (f"ext4io-teach run {i['scenario']} --design {i['design']} --ios {i['ios']}{extra} "
                f"--schedule {sched}")

    def __str__(self) -> str:
        hint = self.replay_hint()
        return f"{self.invariant}: {self.message}" + (f"\n  replay: {hint}" if hint else "")
