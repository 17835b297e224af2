"""Exercise checks never crash on a wrongly shaped answer, and their parameters are validated (issue 14,
item 8). Every exercise in the registry is tried, so exercises added later are covered too."""

from __future__ import annotations

import pytest

from ext4io_teach import exercises as ex
from ext4io_teach.exercises import Incorrect, Unanswered


class Weird:
    def __eq__(self, other):
        raise RuntimeError("no comparing me")

    __hash__ = None


ODD_ANSWERS = [None, 1, -1, 1.5, float("nan"), "x", b"x", 10 ** 5000, [[1]], [None], [{}], [10 ** 5000],
               [["a", "b", "e"]], {(): []}, {0: [["UNWRITTEN"], "DIRECT"], 1: {"a": [[]]}}, {frozenset(): {1: [2]}},
               {0: Weird()}, [Weird()], {"A": [[True]]}, object(), ("a",), {"a": {"b"}}, [0, "1"], [0, [1]]]


def _params(key):
    e = ex.get(key)
    return ex.problem(key, 1).params if e.seeded else {}


@pytest.mark.parametrize("key", list(ex.REGISTRY))
def test_any_answer_gets_a_one_line_verdict_never_a_traceback(key, capsys):
    ex.reset_hints()
    for answer in ODD_ANSWERS:
        try:
            ex.check(key, answer, **_params(key))
        except Incorrect as e:
            msg = str(e)
            assert "\n" not in msg and msg.startswith(key) and ("Hint: " in msg or "Stronger hint: " in msg), \
                (answer, msg)
            assert len(msg) < 1500, msg
        except Unanswered:  # pragma: no cover - no placeholder among them
            raise
    capsys.readouterr()


def test_the_issue_cases_say_what_shape_is_expected():
    with pytest.raises(Incorrect) as e:
        ex.check("03-lockdep", [["a", "b", "e"]])
    assert "expected a set of names (str) from the choices a, b, c, d, e" in str(e.value)
    with pytest.raises(Incorrect) as e:
        ex.check("01-flags-on-list", {0: ["UNWRITTEN", "DIRECT"], 1: [["UNWRITTEN"], "DIRECT"], 2: []})
    msg = str(e.value)
    assert "the value for 1 must be a set of names (str)" in msg
    assert "DIRECT" not in msg.split("got")[0], "the expected shape gives nothing of the answer away"


@pytest.mark.parametrize("call, param", [
    (lambda: ex.check("06-fsync-frees-all", ex.answer_for("06-fsync-frees-all"), io=5), "io"),
    (lambda: ex.check("06-fsync-frees-all", [0], ios="1"), "ios"),
    (lambda: ex.check("03-lockdep", {"a"}, ios=2), "ios"),
    (lambda: ex.reveal("04-two-batches", ios="2"), "ios"),
    (lambda: ex.reveal("04-two-batches", ios=10 ** 6), "ios"),
    (lambda: ex.reveal("04-which-queued", seed=2 ** 70, ios=3), "seed"),
    (lambda: ex.reveal("09-punch-waits", ios=-1), "ios"),
    (lambda: ex.reveal("08-truncate-blind", ios=6), "ios"),
    (lambda: ex.reveal("04-lost-io-end", ios=9), "ios"),
    (lambda: ex.reveal("02-why-safe", design="x"), "design"),
    (lambda: ex.reveal("04-lost-explain", design=3), "design"),
    (lambda: ex.reveal("02-requeues", max_steps=10 ** 9), "max_steps"),
    (lambda: ex.reveal("06-who-frees", seed=2 ** 64, ios=2), "seed"),
    (lambda: ex.reveal("09-fsync-durable", design="nope"), "design"),
    (lambda: ex.reveal("01-dio-count", schedule="²"), "schedule"),
    (lambda: ex.reveal("01-dio-count", schedule=[9]), "schedule"),
    (lambda: ex.answer_for("01-flags-on-list", ios=True), "ios"),
    (lambda: ex.problem("06-who-frees", 2 ** 64), "seed"),
    (lambda: ex.reveal(["03-lockdep"]), "exercise"),
    (lambda: ex.check(None, 1), "exercise"),
])
def test_parameters_are_validated(call, param, capsys):
    with pytest.raises(ValueError) as e:
        call()
    msg = str(e.value)
    assert msg.startswith(param + ":") and "allowed: " in msg and len(msg.split("; allowed: ")[0]) < 200, msg
    assert capsys.readouterr().out == ""


def test_every_seeded_problem_makes_only_parameters_its_exercise_accepts():
    for key, e in ex.REGISTRY.items():
        if e.seeded:
            for seed in range(20):
                p = ex.problem(key, seed)
                assert set(p.params) <= set(e.defaults), (key, p.params)
                p.answer  # noqa: B018 - validated and computed without error
