"""The stepper's door to the explorer (``ext4io_teach.explore``), imported only when asked for.

``truncate_can_complete`` caches its answers by state snapshot: once truncate is stuck it stays
stuck, and stepping back and forth (Undo) asks the same states again.
"""

from __future__ import annotations

_CACHE: dict = {}
_CACHE_MAX = 4096


def _module():
    try:
        from .. import explore
    except ImportError as e:  # the explorer is a separate module; say so instead of failing silently
        raise RuntimeError("the explorer (ext4io_teach.explore) is not available: " + str(e)) from e
    return explore


def available() -> bool:
    try:
        _module()
    except RuntimeError:
        return False
    return True


def max_ios() -> int:
    return _module().MAX_IOS


def truncate_can_complete(inputs: dict, schedule: list[int], snapshot, checks) -> bool:
    """Is there a continuation of ``schedule`` on which truncate returns? (``explore.can_complete``)"""
    key = (tuple(sorted((k, v) for k, v in inputs.items())), frozenset(checks), snapshot)
    if key not in _CACHE:
        if len(_CACHE) > _CACHE_MAX:
            _CACHE.clear()
        ex = _module()
        _CACHE[key] = bool(ex.can_complete(inputs["scenario"], inputs["design"], inputs["ios"], list(schedule),
                                           task="truncate", split_rmw=inputs["split_rmw"],
                                           fail_io=inputs["fail_io"], checks=frozenset(checks),
                                           workers=inputs.get("workers", 1)))
    return _CACHE[key]


def shortest(inputs: dict, prop: str, checks, prefix=None, max_seconds: float = 20.0, progress=False):
    """Run the explorer from the start (or from ``prefix``) with the stepper's checks, so that its
    counterexample replays in the stepper exactly; returns the explorer's Result. ``progress``: False
    (no bar: one started from a button's callback has no cell to go to) or a callable
    ``f(states found, states expanded)`` that the explorer calls every 1,024 expansions."""
    ex = _module()
    kw = {"property": prop, "split_rmw": inputs.get("split_rmw", False), "fail_io": inputs.get("fail_io"),
          "workers": inputs.get("workers", 1),
          "max_seconds": max_seconds, "checks": frozenset(checks), "progress": progress}
    if prefix:
        kw["prefix"] = list(prefix)
    return ex.explore(inputs["scenario"], inputs["design"], inputs["ios"], **kw)
