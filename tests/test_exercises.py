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
    with pytest.raises(Incorrect) as info:
        ex.check("03-outcomes", {"old": "deadlock", "old-blocking": "deadlock", "new": "completed"})
    msg = str(info.value)
    assert "1 of 3 entries are wrong: 'old'" in msg and "running" not in msg.split("Hint:")[0]
    with pytest.raises(Incorrect, match="missing"):
        ex.check("03-outcomes", {"old": "running"})
    with pytest.raises(Incorrect, match="expected a dict"):
        ex.check("03-outcomes", "running")
    with pytest.raises(Incorrect, match="unexpected keys"):
        ex.check("05-stage-locks", {"A": True, "B": False, "C": True, "D": False, "E": True})


def test_set_feedback_counts_missing_and_extra():
    with pytest.raises(Incorrect, match="1 right choice is missing and 1 choice does not belong"):
        ex.check("03-lockdep", {"a", "b", "c"})
    with pytest.raises(Incorrect, match="not one of the choices"):
        ex.check("03-lockdep", {"z"})
    with pytest.raises(Incorrect, match="expected a set"):
        ex.check("03-lockdep", "abe")


def test_schedule_feedback():
    # not a schedule
    with pytest.raises(Incorrect, match="expected a schedule"):
        ex.check("04-one-work-item", "0,1")
    # a step that cannot run: says which step and why
    with pytest.raises(Incorrect, match="step 0 names task 1 .worker., which cannot run"):
        ex.check("04-one-work-item", [1])
    # stops early
    with pytest.raises(Incorrect, match="stops after 3 steps"):
        ex.check("04-one-work-item", [0, 0, 0])
    # complete but not the goal: round robin queues more than one work item
    from ext4io_teach import run
    rr = run("completion-storm", "new", 4).schedule
    with pytest.raises(Incorrect, match=r"queued \d work items") as info:
        ex.check("04-one-work-item", rr)
    assert "Keep the list non-empty" in str(info.value)


def test_fsync_frees_feedback_names_who_did():
    from ext4io_teach import run
    worker_first = ex.priority_schedule("fsync-vs-worker", "new", 2, ["dio", "worker", "fsync"])
    assert run("fsync-vs-worker", "new", 2, schedule=worker_first).outcome == "completed"
    with pytest.raises(Incorrect, match="io#1 was converted by worker and freed by worker"):
        ex.check("06-fsync-frees", worker_first)


def test_hang_goal_rejects_a_finishing_run():
    from ext4io_teach import run
    finished = run("truncate-vs-dio", "old", 1, schedule=ex.priority_schedule(
        "truncate-vs-dio", "old", 1, ["dio", "worker", "truncate"])).schedule
    with pytest.raises(Incorrect, match="i_mutex is held by nobody"):
        ex.check("03-hang", finished)


def test_fsync_durable_goal_holds_for_c278531d():
    # the same idea does not break c278531d: fsync then waits for i_unwritten == 0
    from ext4io_teach import run
    r = run("fsync-vs-writeback", "c278531d", 1, seed=0, properties=("fsync-durable",))
    assert r.outcome == "completed"
    with pytest.raises(Incorrect, match="never breaks fsync-durable"):
        ex.check("09-fsync-durable", r.schedule, design="c278531d")


def test_fsync_durable_goal_is_on_written_back_pages_not_aio():
    """The old AIO answer (worker splices io#0, fsync flushes an empty list) breaks nothing on
    fsync-vs-worker, and on fsync-vs-writeback the model answer ends with fsync's return."""
    from ext4io_teach import run
    aio = [0, 0, 0, 0, 0, 1, 1, 1, 1] + [2] * 6
    assert run("fsync-vs-worker", "new", 1, schedule=aio, properties=("fsync-durable",)).violation is None
    answer = ex.answer_for("09-fsync-durable")
    bad = run("fsync-vs-writeback", "new", 1, schedule=answer, properties=("fsync-durable",))
    assert bad.violation.invariant == "fsync-durable" and bad.steps[-1].name == "fsync"


# ---------------------------------------------------------------- seeded problems
def test_seeded_problems_are_deterministic_and_vary():
    for key in [k for k, e in ex.REGISTRY.items() if e.seeded]:
        a, b = ex.problem(key, 5), ex.problem(key, 5)
        assert a.params == b.params and a.answer == b.answer
        assert len({repr(ex.problem(key, s).params) for s in range(8)}) > 1


def test_reveal_prints_the_answer(capsys):
    p = ex.problem("06-who-frees", 2)
    ans = p.reveal()
    out = capsys.readouterr().out
    assert out.startswith("Answer to 06-who-frees: {") and "Why:" in out
    assert set(ans.values()) <= {"worker", "fsync"} and len(ans) == p.params["ios"]


def test_show_hides_what_is_asked(capsys):
    ex.problem("01-dio-count", 4).show()
    out = capsys.readouterr().out
    assert "i_dio_count=" not in out and "add_complete_io" in out
    ex.problem("06-who-frees", 4).show()
    out = capsys.readouterr().out
    assert "flush.D free" not in out


def test_problem_rejects_unseeded_and_bad_seed():
    with pytest.raises(ValueError, match="seed: exercise '02-requeues' is not seeded"):
        ex.problem("02-requeues", 1)
    with pytest.raises(ValueError, match="seed: 'x' is not a whole number"):
        ex.problem("06-who-frees", "x")
    with pytest.raises(ValueError, match="exercise: unknown key"):
        ex.check("nope", 1)


def test_grading_follows_nbgrader_execution(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert not ex.grading()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert ex.grading()
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    assert ex.grading()


# ---------------------------------------------------------------- the answers teach true facts
def test_answers_match_the_kernel_story():
    assert ex.answer_for("03-outcomes") == {"old": "running", "old-blocking": "deadlock", "new": "completed"}
    assert ex.answer_for("05-stage-locks") == {"A": True, "B": False, "C": True, "D": False}
    assert ex.answer_for("04-work-items") == {"old": 4, "new_min": 1, "new_max": 4}
    assert ex.answer_for("01-flags-on-list") == {0: {"UNWRITTEN", "DIRECT", "QUEUED"}, 1: {"UNWRITTEN", "DIRECT"}}


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


def test_equivalent_answer_matches_the_gallery():
    from ext4io_teach.explore.gallery import variants
    eq = {n for n, cls in variants().items() if cls.equivalent}
    assert ex.answer_for("08-equivalent") == eq & set(ex.EQUIVALENT_CANDIDATES)
