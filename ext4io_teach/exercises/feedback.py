"""Feedback on an answer: what was right, or one line saying what kind of answer was expected and a hint.

* ``Unanswered`` while the answer is still the placeholder ``...`` (the student version of a notebook),
  ``Incorrect`` with what kind of answer was expected and how this one differs; both are ``CheckFailed``,
  an ``AssertionError``, so nbgrader and pytest count them as a failed check.
* ``check_value``, ``check_set``, ``check_mapping``: compare an answer of any shape with the expected
  one. A wrongly shaped answer (a str for a set, a list for a dict, ...) is ``Incorrect``, never a crash.
* ``grading()`` is True while nbgrader executes the notebook.
"""

from __future__ import annotations

import os
from typing import Any

from ..errors import shown
from . import nearmiss

PLACEHOLDER = ...  # what the student versions assign before "# YOUR CODE HERE"


class CheckFailed(AssertionError):
    """A check did not pass. In a notebook it shows as one line, its name and message, without the
    stack of the checking code (IPython asks an exception for ``_render_traceback_`` first): the
    message says all a student needs, and no install path appears on the projector."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class Unanswered(CheckFailed):
    """The answer is still the placeholder ``...``."""


class Incorrect(CheckFailed):
    """The answer is wrong; the message says what was expected and gives a hint."""


def grading() -> bool:
    """True while nbgrader runs the notebook (autograde or validate)."""
    return os.environ.get("NBGRADER_EXECUTION", "") in ("autograde", "validate")


def unanswered(name: str, answer: Any, hint: str) -> None:
    """Unanswered (with the hint) while ``answer`` is still the placeholder ``...``."""
    __tracebackhide__ = True  # IPython and pytest show the message, not these frames
    if answer is PLACEHOLDER:
        raise Unanswered(f"{name} is still the placeholder `...`: replace it with your answer. Hint: {hint}")


def _near(name: str, hint: str, text: str | None) -> None:
    """Incorrect with a near-miss's sentence (what form is expected), if there is one."""
    __tracebackhide__ = True
    if text:
        raise Incorrect(f"{name}: {text}. Hint: {hint}")


def check_value(name: str, answer: Any, expected: Any, *, hint: str, unit: str = "", choices=None) -> str:
    """A number, a word or True/False. Feedback says what kind of value was expected (and recognises
    near-misses: ``"yes"`` for True, a choice in another case, ``livelock`` for a run's outcome) and,
    for numbers, whether the answer is too high or too low."""
    __tracebackhide__ = True
    unanswered(name, answer, hint)
    u = f" {unit}" if unit else ""
    _near(name, hint, nearmiss.for_value(answer, expected, choices))
    if isinstance(expected, bool):
        if not isinstance(answer, bool):
            raise Incorrect(f"{name}: expected True or False, got {type(answer).__name__} {shown(answer)}. "
                            f"Hint: {hint}")
        if answer != expected:
            raise Incorrect(f"{name}: {answer} is not it. Hint: {hint}")
        return f"{name}: {answer} is right."
    if not isinstance(expected, int):
        if isinstance(expected, str) and not isinstance(answer, str):
            raise Incorrect(f"{name}: expected a word (a str), got {type(answer).__name__} {shown(answer)}. "
                            f"Hint: {hint}")
        if choices is not None and answer not in choices:
            raise Incorrect(f"{name}: {shown(answer)} is not one of the choices ({', '.join(map(repr, choices))}). "
                            f"Hint: {hint}")
        if answer != expected:
            raise Incorrect(f"{name}: {shown(answer)} is not it. Hint: {hint}")
        return f"{name}: {answer!r} is right."
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise Incorrect(f"{name}: expected a whole number{u}, got {type(answer).__name__} {shown(answer)}. "
                        f"Hint: {hint}")
    if answer != expected:
        way = "too high" if answer > expected else "too low"
        raise Incorrect(f"{name}: {shown(answer)}{u} is {way}. Hint: {hint}")
    return f"{name}: {answer}{u} is right."


def _elements_ok(answer) -> bool:
    return all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in answer)


def check_set(name: str, answer: Any, expected: set, *, hint: str, universe=None) -> str:
    """A set of names (or io_end numbers). Feedback names what is missing and what should not be there
    (by count), and recognises one string of names, io labels for numbers and names in another case."""
    __tracebackhide__ = True
    unanswered(name, answer, hint)
    _near(name, hint, nearmiss.for_set(answer, expected, universe))
    if isinstance(answer, str) or not isinstance(answer, (set, frozenset, list, tuple)) or not _elements_ok(answer):
        choices = f" from the choices {', '.join(map(str, universe))}" if universe is not None else ""
        what = "io_end numbers" if expected and all(isinstance(x, int) for x in expected) else "names (str)"
        raise Incorrect(f"{name}: expected a set of {what}{choices}, got {type(answer).__name__} "
                        f"{shown(answer)}. Hint: {hint}")
    got = set(answer)
    if universe is not None:
        unknown = sorted(map(str, got - set(universe)))
        if unknown:
            raise Incorrect(f"{name}: {', '.join(unknown)} is not one of the choices "
                            f"({', '.join(map(str, universe))}). Hint: {hint}")
    if got != set(expected):
        missing, extra = len(set(expected) - got), len(got - set(expected))
        parts = []
        if missing:
            parts.append(f"{missing} right choice{'s are' if missing > 1 else ' is'} missing")
        if extra:
            parts.append(f"{extra} choice{'s do' if extra > 1 else ' does'} not belong")
        raise Incorrect(f"{name}: {' and '.join(parts)}. Hint: {hint}")
    return f"{name}: {sorted(map(str, got))} is right."


def check_mapping(name: str, answer: Any, expected: dict, *, hint: str, choices=None) -> str:
    """A dict. Feedback names the keys whose value is wrong (not their right values); near-misses in a
    key (``"io#0"`` for 0) or a value (a string of flags, ``"yes"``, another case) say the form expected.
    ``choices``: the words a value may be (for word-valued dicts)."""
    __tracebackhide__ = True
    unanswered(name, answer, hint)
    if not isinstance(answer, dict):
        raise Incorrect(f"{name}: expected a dict with the keys {sorted(expected, key=str)}, got "
                        f"{type(answer).__name__} {shown(answer)}. Hint: {hint}")
    _near(name, hint, nearmiss.for_keys(answer, expected))
    missing = [k for k in expected if k not in answer]
    if missing:
        raise Incorrect(f"{name}: the keys {sorted(expected, key=str)} are expected; missing: "
                        f"{sorted(missing, key=str)}. Hint: {hint}")
    extra = [k for k in answer if k not in expected]
    if extra:
        raise Incorrect(f"{name}: unexpected keys {sorted(extra, key=str)}; expected exactly "
                        f"{sorted(expected, key=str)}. Hint: {hint}")
    for k in expected:
        near = nearmiss.for_value(answer[k], expected[k], choices)
        if near:
            raise Incorrect(f"{name}: the value for {k!r}: {near}. Hint: {hint}")
        if isinstance(expected[k], (set, frozenset)) and not (
                isinstance(answer[k], (set, frozenset, list, tuple)) and _elements_ok(answer[k])):
            raise Incorrect(f"{name}: the value for {k!r} must be {shape_of(expected[k])}, got "
                            f"{type(answer[k]).__name__} {shown(answer[k])}. Hint: {hint}")
        if isinstance(expected[k], bool) and not isinstance(answer[k], bool):
            raise Incorrect(f"{name}: the value for {k!r} must be True or False, got "
                            f"{type(answer[k]).__name__} {shown(answer[k])}. Hint: {hint}")
    if choices is not None:
        odd = [k for k in expected if isinstance(answer[k], str) and answer[k] not in choices]
        if odd:
            raise Incorrect(f"{name}: the value for {odd[0]!r}, {shown(answer[odd[0]])}, is not one of the choices "
                            f"({', '.join(map(repr, choices))}). Hint: {hint}")
    wrong = [k for k in expected if _norm(answer[k]) != _norm(expected[k])]
    if wrong:
        raise Incorrect(f"{name}: {len(wrong)} of {len(expected)} entries are wrong: "
                        f"{', '.join(repr(k) for k in wrong)}. Hint: {hint}")
    return f"{name}: all {len(expected)} entries are right."


def _norm(v):
    if isinstance(v, (set, frozenset, list, tuple)) and not isinstance(v, str):
        return frozenset(v)
    return v


# What a goal-checked exercise expects, by kind (a goal that trips over an oddly shaped answer says this)
SHAPES = {"schedule": "a schedule: a list of task ids such as [0, 0, 1, 2]",
          "fix": "a dict like ex.BROKEN_PLACE", "value": "a value", "set": "a set", "mapping": "a dict"}


def shape_of(expected) -> str:
    """What kind of answer ``expected`` is, in words (for the one-line Incorrect)."""
    if isinstance(expected, bool):
        return "True or False"
    if isinstance(expected, int):
        return "a whole number"
    if isinstance(expected, str):
        return "a word (a str)"
    if isinstance(expected, (set, frozenset)):
        return "a set of names (str)"  # no example: it could give part of the answer away
    if isinstance(expected, dict):
        keys = sorted(expected, key=str)
        first = expected[keys[0]] if keys else None
        return f"a dict with the keys {keys}" + (f", each value {shape_of(first)}" if keys else "")
    return type(expected).__name__

