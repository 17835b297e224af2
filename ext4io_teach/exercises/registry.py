"""The registry of exercises, and what a notebook calls on it: check, reveal, seeded problems.

Every exercise has a key (``"04-two-batches"``), a question, a hint and a way to compute the right answer
*from the model* (never a hard-coded number that could drift from the designs). The modules ``nbNN_*``
beside this one each ``add`` the exercises of one notebook.

* ``check(key, answer, **params)`` prints ``Correct.`` and why, or raises ``Unanswered`` / ``Incorrect``
  (``feedback``).
* ``problem(key, seed)`` makes a seeded problem (a seed makes the problem, as in the OSTEP homework
  simulators); ``Problem.show()`` prints it, ``Problem.check(answer)`` checks an answer and
  ``Problem.reveal()`` prints the answer (the simulators' ``-c``).
* ``reveal(key)`` prints a model answer for any exercise (for schedules: one schedule that works).
* Hints come in two levels: the first wrong answer to an exercise gets its ``hint`` (a nudge), every
  further one its ``hint2`` (a stronger hint), until a right answer starts the count again.
* The parameters an exercise takes (``check(..., ios=3)``) are checked once, in ``params_of``: a bad one is
  a ValueError naming it and what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import shown
from ..sched import SEED_MAX, SEED_MIN, check_schedule
from .feedback import SHAPES, CheckFailed, Incorrect, check_mapping, check_set, check_value, shape_of, unanswered
from .freetext import TEXTS, model_answer


@dataclass(frozen=True)
class Exercise:
    key: str
    notebook: str  # the solutions notebook it lives in
    kind: str  # "value" | "set" | "mapping" | "schedule" | "fix" (the last two are checked by ``goal``)
    question: str
    hint: str  # the nudge: shown with the placeholder and the first wrong answer
    explain: str  # why the answer is what it is (shown on success and on reveal)
    solve: Callable[[dict], Any]  # params -> the expected answer (a schedule for "schedule")
    goal: Callable | None = None  # for "schedule": (params, schedule) -> raises Incorrect or returns text
    make: Callable[[int], dict] | None = None  # seeded problems: seed -> params
    show: Callable[[dict], str] | None = None  # seeded problems: params -> the problem as text
    defaults: dict = field(default_factory=dict)
    universe: tuple | None = None  # for "set": the allowed choices
    hint2: str = ""  # the stronger hint, for a repeated wrong answer (the nudge again if empty)
    choices: tuple | None = None  # for "value" and "mapping": the words an answer (a value) may be
    # the texts that would give the answer away if a notebook printed them (``giveaway``): params -> Telltales;
    # or, for an exercise that is not about a run, ``no_telltale`` says why it has none
    telltales: Callable[[dict], list] | None = None
    no_telltale: str = ""

    @property
    def seeded(self) -> bool:
        return self.make is not None


REGISTRY: dict[str, Exercise] = {}


def add(ex: Exercise) -> None:
    """Register an exercise (each ``nbNN_*`` module does, at import)."""
    REGISTRY[ex.key] = ex


def get(key: str) -> Exercise:
    """The exercise ``key``; ValueError listing the keys if there is none."""
    if isinstance(key, str) and key in TEXTS:
        raise ValueError(f"exercise: {key!r} is answered in words, not checked: ex.discuss({key!r}, answer) shows "
                         f"the model answer; allowed: {', '.join(REGISTRY)}")
    if not isinstance(key, str) or key not in REGISTRY:
        raise ValueError(f"exercise: unknown key {shown(key)}; allowed: {', '.join([*REGISTRY, *TEXTS])}")
    return REGISTRY[key]


# The parameters an exercise takes are those of its ``defaults``, each of the same type as its default.
# Whole numbers have a range, so that no call runs for long (``08-*`` run the explorer at N = ``ios``).
PARAM_RANGES = {"ios": (1, 8), "io": (0, 7), "seeds": (1, 1000), "max_steps": (1, 20_000),
                "seed": (SEED_MIN, SEED_MAX)}
PARAM_RANGES_OF = {("08-truncate-blind", "ios"): (1, 3), ("08-fix-variant", "ios"): (1, 3),
                   ("04-lost-io-end", "ios"): (1, 3), ("09-punch-waits", "ios"): (1, 3),
                   ("09-durable-designs", "ios"): (1, 3), ("03-hang", "ios"): (2, 3)}


def _check_param(key: str, name: str, value, default) -> None:
    if isinstance(default, bool) or not isinstance(default, (int, str, list)):
        return
    if isinstance(default, int):
        low, high = PARAM_RANGES_OF.get((key, name), PARAM_RANGES.get(name, (0, 10 ** 6)))
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name}: {shown(value)} is not a whole number in range for {key}; "
                             f"allowed: {low}..{high}")
    elif isinstance(default, str):
        if not isinstance(value, str):
            raise ValueError(f"{name}: {shown(value)} is not a name; allowed: a str such as {shown(default)}")
        if name == "design":
            from ..designs import get_design
            get_design(value)
    else:
        check_schedule(value, name)


def params_of(ex: Exercise, params: dict) -> dict:
    """The exercise's defaults updated by ``params``, each checked (ValueError naming the parameter)."""
    for name, value in params.items():
        if name not in ex.defaults:
            raise ValueError(f"{name}: not a parameter of {ex.key}; allowed: "
                             + (", ".join(ex.defaults) or "none (it takes no parameters)"))
        _check_param(ex.key, name, value, ex.defaults[name])
    p = dict(ex.defaults)
    p.update(params)
    if "io" in p and "ios" in p and not p["io"] < p["ios"]:
        raise ValueError(f"io: {p['io']} names no io_end of {p['ios']}; allowed: 0..{p['ios'] - 1}")
    return p


def check(key: str, answer: Any, **params) -> None:
    """Check an answer: print ``Correct.`` and why, or raise Unanswered / Incorrect. A repeated wrong
    answer gets the stronger hint."""
    __tracebackhide__ = True  # IPython and pytest show the message, not these frames
    ex = get(key)
    p = params_of(ex, params)
    unanswered(key, answer, ex.hint)
    h = _hint_now(ex)
    try:
        text = _judge(ex, p, answer, h)
    except Incorrect as e:
        FAILS[key] = FAILS.get(key, 0) + 1
        if h is not ex.hint:
            raise Incorrect(str(e).replace(f"Hint: {h}", f"Stronger hint: {h}")) from None
        raise
    FAILS.pop(key, None)
    print(f"Correct. {text}\nWhy: {ex.explain}")


def _judge(ex: Exercise, p: dict, answer: Any, h: str) -> str:
    """The verdict on an answer: the success text, or Incorrect carrying the hint ``h``."""
    __tracebackhide__ = True
    key = ex.key
    if ex.goal is not None:
        try:
            return ex.goal(p, answer)
        except Incorrect as e:
            raise Incorrect(f"{key}: {e} Hint: {h}") from None
        except Exception:  # noqa: BLE001 - whatever an oddly shaped answer makes the goal trip over
            raise Incorrect(f"{key}: expected {SHAPES[ex.kind]}, got {type(answer).__name__} {shown(answer)}. "
                            f"Hint: {h}") from None
    expected = ex.solve(p)
    try:
        if ex.kind == "value":
            return check_value(key, answer, expected, hint=h, choices=ex.choices)
        if ex.kind == "set":
            return check_set(key, answer, expected, hint=h, universe=ex.universe)
        return check_mapping(key, answer, expected, hint=h, choices=ex.choices)
    except CheckFailed:
        raise
    except Exception:  # noqa: BLE001 - an answer whose comparison itself fails (e.g. its __eq__ raises)
        raise Incorrect(f"{key}: expected {shape_of(expected)}, got {type(answer).__name__} "
                        f"{shown(answer)}. Hint: {h}") from None


def hint(key: str, level: int = 1) -> str:
    """The nudge (level 1) or the stronger hint (level 2) of an exercise."""
    e = get(key)
    return e.hint if level < 2 else (e.hint2 or e.hint)


FAILS: dict[str, int] = {}  # exercise key -> wrong answers since its last right one (the hint level)


def reset_hints() -> None:
    """Start every exercise's hints again at the nudge."""
    FAILS.clear()


def _hint_now(ex: Exercise) -> str:
    """The hint the next wrong answer gets: the nudge first, then the stronger hint."""
    return ex.hint if FAILS.get(ex.key, 0) == 0 or not ex.hint2 else ex.hint2


def question(key: str) -> None:
    print(get(key).question)


def answer_for(key: str, **params) -> Any:
    """The model answer (for a schedule exercise: one schedule that works)."""
    ex = get(key)
    return ex.solve(params_of(ex, params))


def reveal(key: str, **params) -> Any:
    """Print and return the model answer, with the reason (for a question answered in words: the model
    answer and what a good answer says)."""
    if isinstance(key, str) and key in TEXTS:
        text = model_answer(key, **params)
        print(f"Model answer to {key}: {text}")
        return text
    ans = answer_for(key, **params)
    print(f"Answer to {key}: {_fmt(ans)}\nWhy: {get(key).explain}")
    return ans


def _fmt(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k!r}: {_fmt(x)}" for k, x in v.items()) + "}"
    if isinstance(v, (set, frozenset)):
        return "{" + ", ".join(repr(x) for x in sorted(v, key=str)) + "}"
    return repr(v)


@dataclass
class Problem:
    """A seeded problem: the same seed always makes the same problem."""

    key: str
    seed: int
    params: dict

    def show(self) -> None:
        ex = get(self.key)
        print(f"{self.key}, seed {self.seed}: {ex.question}")
        if ex.show is not None:
            print(ex.show(self.params))

    def check(self, answer: Any) -> None:
        __tracebackhide__ = True  # IPython and pytest show the message, not these frames
        check(self.key, answer, **self.params)

    def reveal(self) -> Any:
        return reveal(self.key, **self.params)

    @property
    def answer(self) -> Any:
        return answer_for(self.key, **self.params)


def problem(key: str, seed: int) -> Problem:
    """Make the seeded problem ``key`` for ``seed``."""
    ex = get(key)
    if not ex.seeded:
        raise ValueError(f"seed: exercise {shown(key)} is not seeded; allowed: "
                         + ", ".join(k for k, e in REGISTRY.items() if e.seeded))
    if isinstance(seed, bool) or not isinstance(seed, int) or not SEED_MIN <= seed <= SEED_MAX:
        raise ValueError(f"seed: {shown(seed)} is not a whole number in range; allowed: {SEED_MIN}..{SEED_MAX}")
    return Problem(key, seed, ex.make(seed))


def keys(notebook: str | None = None) -> list[str]:
    """The keys of every exercise, or of those in one solutions notebook (``"03_hang"``)."""
    return [k for k, e in REGISTRY.items() if notebook is None or e.notebook == notebook]
