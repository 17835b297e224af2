"""Questions answered in words: an answer cell, no points, and a model answer behind ``reveal()``.

Why ungraded: a sentence cannot be checked by a program without grading its keywords, which rewards the
words and not the reasoning; nbgrader's "manually graded" cells would leave every submission waiting for a
person before it has a score, and the round trip (autograde gives full points to the solutions) would no
longer close. So the answer is a string in an answer cell (nbgrader's "autograded answer" kind, with no test
cell and no points), and ``discuss(key, answer)`` prints the model answer to compare with, but only once the
student has written something: the stored output of a student notebook shows no answer. A lecturer who wants
to grade the words marks the cell "manually graded" in nbgrader's toolbar.

The model answers read their facts from the model (who converted and freed, what the explorer's
counterexample shows) and add the reasons in words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import shown
from .feedback import PLACEHOLDER

MIN_WORDS = 8  # fewer words than this is not yet an answer to compare


@dataclass(frozen=True)
class Discussion:
    key: str
    notebook: str  # the solutions notebook it lives in
    question: str
    model: Callable[[dict], str]  # params -> the model answer in words, facts computed from the model
    points: tuple[str, ...]  # what a good answer says, one short line each
    defaults: dict = field(default_factory=dict)


TEXTS: dict[str, Discussion] = {}


def add_text(d: Discussion) -> None:
    TEXTS[d.key] = d


def _params(d: Discussion, params: dict) -> dict:
    for name, value in params.items():
        if name not in d.defaults:
            raise ValueError(f"{name}: not a parameter of {d.key}; allowed: "
                             + (", ".join(d.defaults) or "none (it takes no parameters)"))
        if not isinstance(value, type(d.defaults[name])):
            raise ValueError(f"{name}: {shown(value)} is not a {type(d.defaults[name]).__name__}; allowed: a value "
                             f"such as {shown(d.defaults[name])}")
    return {**d.defaults, **params}


def model_answer(key: str, **params) -> str:
    """The model answer of a question answered in words."""
    d = TEXTS[key]
    text = d.model(_params(d, params))
    return text + "\nA good answer says:\n" + "\n".join(f"  - {p}" for p in d.points)


def discuss(key: str, answer: Any, **params) -> None:
    """Print the model answer next to the student's, once there is one; never raises (no points)."""
    d = TEXTS[key]
    params = {k: v for k, v in params.items() if v is not PLACEHOLDER}  # a parameter not answered yet either
    _params(d, params)
    if answer is PLACEHOLDER or not isinstance(answer, str) or len(answer.split()) < MIN_WORDS:
        what = "still the placeholder `...`" if answer is PLACEHOLDER else f"{len(str(answer).split())} word(s)"
        print(f"{key}: your answer is {what}. Write a few sentences (a str) first; then run this cell again to "
              f"compare them with the model answer (or call ex.reveal({key!r}) at any time).")
        return
    print(f"{key}: your answer has {len(answer.split())} words. Compare it with the model answer:\n"
          + model_answer(key, **params))
