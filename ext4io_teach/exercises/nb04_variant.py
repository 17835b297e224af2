"""Notebook 04, a variant of your own: change one line of ``ext4_add_complete_io`` so that the explorer finds
a lost io_end, and explain its counterexample in words.

The student writes the variant in a cell, as the package's own broken variants are written
(``designs/mutants_add.py``): subclass the new design, override one step method of ``ext4_add_complete_io``
(its ``add.*`` steps), give the class a ``name`` and ``designs.register`` it; the answer is that name. The
check reads the class back by name and asks the explorer, with the consequences only (as the gallery does).
"""

from __future__ import annotations

import difflib
import inspect

from ..errors import shown
from . import giveaway as g
from .feedback import Incorrect
from .freetext import Discussion, add_text
from .registry import Exercise, add

SCENARIOS = ("completion-storm", "fsync-vs-worker", "truncate-vs-dio")
MODEL_VARIANT = "ex04-forgets-queue-work"
BUILT_IN = ("old", "old-blocking", "new", "c278531d", "02d262df", "old+02d262df")


def _new_class():
    from ..designs import get_design

    return type(get_design("new"))


def _changed_steps(cls) -> dict[str, int]:
    """pc -> lines changed, for every step method the class does not share with the new design."""
    new = _new_class()
    out = {}
    for pc, spec in cls._pcs.items():
        mine, theirs = getattr(cls, spec.method, None), getattr(new, spec.method, None)
        if mine is theirs:
            continue
        try:
            a = inspect.getsource(theirs).splitlines() if theirs else []
            b = inspect.getsource(mine).splitlines()
            diff = [ln for ln in difflib.unified_diff(a, b, lineterm="", n=0) if ln[:1] in "+-"
                    and not ln.startswith(("+++", "---"))]
            out[pc] = max(1, len([ln for ln in diff if ln.startswith("+")]))
        except (OSError, TypeError):  # no source (defined by exec): count it as changed
            out[pc] = 1
    return out


def lost_io_end(name: str, ios: int):
    """The explorer's first nothing-lost counterexample for design ``name`` over ``SCENARIOS`` and N = 1..ios,
    or what it found instead: ``(scenario, n, Result)`` of the first non-ok verdict, or None."""
    from ..explore import explore
    from ..invariants import CONSEQUENCES

    first = None
    for scenario in SCENARIOS:
        for n in range(1, ios + 1):
            res = explore(scenario, name, n, property="liveness", checks=CONSEQUENCES, progress=False)
            if res.verdict == "ok":
                continue
            if res.verdict == "violation" and res.violation["invariant"] == "nothing-lost":
                return scenario, n, res
            first = first or (scenario, n, res)
    return first


def _goal_lost(p, name):
    from ..designs import DESIGNS, design_names
    from ..explore.gallery import variants

    if not isinstance(name, str):
        raise Incorrect(f"expected the name (a str) your variant class registered, got {type(name).__name__} "
                        f"{shown(name)}.")
    if name not in design_names():
        raise Incorrect(f"no design is registered as {name!r}: give your class a name and call "
                        "designs.register(YourClass) in the cell that defines it.")
    cls = DESIGNS[name]
    if name in variants() or name in BUILT_IN:
        raise Incorrect(f"{name!r} is one of the package's own designs: write your own variant.")
    if not issubclass(cls, _new_class()):
        raise Incorrect(f"{name!r} is not a subclass of the new design (type(e4.get_design('new'))).")
    changed = _changed_steps(cls)
    outside = sorted(pc for pc in changed if not pc.startswith("add."))
    if not changed:
        raise Incorrect(f"{name!r} changes no step: override one step method of ext4_add_complete_io.")
    if outside:
        raise Incorrect(f"{name!r} also changes steps outside ext4_add_complete_io: {', '.join(outside)}.")
    found = lost_io_end(name, p["ios"])
    if found is None:
        raise Incorrect(f"the explorer finds nothing wrong with {name!r} in {', '.join(SCENARIOS)} up to "
                        f"N={p['ios']}: your change is harmless. Which line makes sure somebody drains the list?")
    scenario, n, res = found
    if res.verdict != "violation" or res.violation["invariant"] != "nothing-lost":
        raise Incorrect(f"the explorer finds a problem, but not a lost io_end: in {scenario} at N={n}, "
                        f"{res.headline()}")
    lines = sum(changed.values())
    return (f"the explorer finds a lost io_end in {scenario} at N={n} ({lines} line{'s' if lines > 1 else ''} "
            f"changed in {', '.join(sorted(changed))}): {res.headline()}")


def model_variant() -> str:
    """Register (once) and name the model answer: ext4_add_complete_io without its queue_work."""
    from ..designs import DESIGNS, register

    if MODEL_VARIANT not in DESIGNS:
        class ForgetsQueueWork(_new_class()):
            name = MODEL_VARIANT
            title = "exercise 04: ext4_add_complete_io without queue_work"

            def add_queue(self, w, t):
                t.pc = "add.add"  # the one changed line: queue_work(dio_unwritten_wq, &io->work) left out
                return "read", f"(no queue_work for io#{t.io})", t.io

        register(ForgetsQueueWork)
    return MODEL_VARIANT


add(Exercise(
    "04-lost-io-end", "04_add_complete_io", "fix",
    "Write a variant of the new design that changes one line of ext4_add_complete_io (one of its add.* step "
    "methods) so that the explorer finds a lost io_end: an io_end that is never converted or never freed although "
    "every task has finished (the consequence nothing-lost). Answer the name you registered it under.",
    "What in ext4_add_complete_io makes sure that some worker will drain an io_end it puts on the list?",
    hint2="Only the completion that finds the list empty queues a work item, and only a queued work item (or a "
    "flusher) drains the list. Override add_queue so that it moves on to add.add without calling w.queue_work, "
    "or make add_test take the wrong branch.",
    explain="Every io_end on the list must have a drainer coming: a work item queued by the completion that found "
    "the list empty (nonempty-list-has-worker). Break that promise and nobody takes the list: when every task has "
    "finished, the io_end was never converted, counted out or freed. In truncate-vs-dio the same change is a "
    "deadlock instead: truncate waits in inode_dio_wait for a count that only a conversion drops [K47] [K22].",
    solve=lambda p: model_variant(), goal=_goal_lost, defaults={"ios": 2},
    telltales=lambda p: [g.steps("the model variant's counterexample", _model_cex_steps())]))


def _model_cex_steps():
    from ..sched import run

    scenario, n, res = lost_io_end(model_variant(), 1)
    return run(scenario, MODEL_VARIANT, n, schedule=res.counterexample.schedule[:-1]).steps


def _explain_lost(p):
    name = p["design"] or model_variant()
    found = lost_io_end(name, 2)
    if found is None:
        return f"The explorer finds nothing wrong with {name!r}: no counterexample to explain."
    from ..explore import explore

    scenario, n, res = found
    rule = explore(scenario, name, n, property="liveness", progress=False)
    return (f"The explorer's counterexample for {name!r} ({scenario}, N={n}, the consequences only):\n"
            f"{res.explain()}\nWith every invariant checked the protocol fires first: {rule.headline()}\n"
            "In words: the completion put its io_end on the list but no work item was queued for it, so no worker "
            "will ever run stage A for this list, and in this scenario no flusher drains it either. Every task "
            "finishes with the io_end still on the list: never converted, never aio-completed or counted out of "
            "i_dio_count, never freed. On a real system the extent would stay unwritten (reads return zeros) [K37] and "
            "inode eviction would wait for i_ioend_count for ever [K38]; with a truncate or fsync later, that flusher "
            "would find and convert it, which is why the explorer needs the scenario without one.")


add_text(Discussion(
    "04-lost-explain", "04_add_complete_io",
    "Explain the explorer's counterexample for your variant: what happens, step by step, to the io_end that is lost, "
    "and why nobody ever drains it?",
    _explain_lost,
    ("the completion adds the io_end to the list but queues no work item (or the wrong one)",
     "only a queued work item's stage A, or a flusher, takes the list; here there is neither",
     "when every task has finished the io_end was never converted, completed or freed: nothing-lost",
     "the protocol rule nonempty-list-has-worker (a non-empty list always has a worker coming) breaks at once, "
     "at the completion's step, long before the consequence",
     "with a flusher (fsync, truncate) in the scenario, the flusher would drain it: the bug then shows as a "
     "delay, or, in truncate-vs-dio, as truncate sleeping for ever in inode_dio_wait"),
    defaults={"design": ""}))
