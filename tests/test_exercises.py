"""The exercise checks: model answers pass, placeholders and wrong answers fail with useful feedback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ext4io_teach import exercises as ex
from ext4io_teach.exercises import Incorrect, Unanswered


def _answer(key):
    e = ex.get(key)
    if e.seeded:
        return ex.problem(key, 1), ex.problem(key, 1).answer
    return None, ex.answer_for(key)


@pytest.mark.parametrize("key", list(ex.REGISTRY))
def test_model_answer_passes(key, capsys):
    prob, answer = _answer(key)
    prob.check(answer) if prob else ex.check(key, answer)
    out = capsys.readouterr().out
    assert out.startswith("Correct.") and "Why:" in out


@pytest.mark.parametrize("key", list(ex.REGISTRY))
def test_placeholder_is_unanswered_with_hint(key):
    e = ex.get(key)
    with pytest.raises(Unanswered) as info:
        ex.check(key, ..., **(ex.problem(key, 1).params if e.seeded else {}))
    msg = str(info.value)
    assert "placeholder" in msg and e.hint in msg


def test_errors_are_assertion_errors():
    # nbgrader and pytest count an AssertionError as a failed check
    assert issubclass(Unanswered, AssertionError) and issubclass(Incorrect, AssertionError)
    assert not issubclass(Unanswered, Incorrect)


def test_a_failed_check_shows_as_one_line_in_a_notebook():
    """IPython renders an exception through ``_render_traceback_`` when it has one: a failed check is
    its name and message, without the checking code's stack or the install path."""
    err = Unanswered("q1 is still the placeholder")
    assert err._render_traceback_() == ["Unanswered: q1 is still the placeholder"]
    assert Incorrect("no")._render_traceback_() == ["Incorrect: no"]
    shown = 0
    for nb in sorted((Path(__file__).resolve().parent.parent / "notebooks" / "exercises").glob("*.ipynb")):
        for cell in json.loads(nb.read_text())["cells"]:
            for out in cell.get("outputs", []):
                if out["output_type"] == "error":
                    shown += 1
                    assert out["traceback"] == [f"{out['ename']}: {out['evalue']}"], nb.name
    assert shown >= 8  # the student versions stop at their placeholders


def test_at_least_twelve_exercises_over_the_path():
    assert len(ex.REGISTRY) >= 12
    assert len({e.notebook for e in ex.REGISTRY.values()}) >= 6
    kinds = {e.kind for e in ex.REGISTRY.values()}
    assert {"value", "set", "mapping", "schedule"} <= kinds
    assert sum(e.seeded for e in ex.REGISTRY.values()) >= 2


# ---------------------------------------------------------------- feedback on wrong answers
@pytest.fixture(autouse=True)
def _fresh_hints():
    ex.reset_hints()  # every test starts at the nudge
    yield
    ex.reset_hints()


def test_value_feedback_says_too_high_or_low():
    right = ex.answer_for("02-requeues")
    with pytest.raises(Incorrect, match="too high") as info:
        ex.check("02-requeues", right + 1)
    assert "Hint:" in str(info.value)
    with pytest.raises(Incorrect, match="too low"):
        ex.check("02-requeues", right - 1)
    with pytest.raises(Incorrect, match="expected a whole number"):
        ex.check("02-requeues", "lots")


def test_mapping_feedback_names_wrong_keys_not_values():
    right = ex.answer_for("03-outcomes")
    with pytest.raises(Incorrect) as info:
        ex.check("03-outcomes", {**right, "old": "deadlock"})
    msg = str(info.value)
    assert "1 of 3 entries are wrong: 'old'" in msg and "completed" not in msg.split("Hint:")[0]
    with pytest.raises(Incorrect, match="missing"):
        ex.check("03-outcomes", {"old": "running"})
    with pytest.raises(Incorrect, match="expected a dict"):
        ex.check("03-outcomes", "running")
    with pytest.raises(Incorrect, match="unexpected keys"):
        ex.check("05-stage-locks", {**ex.answer_for("05-stage-locks"), "E": {"i_mutex"}})


def test_set_feedback_counts_missing_and_extra():
    with pytest.raises(Incorrect, match="1 right choice is missing and 1 choice does not belong"):
        ex.check("03-lockdep", {"a", "b", "c"})
    with pytest.raises(Incorrect, match="not one of the choices"):
        ex.check("03-lockdep", {"z"})
    with pytest.raises(Incorrect, match="expected a set"):
        ex.check("03-lockdep", 7)


def test_schedule_feedback():
    # not a schedule
    with pytest.raises(Incorrect, match="expected a schedule"):
        ex.check("04-two-batches", "0,1")
    # a step that cannot run: says which step and why
    with pytest.raises(Incorrect, match="step 0 names task 1 .worker., which cannot run"):
        ex.check("04-two-batches", [1])
    # stops early
    with pytest.raises(Incorrect, match="stops after 3 steps"):
        ex.check("04-two-batches", [0, 0, 0])
    # complete but not the goal: all completions first queue one work item, io#0's
    one = ex.priority_schedule("completion-storm", "new", 4, ["dio", "worker"])
    with pytest.raises(Incorrect, match=r"queued the work items of io#0 \(1 work item\), not of io#0, io#2") as info:
        ex.check("04-two-batches", one)
    assert "Stronger hint: Complete io#0 and io#1" in str(info.value)  # the fourth wrong answer in a row


def test_fsync_frees_all_feedback_names_who_did():
    from ext4io_teach import run
    fsync_first = ex.priority_schedule("fsync-vs-worker", "new", 2, ["dio", "fsync", "worker"])
    assert run("fsync-vs-worker", "new", 2, schedule=fsync_first).outcome == "completed"
    with pytest.raises(Incorrect, match="io#0 was converted by fsync and freed by worker"):
        ex.check("06-fsync-frees-all", fsync_first)


def test_hang_goal_asks_the_explorer_and_wants_a_conversion_first():
    from ext4io_teach import run
    finished = run("truncate-vs-dio", "old", 2, schedule=ex.priority_schedule(
        "truncate-vs-dio", "old", 2, ["dio", "worker", "truncate"])).schedule
    with pytest.raises(Incorrect, match="truncate can still return: the explorer finds a continuation"):
        ex.check("03-hang", finished)
    at_once = [2, 0, 0, 0, 0, 1, 1, 1]  # notebook 03's hang: certain, but before any conversion
    with pytest.raises(Incorrect, match="io#0 has not been converted"):
        ex.check("03-hang", at_once)


def test_fsync_durable_goal_holds_for_c278531d_and_wants_fsync_to_convert():
    from ext4io_teach import Run, run
    from ext4io_teach.errors import InvariantViolation
    r = run("fsync-vs-writeback", "c278531d", 2, seed=0, properties=("fsync-durable",))
    assert r.outcome == "completed"
    with pytest.raises(Incorrect, match="never breaks fsync-durable"):
        ex.check("09-fsync-durable", r.schedule, design="c278531d")
    # notebook 09's counterexample, on N=2 (the worker takes both, fsync flushes an empty list): the right
    # property broken, but fsync converted nothing
    r = Run("fsync-vs-writeback", "new", 2, properties=("fsync-durable",))
    ex.step_until(r, 0, lambda w: r.world.tasks[0].pc == "done")
    ex.step_until(r, 1, lambda w: r.world.tasks[1].pc == "eio.convert")
    with pytest.raises(InvariantViolation):
        ex.step_until(r, 2, lambda w: False)
    assert r.violation.invariant == "fsync-durable"
    with pytest.raises(Incorrect, match="it converted nothing itself"):
        ex.check("09-fsync-durable", r.schedule)


def test_fsync_durable_model_answer_ends_with_fsyncs_return():
    from ext4io_teach import run
    bad = run("fsync-vs-writeback", "new", 2, schedule=ex.answer_for("09-fsync-durable"),
              properties=("fsync-durable",))
    assert bad.violation.invariant == "fsync-durable" and bad.steps[-1].name == "fsync"
    assert any(rec.kind == "convert" and rec.name == "fsync" for rec in bad.steps)


# ---------------------------------------------------------------- seeded problems
def test_seeded_problems_are_deterministic_and_vary():
    for key in [k for k, e in ex.REGISTRY.items() if e.seeded]:
        a, b = ex.problem(key, 5), ex.problem(key, 5)
        assert a.params == b.params and a.answer == b.answer
        assert len({repr(ex.problem(key, s).params) for s in range(8)}) > 1
        assert len({repr(ex.problem(key, s).answer) for s in range(12)}) > 1, key  # not one answer for all


def test_reveal_prints_the_answer(capsys):
    p = ex.problem("06-who-frees", 2)
    ans = p.reveal()
    out = capsys.readouterr().out
    assert out.startswith("Answer to 06-who-frees: {") and "Why:" in out
    assert set(ans.values()) <= {"worker", "fsync"} and len(ans) == p.params["ios"] and "fsync" in ans.values()


def test_show_hides_what_is_asked(capsys):
    ex.problem("01-dio-count", 4).show()
    out = capsys.readouterr().out
    assert "i_dio_count=" not in out and "add_complete_io" in out
    ex.problem("06-who-frees", 4).show()
    out = capsys.readouterr().out
    assert "flush.D free" not in out
    for seed in range(6):
        ex.problem("04-which-queued", seed).show()
        out = capsys.readouterr().out
        body = out.split("\n", 1)[1]  # below the question
        assert "QUEUED" not in body and "queue_work" not in body and "list not empty" not in body
        assert "ext4_end_io_work(io#" not in out  # whose work item runs would say who was QUEUED
    ex.problem("08-first-broken", 1).show()
    out = capsys.readouterr().out
    assert "violation" not in out and "breaks" not in out


def test_problem_rejects_unseeded_and_bad_seed():
    with pytest.raises(ValueError, match="seed: exercise '02-requeues' is not seeded"):
        ex.problem("02-requeues", 1)
    with pytest.raises(ValueError, match="seed: 'x' is not a whole number"):
        ex.problem("06-who-frees", "x")
    with pytest.raises(ValueError, match="exercise: unknown key"):
        ex.check("nope", 1)
    with pytest.raises(ValueError, match="exercise: '02-why-safe' is answered in words"):
        ex.check("02-why-safe", "some words")


def test_grading_follows_nbgrader_execution(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert not ex.grading()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert ex.grading()
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    assert ex.grading()


# ---------------------------------------------------------------- the answers teach true facts
def test_answers_match_the_kernel_story():
    assert ex.answer_for("03-outcomes") == {"old": "completed", "old-blocking": "completed", "new": "completed"}
    assert ex.answer_for("05-stage-locks") == {"A": {"i_completed_io_lock", "i_mutex"}, "B": {"i_mutex"},
                                               "C": {"i_completed_io_lock", "i_mutex"}, "D": {"i_mutex"}}
    flags = {"UNWRITTEN", "DIRECT"}
    assert ex.answer_for("01-flags-on-list") == {0: flags | {"QUEUED"}, 1: flags | {"QUEUED"}, 2: flags}
    assert ex.answer_for("09-durable-designs") == {"02d262df": False, "old+02d262df": True}
    assert ex.answer_for("09-punch-waits") == {"old+02d262df"}
    assert ex.answer_for("09-counterfactual") == {"old": "completed", "02d262df": "completed",
                                                  "old+02d262df": "running"}
    assert ex.answer_for("08-truncate-blind") == {"worker-frees-unwritten", "stage-c-unlocked", "clear-unwritten-in-b"}


def test_the_mixed_outcome_is_a_schedule_not_a_design():
    """03-outcomes: round robin completes for old, yet the explorer still finds old's livelock in mixed."""
    from ext4io_teach.explore import explore
    assert explore("mixed", "old", 1, property="liveness", progress=False).verdict == "livelock"
    assert explore("mixed", "old-blocking", 1, property="liveness", progress=False).verdict == "deadlock"


def test_requeues_do_not_grow_with_n():
    from ext4io_teach import run
    one = run("truncate-vs-dio", "old", 1, max_steps=500).stats["requeues"]
    assert abs(ex.answer_for("02-requeues") - one) <= 2


def test_fix_variant_feedback_comes_from_the_explorer():
    with pytest.raises(Incorrect, match="fsync-vs-worker at N=1: violation of not-freed-while-pending"):
        ex.check("08-fix-variant", ex.BROKEN_PLACE)
    never_free = {k: "unlink" for k in ex.PLACE_KEYS}
    with pytest.raises(Incorrect, match="nothing-lost"):
        ex.check("08-fix-variant", never_free)
    with pytest.raises(Incorrect, match="values 'unlink' or 'to_free'"):
        ex.check("08-fix-variant", {**ex.BROKEN_PLACE, ("flusher", True): "keep"})
    # the table design runs like any design: the fixed table behaves as the new design
    from ext4io_teach import run
    name = ex.design_from_table(ex.answer_for("08-fix-variant"))
    assert run("fsync-vs-worker", name, 2, seed=4).outcome == "completed"


def test_blind_spots_are_caught_elsewhere():
    from ext4io_teach.exercises.nb08_proving_it import blind_spots
    assert blind_spots("fsync-vs-worker", 2) == set()  # every candidate is a real bug
    assert ex.answer_for("08-truncate-blind") < set(ex.BLIND_CANDIDATES)
