"""Near-misses: answers right in substance but written in another form, and the form a check expects.

A student who prints a trace sees ``io#0``, ``UNWRITTEN|DIRECT`` and the explorer's ``livelock``; a check
that then answers "wrong" teaches nothing. Each function here recognises one such form and returns one
sentence saying what was written and how to write it, or None. The checks (``feedback``) ask them before
judging an answer. A near-miss message echoes only what the student wrote, rewritten: it never shows a
right value the student did not give.

* flags (or letters, or names) as one string where a set is expected: ``"UNWRITTEN|DIRECT"``;
* the explorer's ``livelock`` where a run's outcome is asked (a livelocked run reports ``running``), and a
  run's ``running`` / ``completed`` where the explorer's verdict is asked;
* a choice in another case (``"Completed"``, ``"WORKER"``) or with spaces around it;
* ``"yes"`` / ``"no"`` (or 1 / 0) where True / False is expected;
* ``"io#0"`` where the io_end's number ``0`` is expected, as a key, a set element or a value;
* ``"None"`` (a string) where None is expected.
"""

from __future__ import annotations

import re
from typing import Any

RUN_OUTCOMES = ("completed", "deadlock", "running", "stopped", "violation")  # RunResult.outcome
VERDICTS = ("ok", "violation", "deadlock", "livelock", "bounded")  # the explorer's Result.verdict
YES, NO = {"yes", "y", "true", "t"}, {"no", "n", "false", "f"}
_IO = re.compile(r"^\s*(?:io_?end)?\s*(?:io)?\s*#?\s*(\d{1,3})\s*$", re.I)
_SPLIT = re.compile(r"[|,;+&\s]+")


def io_number(x: Any) -> int | None:
    """``"io#2"``, ``"io2"``, ``"#2"`` -> 2; anything else (a real int included) -> None."""
    if not isinstance(x, str):
        return None
    m = _IO.match(x)
    return int(m.group(1)) if m and not x.strip().isdigit() else None


def names_in(text: str) -> list[str]:
    """The names a string lists: ``"UNWRITTEN|DIRECT"`` -> ``["UNWRITTEN", "DIRECT"]`` (quotes and braces dropped)."""
    return [w for w in _SPLIT.split(text.strip().strip("{}[]()").replace("'", " ").replace('"', " ")) if w]


def _set_literal(items) -> str:
    return "{" + ", ".join(repr(x) for x in items) + "}"


def for_bool(answer: Any) -> str | None:
    if isinstance(answer, str) and answer.strip().lower() in YES | NO:
        return f"{answer!r} is a word: write True or False (a bool, without quotes)"
    if isinstance(answer, int) and not isinstance(answer, bool) and answer in (0, 1):
        return f"{answer} is a number: write True or False (a bool)"
    return None


def for_word(answer: Any, choices=None) -> str | None:
    """A word from ``choices``: another vocabulary, another case, spaces, or an io_end's label."""
    if not isinstance(answer, str) or not choices:
        return None
    low = answer.strip().lower()
    if set(choices) <= set(RUN_OUTCOMES) and low == "livelock":
        return ("'livelock' is the explorer's verdict; a run reports a livelock as 'running' (the step limit is hit "
                "while some task keeps stepping)")
    if set(choices) <= set(VERDICTS) and low in ("running", "completed", "stopped"):
        word = {"running": "livelock", "completed": "ok", "stopped": "bounded"}[low]
        return (f"{low!r} is how a run ends; the explorer's verdicts are {', '.join(VERDICTS)} (for a run that "
                f"{'keeps stepping' if low == 'running' else 'ends'} it would say {word!r})")
    by_low = {str(c).lower(): c for c in choices}
    if answer not in choices and low in by_low:
        return f"{answer!r} is written {by_low[low]!r} here (the choices are {', '.join(map(repr, choices))})"
    return None


def for_set(answer: Any, expected: set, universe=None) -> str | None:
    """A set: one string of names, io labels for numbers, names in another case."""
    want_ints = bool(expected) and all(isinstance(x, int) for x in expected) or (
        universe is not None and all(isinstance(x, int) for x in universe))
    if isinstance(answer, str):
        names = names_in(answer)
        if universe is not None and answer.strip() in universe:
            names = [answer.strip()]  # one choice, whose name has a separator in it ("old+02d262df")
        elif universe is not None and all(len(str(u)) == 1 for u in universe) and len(names) == 1:
            names = list(names[0])  # "abf" for the letters a, b, f
        if want_ints and names and all(io_number(n) is not None or n.isdigit() for n in names):
            nums = [io_number(n) if io_number(n) is not None else int(n) for n in names]
            return f"{answer!r} is one string: write a set of io_end numbers, {_set_literal(nums)}"
        if names:
            return f"{answer!r} is one string: write a set of names, {_set_literal(names)}"
        return None
    if isinstance(answer, (set, frozenset, list, tuple)) and want_ints:
        labels = [x for x in answer if io_number(x) is not None]
        if labels:
            return (f"{labels[0]!r} is an io_end's label: write its number, {io_number(labels[0])} "
                    f"(a set of whole numbers such as {_set_literal(io_number(x) for x in labels)})")
    if isinstance(answer, (set, frozenset, list, tuple)) and universe is not None:
        for x in answer:
            hint = for_word(x, universe)
            if hint:
                return hint
    return None


def for_keys(answer: dict, expected: dict) -> str | None:
    """A mapping keyed by io_end numbers, given ``"io#0"`` keys (the labels a trace prints)."""
    if not expected or not all(isinstance(k, int) and not isinstance(k, bool) for k in expected):
        return None
    labels = [k for k in answer if io_number(k) is not None]
    if labels:
        return (f"the key {labels[0]!r} is an io_end's label: key the dict by the io_end's number, "
                f"{io_number(labels[0])}, not by the text a trace prints")
    return None


def for_value(answer: Any, expected: Any, choices=None) -> str | None:
    """Any single value: dispatch on the kind of the expected one."""
    if isinstance(answer, str) and answer.strip().lower() in ("none", "null", "nothing", "-"):
        return f"{answer!r} is a word: write None (without quotes) for nothing"
    if isinstance(expected, bool):
        return for_bool(answer)
    if isinstance(expected, (set, frozenset)):
        return for_set(answer, expected, choices)
    if isinstance(expected, int) and isinstance(answer, str) and io_number(answer) is not None:
        return f"{answer!r} is an io_end's label: write its number, {io_number(answer)}"
    if isinstance(expected, str):
        return for_word(answer, choices)
    return None
