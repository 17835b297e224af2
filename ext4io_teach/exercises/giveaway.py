"""Telltales: what a notebook would have to print to give an exercise's answer away, and the search for them.

An exercise's telltales are computed from the model at a given problem (``Exercise.telltales(params)``):

* ``steps(what, records)``: step lines of the run the exercise is about, those that carry the answer, each
  in every form the package prints a step: a trace table (``ex.print_steps``, ``Problem.show``: step, task,
  any columns, the action), the explorer's ``explain()`` (``k. task: action``, one-based; a violation as
  ``breaks NAME``) and a sequence diagram's lane (``task: ...; 12 free io#0``);
* ``words(what, *patterns)``: the answer in the words a notebook prints it (regular expressions), such as
  ``'io#0': 'UNWRITTEN|QUEUED|DIRECT'``.

``found(telltale, text)`` is true when one text (one cell output, one cell source) shows every pattern of
the telltale: in order for ``steps``, in any order for ``words(..., ordered=False)``.
``tests/test_giveaway.py`` searches the stored outputs and the sources of every main notebook for the
telltales of every exercise's default problem, and the outputs its own exercise notebook shows before its
answer cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Telltale:
    what: str  # in words: "the free steps of the run", "the answer as a dict of flag names"
    patterns: tuple[str, ...]  # regular expressions, multi-line mode; every one must match
    ordered: bool = True  # each pattern after the previous one's match
    examples: tuple[str, ...] = ()  # printouts that show it (the package's own views of the steps, or the words)

    def __post_init__(self):
        if not self.patterns:
            raise ValueError("a telltale needs at least one pattern (one that matches nothing gives nothing away)")


_LANE_WORDS = {"free": "free", "convert": "convert"}


def step_pattern(rec, *, column: str | None = None) -> str:
    """A step record as any view prints it. ``column``: a word that must stand between the task and the
    action (a holder column of a trace table, e.g. the task's own name as ``mutex_holder``)."""
    i, name, label = rec.i, re.escape(rec.name), re.escape(rec.label)
    mid = rf"\s(?:.*\s)?\b{re.escape(column)}\b\s(?:.*\s)?" if column else r"\s(?:.*\s)?"
    forms = [rf"^\s*{i}\s+{name}{mid}{label}\s*$"]
    if column is None:
        forms.append(rf"^\s*{i + 1}\.\s+{name}: {label}\s*$")
        if rec.kind in _LANE_WORDS and rec.io is not None:
            forms.append(rf"^\s*{name}: .*\b{i} {_LANE_WORDS[rec.kind]} io#{rec.io}\b")
    return "(?:" + "|".join(forms) + ")"


def violation_pattern(i: int, task: str, invariant: str) -> str:
    """Step ``i`` of ``task`` breaking ``invariant``, as ``explain()`` and a trace table print it."""
    t, inv = re.escape(task), re.escape(invariant)
    return (rf"(?:^\s*{i + 1}\.\s+{t}: breaks {inv}\b|^\s*{i}\s+{t}\s(?:.*\s)?violation\b.*$"
            rf"|violation of {inv} after {i + 1} steps)")


def steps(what: str, records, *, column: str | None = None) -> Telltale:
    """The step lines of ``records`` (in order); its examples are ``print_steps`` tables of them (with the
    default columns, with none, with ``column``'s holder columns) and ``explain()``'s numbered lines."""
    records = list(records)
    cols = [("dio_count",), ()] if column is None else [("spin_holder", "mutex_holder")]
    examples = tuple(_printed(records, c) for c in cols)
    if column is None:
        examples += ("\n".join(f"{r.i + 1}. {r.name}: {r.label}" for r in records),)
    return Telltale(what, tuple(step_pattern(r, column=column) for r in records), True, examples)


def _printed(records, columns) -> str:
    import contextlib
    import io

    from ..notebook_helpers import print_steps

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        print_steps(records, columns=columns)
    return buf.getvalue()


def words(what: str, *patterns: str, example: str, ordered: bool = True) -> Telltale:
    """The answer in words; ``example`` is how a notebook would print it."""
    return Telltale(what, tuple(patterns), ordered, (example,))


def found(t: Telltale, text: str) -> bool:
    """Does ``text`` show every pattern of ``t`` (in order, if ``t.ordered``)?"""
    pos = 0
    for pat in t.patterns:
        m = re.compile(pat, re.M).search(text, pos if t.ordered else 0)
        if m is None:
            return False
        if t.ordered:
            pos = m.end()
    return True


def flags_words(describe, io_flags: dict) -> Telltale:
    """A dict of flags as notebooks print it: ``{'io#0': 'UNWRITTEN|QUEUED|DIRECT', ...}``."""
    shown = {f"io#{k}": describe(v) for k, v in io_flags.items()}
    return words("the flags as a notebook prints them",
                 *(rf"'{k}': '{re.escape(v)}'" for k, v in shown.items()), example=repr(shown))
