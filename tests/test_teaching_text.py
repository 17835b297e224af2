"""The sentences issue 17 corrected stay corrected: each test fails if a wrong sentence comes back.

They read the notebook *sources* (tools/nbsrc), the docs, the README and the package's own texts
(design titles, CLI output, plot labels, exercise feedback). The facts are in
/work/shared/domain/kernel-facts.md, sections 2 and 3, and in docs/claims.md.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ext4io_teach import exercises as ex
from ext4io_teach.cli import main as cli_main
from ext4io_teach.designs import get_design
from ext4io_teach.model.flags import QUEUED, UNWRITTEN
from ext4io_teach.scenarios import get_scenario
from ext4io_teach.sched import Run
from ext4io_teach.timed.plot import DESIGN_LABEL

ROOT = Path(__file__).resolve().parent.parent
NBSRC = ROOT / "tools" / "nbsrc"
DOCS = ROOT / "docs"
# every text a reader meets outside the package code; notebook 09 and its exercises are rewritten in
# another branch and are checked here as soon as they are merged (nothing below exempts them)
TEXTS = sorted(NBSRC.glob("*.md")) + sorted(DOCS.glob("*.md")) + [ROOT / "README.md", ROOT / "DESIGN.md"]


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def flat(s: str) -> str:
    """Whitespace folded to single spaces, so a sentence broken across lines still matches."""
    return re.sub(r"\s+", " ", s)


def nbsrc(name: str) -> str:
    return flat(text(NBSRC / f"{name}.md"))


# ---------------------------------------------------------------------------- old-blocking is a counterfactual
def test_old_blocking_is_a_counterfactual_credited_to_no_commit():
    d = get_design("old-blocking")
    assert d.counterfactual and d.commit == ""
    assert d.credit() == "counterfactual (no kernel)"
    assert d.title.startswith("counterfactual") and "2581fdc8" not in d.title
    for name in ("old", "new", "c278531d"):
        assert not get_design(name).counterfactual and get_design(name).commit


def test_scenarios_output_names_old_blocking_a_counterfactual(capsys):
    assert cli_main(["scenarios"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.strip().startswith("old-blocking"))
    assert "counterfactual" in line and "2581fdc8" not in line
    assert cli_main(["scenarios", "--json"]) == 0
    designs = {d["name"]: d for d in json.loads(capsys.readouterr().out)["designs"]}
    assert designs["old-blocking"]["commit"] == "" and designs["old-blocking"]["counterfactual"] is True
    assert designs["old"]["counterfactual"] is False and designs["old"]["credit"] == "82e54229"


@pytest.mark.parametrize("command", ["run", "check"])
def test_run_and_check_say_old_blocking_is_a_counterfactual(capsys, command):
    argv = [command, "truncate-vs-dio", "--design", "old-blocking", "--ios", "1"]
    cli_main(argv)
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].startswith("note: old-blocking is a counterfactual (no kernel had it)")
    cli_main([*argv, "--json"])
    assert json.loads(capsys.readouterr().out)["note"].startswith("old-blocking is a counterfactual")
    cli_main([command, "truncate-vs-dio", "--design", "old", "--ios", "1", "--json"])
    assert "note" not in json.loads(capsys.readouterr().out)


def test_plot_label_of_old_blocking_says_counterfactual():
    assert "counterfactual" in DESIGN_LABEL["old-blocking"] and "2581fdc8" not in DESIGN_LABEL["old-blocking"]


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_no_text_credits_old_blocking_to_a_commit(path):
    """Wherever a text names `old-blocking`, it also says counterfactual, and it never puts 2581fdc8 next
    to it as if that commit were the design (the old tables and titles did)."""
    s = flat(text(path))
    if "old-blocking" not in s:
        return
    assert "counterfactual" in s, f"{path.name} names old-blocking without saying it is a counterfactual"
    for m in re.finditer(r"old-blocking", s):
        near = s[max(0, m.start() - 60): m.end() + 60]
        assert not re.search(r"old-blocking`?\s*(\||\(|:)?\s*`?2581fdc8", near), near
        assert not re.search(r"(worker|OLD-BLOCKING) (of|\() ?2581fdc8", near), near
        assert "2581fdc8's `mutex_lock`" not in near, near


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_new_is_28a535f9_in_the_merge_window_not_v3_7(path):
    """`new` is 28a535f9, a commit inside the 3.7 merge window; the released v3.7 also has c278531d."""
    s = flat(text(path))
    for bad in ("28a535f9 (v3.7)", "28a535f9, v3.7", "(Linux v3.7)", "the fix (v3.7)", "Before v3.7 (design",
                "ext4_end_io_nolock` before v3.7"):
        assert bad not in s, f"{path.name}: {bad!r}"


def test_new_design_title_says_merge_window():
    title = get_design("new").title
    assert title.startswith("28a535f9 (in the 3.7 merge window)") and "v3.7" not in title


# ---------------------------------------------------------------------------- the trylock's history (02, 03)
def test_notebook_02_tells_the_trylock_history_truthfully():
    s = nbsrc("02_old_worker")
    assert "so no lockdep complaint" not in s
    assert "`2581fdc8` made the worker **sleep**" not in s  # the sleep came first; 2581fdc8 added eviction's flush
    for fact in ("fixed a **real deadlock**", "inode eviction", "`266991b1`", "**counterfactual**",
                 "needs **both** changes"):
        assert fact in s, fact


def test_notebook_03_on_lockdep_and_the_counterfactual():
    s = nbsrc("03_hang")
    for wrong in ("that is also why lockdep never said a word", "nobody even sleeps on a lock",
                  "a fix for lockdep complaints: it removed what lockdep could see"):
        assert wrong not in s, wrong
    for fact in ("**no cycle among the locks lockdep tracks**", "uninterruptibly, in `inode_dio_wait`",
                 "hung-task detector", "Would lockdep have caught the `old-blocking` counterfactual? **No.**",
                 "with `i_completed_io_lock` held"):
        assert fact in s, fact


# ---------------------------------------------------------------------------- the lockdep exercise (ex03)
def test_lockdep_exercise_grades_the_true_statements():
    st = ex.LOCKDEP_STATEMENTS
    assert ex.answer_for("03-lockdep") == {"a", "b", "f"}
    # (e) "no task ever sleeps" is offered, and graded false: truncate sleeps in inode_dio_wait
    assert "no task ever sleeps" in st["e"] and "e" not in ex.answer_for("03-lockdep")
    # (g) the counterfactual: lockdep would not have caught it either
    assert "old-blocking" in st["g"] and "g" not in ex.answer_for("03-lockdep")
    why = ex.REGISTRY["03-lockdep"].explain
    assert "drops the spinlock before it requeues" not in why
    for fact in ("with i_completed_io_lock held", "inode_dio_wait, uninterruptibly", "hung-task detector",
                 "no cycle"):
        assert fact in why, fact
    ex.check("03-lockdep", {"a", "b", "f"})  # raises Incorrect if it were wrong


def test_lockdep_exercise_solution_in_the_source_is_the_graded_answer():
    s = text(NBSRC / "ex03_hang.md")
    m = re.search(r"### BEGIN SOLUTION\nanswer_lockdep = (\{.*\})\n### END SOLUTION", s)
    assert m and eval(m.group(1)) == ex.answer_for("03-lockdep")  # noqa: S307 - our own source file


# ---------------------------------------------------------------------------- who may free (06)
def test_notebook_06_states_the_queued_rule_not_the_running_rule():
    s = nbsrc("06_who_frees")
    assert "flusher never frees an io_end whose work item may still run" not in s
    assert "never free an io_end while it is `QUEUED`" in s
    assert "while io#0's own work function is still running" in s


def test_a_flusher_frees_an_io_end_while_its_own_work_function_still_runs():
    """The schedule notebook 06 shows, driven the same way: fsync frees io#0 while the worker is still
    inside ext4_end_io_work(io#0), after that worker's stage C (kernel-facts invariants 10 and 11)."""
    r = Run("fsync-vs-worker", "new", 3)
    w = r.world
    dio, worker, fsync = w.tasks
    ex.step_until(r, 0, lambda w: dio.io == 1)
    ex.step_until(r, 2, lambda w: fsync.pc == "eio.convert")
    ex.step_until(r, 0, lambda w: dio.pc == "done")
    ex.step_until(r, 1, lambda w: worker.pc == "D.free")
    assert w.ios[0].flags & UNWRITTEN and not w.ios[0].flags & QUEUED  # the owner has passed its stage C
    ex.step_until(r, 2, lambda w: w.ios[0].freed)
    assert w.ios[0].freed_by == 2 and worker.work_io == 0 and worker.pc == "D.free"
    while r.outcome() is None:
        r.step(r.runnable()[0])
    assert r.outcome() == "completed" and all(io.freed == 1 for io in w.ios)


def test_step_until_refuses_a_condition_that_never_comes():
    r = Run("completion-storm", "new", 1)
    with pytest.raises(ValueError, match="done: still false after 5 steps of task 0"):
        ex.step_until(r, 0, lambda w: False, max_steps=5)
    with pytest.raises(ValueError, match="cannot run"):
        ex.step_until(r, 1, lambda w: w.tasks[1].pc == "never")


# ---------------------------------------------------------------------------- the conversion still locks (07)
def test_notebook_07_does_not_say_the_conversion_waits_for_nobody():
    s = nbsrc("07_timelines")
    assert "it waits for nobody" not in s
    assert "a journal handle and `i_data_sem`" in s


# ---------------------------------------------------------------------------- TEST_CASE1 and the overlap
def test_truncate_vs_dio_says_the_overlap_is_an_assumption():
    story = get_scenario("truncate-vs-dio").story
    assert "TEST_CASE1 in small:" not in story
    assert "ASSUMPTION" in story and "after aio-stress has exited" in story
    row = next(ln for ln in text(DOCS / "glossary.md").splitlines() if ln.startswith("| `truncate-vs-dio`"))
    assert "assumption" in row and "after aio-stress has exited" in row


def test_notebook_08_does_not_claim_years_of_passing_tests():
    assert "tests for years" not in nbsrc("08_proving_it")
