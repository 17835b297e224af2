"""Exercises that check themselves: helpful feedback, seeded problems and reveals.

Notebooks write ``from ext4io_teach import exercises as ex`` and call:

* ``ex.check(key, answer, **params)``: prints ``Correct.`` and why, or raises ``Unanswered`` (the answer is
  still the placeholder ``...``) or ``Incorrect`` (what kind of answer was expected, how this one differs, a
  hint); both are ``AssertionError``s, so nbgrader and pytest count them as a failed check.
* ``ex.problem(key, seed)``: a seeded problem to ``show()``, ``check(answer)`` or ``reveal()``;
  ``ex.reveal(key)`` prints a model answer; ``ex.grading()`` is True while nbgrader executes the notebook.
* ``ex.discuss(key, answer)``: for a question answered in words (no points), the model answer to compare
  with, once the answer is written (``freetext``).
* A wrong answer gets a one-line ``Incorrect`` that recognises near-misses (``nearmiss``: flags as one string,
  ``livelock`` for a run's outcome, another case, ``"yes"`` for True, ``"io#0"`` for 0) and says the form
  expected; the first wrong answer gets a nudge, a repeated one a stronger hint (``ex.reset_hints()``).
* ``ex.print_steps``, ``ex.step_until``, ``ex.priority_schedule``, ``ex.outcome_line``: helpers the main
  notebooks use to drive and read runs (they live in ``ext4io_teach.notebook_helpers``).

The package, one concept a module:

* ``feedback``: the answer checks (value, set, mapping) and the exceptions they raise;
* ``nearmiss``: answers right in substance but written in another form, and what form is expected;
* ``registry``: the ``Exercise`` record, ``REGISTRY``, ``check``, ``reveal``, ``problem``, ``keys``, hint levels;
* ``freetext``: questions answered in words, ``discuss`` and their model answers;
* ``giveaway``: telltales, what a notebook would print if it gave an exercise's answer away;
* ``replay``: answers read from the model (replay a schedule, who converted and freed what, explorer verdicts);
* ``nb01_io_end`` ... ``nb09_what_was_left``: the exercises of one solutions notebook each, with the data
  their questions show (``LOCKDEP_STATEMENTS``, ``PUNCH_DESIGNS``, ``BROKEN_PLACE``, ...).

Adding an exercise: write it in its notebook's module with ``add(Exercise(...))``, computing the answer from
the model, never typing it in, with a nudge (``hint``), a stronger hint (``hint2``) and its ``telltales`` (or
``no_telltale``, why it has none); ``tests/test_exercises.py`` then checks that its model answer passes and its
placeholder is ``Unanswered``, and ``tests/test_giveaway.py`` that no main notebook prints its answer.

Only the standard library and the model core are imported here; the explorer is imported lazily by the
exercises that need it.
"""

from __future__ import annotations

from ..notebook_helpers import outcome_line, print_steps, priority_schedule, step_until

# the exercises register themselves at import, in notebook order
from . import (  # noqa: F401 - imported for their registrations
    nb01_io_end,
    nb02_old_worker,
    nb03_hang,
    nb04_add_complete_io,
    nb04_variant,
    nb05_four_stages,
    nb06_who_frees,
    nb08_first_broken,
    nb08_proving_it,
    nb09_what_was_left,
)
from .feedback import (
    PLACEHOLDER,
    SHAPES,
    CheckFailed,
    Incorrect,
    Unanswered,
    check_mapping,
    check_set,
    check_value,
    grading,
)
from .freetext import TEXTS, discuss, model_answer
from .nb03_hang import LOCKDEP_STATEMENTS
from .nb08_proving_it import BLIND_CANDIDATES, BROKEN_PLACE, PLACE_KEYS, design_from_table
from .nb09_what_was_left import PUNCH_DESIGNS
from .registry import (
    PARAM_RANGES,
    PARAM_RANGES_OF,
    REGISTRY,
    Exercise,
    Problem,
    answer_for,
    check,
    get,
    hint,
    keys,
    problem,
    question,
    reset_hints,
    reveal,
)
from .replay import explore_verdict

__all__ = ["CheckFailed", "Unanswered", "Incorrect", "PLACEHOLDER", "grading", "check", "check_value", "check_set",
           "check_mapping", "hint", "question", "reveal", "answer_for", "problem", "Problem", "keys", "get",
           "Exercise", "priority_schedule", "REGISTRY", "PARAM_RANGES", "PARAM_RANGES_OF", "SHAPES",
           "LOCKDEP_STATEMENTS", "PUNCH_DESIGNS", "print_steps", "step_until", "outcome_line", "explore_verdict",
           "BLIND_CANDIDATES", "PLACE_KEYS", "BROKEN_PLACE", "design_from_table", "discuss", "model_answer",
           "TEXTS", "reset_hints"]
