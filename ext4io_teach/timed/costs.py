"""The cost model of timed runs: how many simulated microseconds each kind of step takes.

Every step of a design returns a *kind* (``spin_lock``, ``list``, ``convert``, ...; see
``designs/base.py``). A timed run (``ext4io_teach.timed``) charges the CPU that runs the step
``step_us[kind]`` microseconds, plus ``context_switch_us`` when that CPU last ran another task.
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

from ..errors import bad_input, shown

# kind -> (default µs, what it models)
KINDS: dict[str, tuple[int, str]] = {
    "spin_lock": (1, "spin_lock(i_completed_io_lock) when free (waiting for it is charged as spinning)"),
    "spin_unlock": (1, "spin_unlock"),
    "mutex_lock": (1, "mutex_lock(i_mutex) when free (a sleeping waiter uses no CPU)"),
    "mutex_unlock": (1, "mutex_unlock(i_mutex)"),
    "mutex_trylock": (1, "mutex_trylock(i_mutex), success or failure"),
    "list": (1, "one list operation (list_add_tail, list_del_init, a splice)"),
    "flag": (1, "one io_end flag read-modify-write"),
    "queue_work": (2, "queue_work on dio_unwritten_wq"),
    "dequeue": (2, "process_one_work picks the next item"),
    "convert": (30, "ext4_convert_unwritten_extents: journal handle, extent split"),
    "aio": (2, "aio_complete"),
    "dio_done": (1, "inode_dio_done (i_dio_count--)"),
    "unwritten": (1, "i_unwritten-- and the wake-up check"),
    "free": (1, "ext4_free_io_end"),
    "yield": (1, "yield(): the call itself (giving the CPU away is a context switch)"),
    "wait": (1, "returning from a wait (inode_dio_wait, ext4_unwritten_wait)"),
    "read": (1, "a check that only reads shared state"),
    "blocks": (100, "ext4_truncate / punch hole removing blocks"),
    "submit": (8, "one AIO direct IO submitted under i_mutex (timed workloads)"),
    "buffered": (40, "one buffered write() holding i_mutex (timed workloads)"),
    "fallocate": (50, "fallocate allocating unwritten extents under i_mutex (xfstests 299 loop)"),
}

KIND_HELP = MappingProxyType({k: v[1] for k, v in KINDS.items()})


def _check_int(name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise bad_input(name, f"{shown(value)} is not a whole number >= {low}", f"an integer >= {low} (microseconds)")
    return value


@dataclass(frozen=True)
class CostModel:
    """Microseconds per step kind, per context switch, and the time slice. Validated on creation."""

    step_us: MappingProxyType = field(default_factory=lambda: MappingProxyType({k: v[0] for k, v in KINDS.items()}))
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
        return [(k, self.step_us[k], KINDS[k][1]) for k in KINDS] + [
            ("context switch", self.context_switch_us, "a CPU switches to another task"),
            ("time slice", self.timeslice_us, "a task keeps its CPU this long while another waits")]


DEFAULT_COSTS = CostModel()
