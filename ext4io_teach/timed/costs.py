"""The cost model of timed runs: how many simulated microseconds each kind of step takes.

Every step of a design returns a *kind* (``spin_lock``, ``list``, ``convert``, ...; the kinds and their
default costs are declared in ``designs/kinds.py``). A timed run (``ext4io_teach.timed``) charges the
CPU that runs the step ``step_us[kind]`` microseconds, plus ``context_switch_us`` when that CPU last
ran another task.
``timeslice_us`` is how long a task may keep a CPU while another runnable task waits for one.

Time is an integer number of microseconds, so every step costs at least 1 µs: a requeue loop that
cost nothing would stop the clock. SIMPLIFICATION: real lock and list operations take tens of
nanoseconds, not a microsecond. The model overstates cheap steps by the same factor in both designs;
the figures compare designs and show shapes (what grows, what stays flat), not absolute speeds.

Default figures are round numbers of the right order for a 2012 server: a conversion of an unwritten
extent (``ext4_convert_unwritten_extents``: journal handle, extent tree split under ``i_data_sem``)
costs tens of microseconds; a 64 KiB aio-stress submission about ten; ``ext4_truncate`` removing
blocks about a hundred.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from ..designs.kinds import KINDS
from ..errors import bad_input, shown

KIND_HELP = MappingProxyType({k: kind.help for k, kind in KINDS.items()})


def _check_int(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise bad_input(name, f"{shown(value)} is not a whole number >= {low}", f"an integer >= {low} (microseconds)")
    return value


@dataclass(frozen=True)
class CostModel:
    """Microseconds per step kind, per context switch, and the time slice. Validated on creation."""

    step_us: MappingProxyType = field(default_factory=lambda: MappingProxyType({k: d.us for k, d in KINDS.items()}))
    context_switch_us: int = 3
    timeslice_us: int = 4000

    def __post_init__(self):
        steps = dict(self.step_us)
        unknown = sorted(set(steps) - set(KINDS))
        if unknown:
            raise bad_input("costs", f"unknown step kind {shown(unknown[0])}", ", ".join(KINDS))
        missing = sorted(set(KINDS) - set(steps))
        if missing:
            raise bad_input("costs", f"no cost for step kind {shown(missing[0])}",
                            "a cost for every kind: " + ", ".join(KINDS))
        for kind, us in steps.items():
            _check_int(f"costs[{kind}]", us, 1)
        _check_int("context_switch_us", self.context_switch_us, 0)
        _check_int("timeslice_us", self.timeslice_us, 1)
        object.__setattr__(self, "step_us", MappingProxyType(steps))

    def with_(self, **changes) -> CostModel:
        """A copy with some step costs (by kind) or ``context_switch_us`` / ``timeslice_us`` changed."""
        steps = dict(self.step_us)
        top = {}
        for key, value in changes.items():
            if key in ("context_switch_us", "timeslice_us"):
                top[key] = value
            elif key in KINDS:
                steps[key] = value
            else:
                raise bad_input("costs", f"unknown step kind {shown(key)}",
                                ", ".join(list(KINDS) + ["context_switch_us", "timeslice_us"]))
        return CostModel(MappingProxyType(steps), top.get("context_switch_us", self.context_switch_us),
                         top.get("timeslice_us", self.timeslice_us))

    def table(self) -> list[tuple[str, int, str]]:
        """``(kind, µs, what it models)`` rows, for the docs and the notebooks."""
        return [(k, self.step_us[k], KINDS[k].help) for k in KINDS] + [
            ("context switch", self.context_switch_us, "a CPU switches to another task"),
            ("time slice", self.timeslice_us, "a task keeps its CPU this long while another waits")]


DEFAULT_COSTS = CostModel()
