"""Notebook 08, seeded: a broken variant's trace recorded with the invariant checks off; which invariant does it
break first, and at which step?

The problem is made from the model: a seeded random run of one of the gallery's broken variants with every
invariant checked stops at the first step that breaks one (step ``k``, invariant ``I``). The same schedule with
the checks off runs on past ``k``; the student sees that trace, a few steps beyond ``k``, and names ``I`` and
``k``. Any invariant that the step ``k`` breaks is accepted (a step can break two at once).
"""

from __future__ import annotations

import random
import re

from ..errors import shown
from ..sched import Run, run
from . import giveaway as g
from .feedback import Incorrect
from .nearmiss import for_word
from .registry import Exercise, add

VARIANTS = ("stage-c-unlocked", "clear-unwritten-in-b", "drain-one", "add-tests-empty-unlocked",
            "queue-every-io-end", "flusher-frees-queued")
SHOWN_AFTER = 5  # steps of the unchecked trace shown after the breaking one (at least 3)


def invariant_names() -> tuple[str, ...]:
    from ..invariants import REGISTRY

    return tuple(n for n, inv in REGISTRY.items() if inv.kind != "property")


def _variant(name):
    from ..explore.gallery import variants

    return variants()[name]


def _make(seed):
    """Variant, N and a run seed whose checked run breaks an invariant with at least 3 unchecked steps after."""
    rng = random.Random(seed)
    for _ in range(200):
        name = VARIANTS[rng.randrange(len(VARIANTS))]
        cls = _variant(name)
        p = {"design": name, "scenario": cls.scenario, "ios": cls.smallest_n or 1, "seed": rng.randrange(100_000)}
        checked = run(p["scenario"], name, p["ios"], seed=p["seed"])
        if checked.outcome != "violation":
            continue
        k = len(checked.schedule) - 1
        free = run(p["scenario"], name, p["ios"], seed=p["seed"], checks=())
        if len(free.steps) >= k + 4 and all(rec.kind != "violation" for rec in free.steps[:k + 4]):
            return p
    raise RuntimeError(f"no problem found for seed {seed}")  # pragma: no cover - every seed tried finds one


def _checked(p):
    return run(p["scenario"], p["design"], p["ios"], seed=p["seed"])


def breaking(p) -> tuple[int, set[str]]:
    """The first breaking step and every invariant that step breaks (each checked on its own)."""
    first = _checked(p)
    k = len(first.schedule) - 1
    names = {first.violation.invariant}
    for name in invariant_names():
        r = Run(p["scenario"], p["design"], p["ios"], checks={name})
        try:
            r.replay(first.schedule)
        except Exception:  # noqa: BLE001 - InvariantViolation is what we look for; the replay stops there
            if r.violation is not None and len(r.schedule) - 1 == k:
                names.add(r.violation.invariant)
    return k, names


def _answer(p):
    first = _checked(p)
    return {"invariant": first.violation.invariant, "step": len(first.schedule) - 1}


def _show(p):
    k = len(_checked(p).schedule) - 1
    free = run(p["scenario"], p["design"], p["ios"], seed=p["seed"], checks=()).steps[:k + 1 + SHOWN_AFTER]
    lines = [f"  {rec.i:3} {rec.name:8} {rec.label}" for rec in free]
    return (f"{p['scenario']}, N={p['ios']}, design {p['design']}: {_variant(p['design']).change}.\n"
            f"Random schedule seed {p['seed']}, recorded with every invariant check off (the first {len(free)} "
            "steps):\n" + "\n".join(lines))


def _goal(p, answer):
    if not isinstance(answer, dict) or set(answer) != {"invariant", "step"}:
        raise Incorrect(f"expected a dict {{'invariant': a name, 'step': a step number}}, got "
                        f"{type(answer).__name__} {shown(answer)}.")
    inv, step = answer["invariant"], answer["step"]
    names = invariant_names()
    if not isinstance(inv, str) or inv not in names:
        near = for_word(inv, names)
        raise Incorrect(near + "." if near else f"{shown(inv)} is not an invariant's name: the names are in "
                        "docs/invariants.md (e.g. 'freed-once'), a str.")
    if isinstance(step, bool) or not isinstance(step, int):
        raise Incorrect(f"the step is the number in the trace's first column (a whole number), got "
                        f"{type(step).__name__} {shown(step)}.")
    k, broken = breaking(p)
    if inv in broken and step == k:
        return f"step {k} breaks {inv}" + (f" (and {', '.join(sorted(broken - {inv}))})" if len(broken) > 1 else "")
    if step != k:
        way = "too early: at that step it still holds" if step < k else "too late: something breaks before it"
        raise Incorrect(f"step {step} is {way}.")
    raise Incorrect(f"step {step} is the one, but it does not break {inv}: which rule does that step's action go "
                    "against?")


add(Exercise(
    "08-first-broken", "08_proving_it", "mapping",
    "A broken variant ran with its invariant checks off (seeded). Which invariant does the trace break first, and "
    "at which step? Answer {'invariant': its name, 'step': the step number}. The invariants, with what each says, "
    "are in docs/invariants.md (e.g. e4.invariants.REGISTRY['flags-under-lock'].summary).",
    "Read the variant's change first, then look for the first step at which it matters: a flag or list change "
    "without the spinlock, a list left non-empty with no worker coming, a work item queued for a non-empty list, "
    "a free too early.",
    hint2="The protocol rules break before the consequences do: flags-under-lock (a flag or list change without "
    "i_completed_io_lock), nonempty-list-has-worker (a non-empty list and no worker that will take it), "
    "queue-when-list-was-empty (work queued for a list that was not empty), not-freed-while-queued. Find the "
    "first step whose action goes against one of them.",
    explain="The invariants are checked after (or, for actions, inside) every step; the first step that makes one "
    "false is where the run stops when the checks are on. A protocol rule of the new design usually fires well "
    "before the consequence it guards against (a corrupted list, a free under a pending work item).",
    solve=_answer, goal=_goal, make=_make, show=_show,
    defaults={"scenario": "fsync-vs-worker", "design": "stage-c-unlocked", "ios": 1, "seed": 0},
    telltales=lambda p: _telltales(p)))


def _telltales(p):
    a, task = _answer(p), _checked(p).steps[-1].name
    return [g.words("the breaking step, as the checked run reports it", g.violation_pattern(a["step"], task,
                                                                                           a["invariant"]),
                    example=f"{a['step'] + 1}. {task}: breaks {a['invariant']}: ..."),
            g.words("the invariant next to its step", rf"{re.escape(a['invariant'])}\W[^\n]*\bstep {a['step']}\b",
                    example=f"{a['invariant']} at step {a['step']}")]
