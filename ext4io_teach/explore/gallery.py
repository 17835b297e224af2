"""The mutant gallery: run the explorer on every broken variant and on the equivalent ones.

Each variant is checked on its own scenario with ``checks=invariants.CONSEQUENCES`` (protocol rules
that merely restate the change do not count) and ``property="liveness"`` (the whole graph, so a hang
counts as well as a safety consequence), for N = 1, 2, ... up to ``ios``: the first N that fails is
the smallest N, and its counterexample the shortest one at that N. A search that a bound (the
explorer's default ``DEFAULT_MAX_STATES``; at N = 6 the largest gallery search needs about 881,000
states) or Ctrl-C stops is undecided: its row says so and no larger N is tried.
"""

from __future__ import annotations

from ..designs import design_names
from ..errors import shown
from ..invariants import CONSEQUENCES
from . import DEFAULT_MAX_STATES, MAX_IOS, explore

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


def check_variant(name: str, ios: int = DEFAULT_IOS, *, max_states: int | None = DEFAULT_MAX_STATES,
                  progress=False):
    """Explore variant ``name`` at N = 1..ios; returns ``(result, smallest_n)`` (None if nothing found).

    The loop stops at the first N whose search finds something or ends ``bounded`` (a bound or
    Ctrl-C): a bounded N is undecided, and so is every larger one (``result.verdict == "bounded"``)."""
    cls = variants()[name]
    res = None
    for n in range(1, ios + 1):
        res = explore(cls.scenario, name, n, property="liveness", checks=CONSEQUENCES, max_states=max_states,
                      progress=progress)
        if res.verdict == "bounded":
            return res, None
        if res.verdict != "ok":
            return res, n
    return res, None


def expected_ok(cls, res, smallest: int | None) -> bool | None:
    """Does the explorer's finding match the variant's card? None when the search was undecided."""
    if res.verdict == "bounded":
        return None
    if cls.equivalent:
        return res.verdict == "ok"
    want = cls.expect
    got = res.violation["invariant"] if res.violation else None
    return smallest == cls.smallest_n and got == want


def row(name: str, ios: int = DEFAULT_IOS, **kw) -> dict:
    """One row of the gallery. ``undecided_n``: the N whose search stopped undecided (``stopped`` says
    why), None when every N was decided; ``decided_n``: the largest N up to which every search ended."""
    if isinstance(ios, bool) or not isinstance(ios, int) or not 1 <= ios <= MAX_IOS:
        from ..errors import bad_input
        raise bad_input("ios", f"{shown(ios)} is out of range", f"1..{MAX_IOS}")
    cls = variants()[name]
    res, smallest = check_variant(name, ios, **kw)
    cex = res.counterexample
    undecided = res.inputs["ios"] if res.verdict == "bounded" else None
    out = {"name": name, "change": cls.change, "account": cls.account, "equivalent": cls.equivalent,
           "expected": cls.expect, "stated_n": cls.smallest_n, **res.as_json(),
           "consequence": consequence_of(res), "cex_length": None if cex is None else len(cex.schedule),
           "smallest_n": smallest, "as_expected": expected_ok(cls, res, smallest),
           "undecided_n": undecided, "stopped": res.stopped,
           "decided_n": (undecided - 1) if undecided is not None else (smallest or ios)}
    out["_result"] = res
    return out
