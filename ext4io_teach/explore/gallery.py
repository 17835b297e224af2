"""The mutant gallery: run the explorer on every broken variant and on the equivalent ones.

Each variant is checked on its own scenario with ``checks=invariants.CONSEQUENCES`` (protocol rules
that merely restate the change do not count) and ``property="liveness"`` (the whole graph, so a hang
counts as well as a safety consequence), for N = 1, 2, ... up to ``ios``: the first N that fails is
the smallest N, and its counterexample the shortest one at that N.
"""

from __future__ import annotations

from ..designs import design_names
from ..invariants import CONSEQUENCES
from . import MAX_IOS, explore

DEFAULT_IOS = 2


def variants() -> dict:
    design_names()  # loads designs/mutants.py
    from ..designs.mutants import VARIANTS

    return VARIANTS


def consequence_of(res) -> str | None:
    """In words: which consequence (or hang) the explorer found; None for ok/bounded."""
    if res.verdict == "violation":
        return res.violation["invariant"]
    if res.verdict == "deadlock":
        return "hang (deadlock)"
    if res.verdict == "livelock":
        return f"hang (livelock: {res.violation['invariant']})"
    return None


def check_variant(name: str, ios: int = DEFAULT_IOS, *, max_states: int | None = 500_000, progress=False):
    """Explore variant ``name`` at N = 1..ios; returns ``(result, smallest_n)`` (None if nothing found)."""
    cls = variants()[name]
    res = None
    for n in range(1, ios + 1):
        res = explore(cls.scenario, name, n, property="liveness", checks=CONSEQUENCES, max_states=max_states,
                      progress=progress)
        if res.verdict not in ("ok", "bounded"):
            return res, n
    return res, None


def expected_ok(cls, res, smallest: int | None) -> bool:
    """Does the explorer's finding match the variant's card?"""
    if cls.equivalent:
        return res.verdict == "ok"
    want = cls.expect
    got = res.violation["invariant"] if res.violation else None
    return smallest == cls.smallest_n and got == want


def row(name: str, ios: int = DEFAULT_IOS, **kw) -> dict:
    if isinstance(ios, bool) or not isinstance(ios, int) or not 1 <= ios <= MAX_IOS:
        from ..errors import bad_input
        raise bad_input("ios", f"{ios!r} is out of range", f"1..{MAX_IOS}")
    cls = variants()[name]
    res, smallest = check_variant(name, ios, **kw)
    cex = res.counterexample
    out = {"name": name, "change": cls.change, "account": cls.account, "equivalent": cls.equivalent,
           "expected": cls.expect, "stated_n": cls.smallest_n, **res.as_json(),
           "consequence": consequence_of(res), "cex_length": None if cex is None else len(cex.schedule),
           "smallest_n": smallest, "as_expected": expected_ok(cls, res, smallest)}
    out["_result"] = res
    return out
