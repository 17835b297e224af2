"""Handler-level tests of every stepper action, without a browser.

The controller is tested against the model itself (a Run replayed from the same schedule), and the
ipywidgets view by pressing its buttons in-process (``Button.click()`` runs the same handlers a
browser click runs) and reading the HTML it would send to the page.
"""

from __future__ import annotations

import json
import re

import pytest

from ext4io_teach import invariants
from ext4io_teach.designs.kinds import KINDS
from ext4io_teach.model.flags import describe
from ext4io_teach.sched import Run, run
from ext4io_teach.widgets import StepperController
from ext4io_teach.widgets import render as R
from ext4io_teach.widgets.program import task_program


def replayed(inputs, schedule):
    r = Run(inputs["scenario"], inputs["design"], inputs["ios"], split_rmw=inputs["split_rmw"],
            fail_io=inputs["fail_io"])
    r.replay(schedule)
    return r


def violating_schedule(checks=None):
    """A seeded random run of old fsync-vs-worker with --split-rmw that breaks an invariant: with the design's
    checks (None) it stops at the lost update's store; a safety challenge checks the consequences only
    (``invariants.CONSEQUENCES``), which catch the same race later."""
    for seed in range(500):
        res = run("fsync-vs-worker", "old", 2, seed=seed, split_rmw=True, max_steps=400, checks=checks)
        if res.outcome == "violation":
            return res
    raise AssertionError("no violating schedule found in 500 seeds")


# ------------------------------------------------------------------ controller: stepping
def test_buttons_follow_the_model():
    c = StepperController("truncate-vs-dio", "new", 2)
    c.step(2)  # truncate takes i_mutex, then waits for i_dio_count
    bs = c.buttons()
    assert [b["tid"] for b in bs if b["runnable"]] == c.run.runnable()
    tr = bs[2]
    assert not tr["runnable"] and tr["why"] == c.world.blocked_reason(c.world.tasks[2])
    assert "i_dio_count" in tr["why"]


def test_step_records_schedule_and_rejects_blocked_task():
    c = StepperController("truncate-vs-dio", "new", 2)
    c.step(0)
    c.step(2)
    assert c.schedule == [0, 2] and c.schedule_text == "0,2"
    with pytest.raises(ValueError, match="cannot run"):
        c.step(2)
    assert c.schedule == [0, 2]
    assert c.run.snapshot() == replayed(c.inputs, [0, 2]).snapshot()


def test_forward_is_round_robin_like_the_cli():
    c = StepperController("fsync-vs-worker", "new", 3)
    while c.outcome() is None:
        c.forward()
    ref = run("fsync-vs-worker", "new", 3)
    assert c.schedule == ref.schedule and c.outcome() == ref.outcome == "completed"
    assert c.forward() is None and "ended" in c.message


def test_undo_then_next_redoes_the_same_step():
    c = StepperController("truncate-vs-dio", "new", 2)
    for _ in range(7):
        c.forward()
    before, sched = c.run.snapshot(), c.schedule
    c.undo()
    assert c.schedule == sched[:-1] and c.future == [sched[-1]]
    assert c.run.snapshot() == replayed(c.inputs, sched[:-1]).snapshot()
    c.forward()
    assert c.schedule == sched and c.run.snapshot() == before


def test_undo_at_start_and_reset():
    c = StepperController("truncate-vs-dio", "old", 1)
    with pytest.raises(ValueError, match="nothing to undo"):
        c.undo()
    c.forward()
    c.forward()
    c.reset()
    assert c.schedule == [] and c.future == []
    assert c.run.snapshot() == Run("truncate-vs-dio", "old", 1).snapshot()


def test_a_different_click_drops_the_future():
    c = StepperController("truncate-vs-dio", "new", 2)
    c.load("0,0,0,0,0", to_end=False)
    assert c.schedule == [] and c.future == [0, 0, 0, 0, 0]
    c.step(0)
    assert c.future == [0, 0, 0, 0]
    c.step(2)
    assert c.future == []


def test_run_to_next_stage_stops_when_a_task_enters_a_new_stage():
    c = StepperController("truncate-vs-dio", "new", 2)
    seen = []
    for _ in range(6):
        before = {t.tid: c.stage_of(t.tid) for t in c.world.tasks}
        n = c.run_to_next_stage()
        if c.outcome() is not None:
            break
        assert n >= 1
        mover = c.schedule[-1]
        assert c.stage_of(mover) and c.stage_of(mover) != before[mover]
        seen.append(c.stage_of(mover))
    assert {"A", "B", "C", "D"} <= set(seen)


def test_run_to_next_stage_in_the_old_design_uses_functions():
    c = StepperController("truncate-vs-dio", "old", 1)
    n = c.run_to_next_stage()
    assert 1 <= n < 500 and "entered" in c.message


def test_play_ticks_until_the_run_ends():
    c = StepperController("completion-storm", "new", 3)
    ticks = 0
    while c.play_tick():
        ticks += 1
        assert ticks < 500
    assert c.outcome() == "completed" and len(c.schedule) == ticks + 1
    assert not c.play_tick()


# ------------------------------------------------------------------ controller: loading
def test_load_string_replays_to_the_end():
    ref = run("fsync-vs-worker", "new", 2, seed=3)
    c = StepperController("fsync-vs-worker", "new", 2)
    c.load(",".join(map(str, ref.schedule)))
    assert c.schedule == ref.schedule and c.outcome() == ref.outcome
    assert c.run.snapshot() == ref.run.snapshot()


def test_load_cli_json_changes_the_inputs():
    ref = run("punch-hole-error", "old", 2, seed=5, fail_io=1)
    c = StepperController("truncate-vs-dio", "new", 3)
    c.load(json.dumps(ref.as_json()))
    assert c.inputs == ref.inputs
    assert [t.name for t in c.world.tasks] == ref.tasks
    assert c.schedule == ref.schedule and c.run.snapshot() == ref.run.snapshot()


@pytest.mark.parametrize("text, match", [
    ("0,x,1", "not a task id"), ("{bad json", "not valid JSON"), ('{"design": "new"}', "no \"schedule\""),
    ("0,9", "does not exist|cannot run")])
def test_load_rejects_bad_input(text, match):
    c = StepperController("truncate-vs-dio", "new", 1)
    with pytest.raises(ValueError, match=match):
        c.load(text)


def test_load_stops_at_a_step_that_cannot_run():
    c = StepperController("truncate-vs-dio", "new", 2)
    with pytest.raises(ValueError, match="step 2 names task 2, which cannot run"):
        c.load("2,0,2")
    assert c.schedule == [2, 0]


def test_configure_starts_over_with_new_inputs():
    c = StepperController("truncate-vs-dio", "new", 2)
    c.forward()
    c.configure("nolock-dio-read", "old", 3)
    assert c.inputs["scenario"] == "nolock-dio-read" and c.inputs["ios"] == 3 and c.schedule == []
    assert [t.name for t in c.world.tasks] == ["dio", "worker", "reader"]


# ------------------------------------------------------------------ invariant cards
def test_cards_cover_every_invariant_and_mark_design_scope():
    for design in ("old", "new"):
        c = StepperController("truncate-vs-dio", design, 1)
        c.forward()
        groups = c.invariant_cards()
        names = [card.name for cs in groups.values() for card in cs]
        assert sorted(names) == sorted(invariants.REGISTRY)
        for cs in groups.values():
            for card in cs:
                assert (card.state == "off") == (card.name not in c.world.checks)
                assert card.stage == invariants.REGISTRY[card.name].stage


def test_checked_cards_follow_the_last_step_kind():
    c = StepperController("completion-storm", "new", 2)
    while c.outcome() is None:
        c.forward()
        rec = c.last()
        checked = {card.name for cs in c.invariant_cards().values() for card in cs if card.state == "checked"}
        expect = set(KINDS[rec.kind].checks if rec.kind in KINDS else ()) & c.world.checks
        assert expect <= checked
        if rec.kind == "free":
            assert "freed-once" in checked


def test_a_violation_turns_its_card_red_with_the_account():
    bad = violating_schedule()
    c = StepperController("fsync-vs-worker", "old", 2, split_rmw=True)
    c.load(",".join(map(str, bad.schedule)))
    assert c.outcome() == "violation"
    broken = [card for cs in c.invariant_cards().values() for card in cs if card.state == "broken"]
    assert [b.name for b in broken] == [bad.violation.invariant]
    assert broken[0].account == bad.violation.message
    html = R.cards_html(c, "lecture")
    assert f'data-account="{bad.violation.invariant}"' in html and "e4-broken" in html
    assert all(not b["runnable"] for b in c.buttons())


def test_challenge_any_is_won_by_a_violation():
    bad = violating_schedule(invariants.CONSEQUENCES)
    c = StepperController("fsync-vs-worker", "old", 2, split_rmw=True, challenge="any")
    assert c.won is None
    c.load(",".join(map(str, bad.schedule)))
    assert c.won and bad.violation.invariant in c.won
    c.undo()
    assert c.won is None


def test_challenge_use_after_free_is_not_won_by_another_invariant():
    bad = violating_schedule(invariants.CONSEQUENCES)
    assert bad.violation.invariant not in ("no-use-after-free", "not-freed-while-pending")
    c = StepperController("fsync-vs-worker", "old", 2, split_rmw=True, challenge="use-after-free")
    c.load(",".join(map(str, bad.schedule)))
    assert c.outcome() == "violation" and c.won is None


def test_unknown_challenge():
    with pytest.raises(ValueError, match="challenge"):
        StepperController(challenge="win-the-lottery")


def test_hang_challenge_won_by_the_old_blocking_deadlock():
    c = StepperController("truncate-vs-dio", "old-blocking", 1, challenge="hang")
    c.step(0)
    assert c.won is None
    c.step(2)  # truncate takes i_mutex before the worker could: the explorer sees no way out
    assert c.won and "never complete" in c.won
    while c.outcome() is None:
        c.forward()
    assert c.outcome() == "deadlock"
    c2 = StepperController("truncate-vs-dio", "old-blocking", 1, challenge="hang")
    c2.load(",".join(map(str, c.schedule)))  # loading the schedule wins the same way
    assert c2.won


# ------------------------------------------------------------------ rendering
def test_io_cards_show_exactly_the_set_flags():
    c = StepperController("fsync-vs-worker", "old", 2)
    while c.outcome() is None:
        c.forward()
        html = R.state_html(c)
        for io in c.world.ios:
            card = re.search(rf'<div class="e4-io[^"]*" data-io="{io.id}" data-flags="([^"]*)"(.*?)</div>', html)
            assert card and card.group(1) == describe(io.flags)
            shown = re.findall(r'class="e4-badge e4-f-(\w+)"', card.group(2))
            assert "|".join(shown) == ("" if describe(io.flags) == "-" else describe(io.flags))


def test_program_highlights_the_current_step_only():
    c = StepperController("truncate-vs-dio", "new", 2)
    for _ in range(25):
        c.forward()
        for t in c.world.tasks:
            for mode in ("lecture", "compact"):
                html = R.program_html(c, t.tid, mode)
                cur = re.findall(r'class="e4-ln e4-mono[^"]*e4-cur[^"]*" data-pc="([^"]+)"', html)
                assert cur == ([] if t.pc == "done" else [t.pc])


def test_task_programs_hold_every_step_a_run_visits():
    from ext4io_teach.scenarios import scenario_names
    for design in ("old", "new", "c278531d", "02d262df", "old+02d262df"):
        for scenario in scenario_names():
            res = run(scenario, design, 2, seed=1)
            r = Run(scenario, design, 2)
            progs = {t.role: {ln.pc for b in task_program(r.world.design, t.role) for ln in b.lines}
                     for t in r.world.tasks}
            for tid in res.schedule:
                t = r.world.tasks[tid]
                assert t.pc in progs[t.role], (design, scenario, t.role, t.pc)
                r.step(tid)


# ------------------------------------------------------------------ the ipywidgets view
W = pytest.importorskip("ipywidgets")


def stepper(*a, **kw):
    from ext4io_teach.widgets import Stepper
    return Stepper(*a, **kw)


def test_view_task_buttons_and_badges_match_the_model():
    s = stepper("truncate-vs-dio", "new", 2)
    for tid in [0, 2, 0, 0, 1, 0, 1, 0]:
        s.click("task", tid)
        assert s.errors == []
        ref = replayed(s.ctrl.inputs, s.ctrl.schedule)
        assert s.schedule.value == ",".join(map(str, s.ctrl.schedule))
        assert s.ctrl.run.snapshot() == ref.snapshot()
        flags = dict(re.findall(r'data-io="(\d+)" data-flags="([^"]*)"', s.state.value))
        assert flags == {str(io.id): describe(io.flags) for io in ref.world.ios}
        for (btn, _, _), tid2 in zip(s._columns, range(3)):
            assert btn.disabled == (tid2 not in ref.runnable())


def test_view_every_control_button():
    s = stepper("truncate-vs-dio", "new", 2, mode="compact")
    s.click("next")
    s.click("next")
    assert s.ctrl.schedule == [0, 2]
    s.click("undo")
    assert s.ctrl.schedule == [0] and "Undid" in s.msg.value
    s.click("stage")
    assert s.ctrl.stage_of(s.ctrl.schedule[-1]) in "ABCD"
    s.click("reset")
    assert s.ctrl.schedule == [] and s.schedule.value == ""
    assert s.undo_btn.disabled
    s.schedule.value = "0,2,0"
    s.click("load")
    assert s.ctrl.schedule == [0, 2, 0] and s.errors == []
    s.scenario_dd.value, s.design_dd.value, s.ios_in.value = "completion-storm", "old", 3
    s.click("start")
    assert s.ctrl.inputs["design"] == "old" and len(s._columns) == 2 and len(s.task_area.children) == 2
    assert s.errors == []


def test_view_show_me_says_how_far_the_search_has_got():
    s = stepper("fsync-vs-worker", "new", 2, challenge="double-free")
    shown = []
    s.msg.observe(lambda ch: shown.append(ch["new"]), names="value")
    s.click("show")
    assert s.errors == []
    assert "searching every schedule" in shown[0] and "states found" not in shown[0]
    counts = [re.search(r"([\d,]+) states found, ([\d,]+) looked at, [\d.]+ s \(it stops after 20 s\)", m)
              for m in shown[1:-1]]
    assert counts and all(counts), shown  # the first report at 1,024 states looked at, then every 0.25 s
    assert int(counts[0][2].replace(",", "")) == 1024
    assert "No schedule wins" in shown[-1] and s.ctrl.explanation and s.ctrl.schedule == []


def test_view_shows_every_error_in_the_widget():
    s = stepper("truncate-vs-dio", "new", 1)
    s.click("undo")  # nothing to undo
    assert len(s.errors) == 1 and "nothing to undo" in s.msg.value and "e4-error" in s.msg.value
    s.schedule.value = "0,banana"
    s.click("load")
    assert "not a task id" in s.msg.value and len(s.errors) == 2
    s.click("next")  # a good action clears the error banner
    assert "e4-error" not in s.msg.value

    def boom():
        raise RuntimeError("model exploded")
    s.ctrl.forward = boom
    s.click("next")
    assert "RuntimeError: model exploded" in s.msg.value and "test_widgets.py" in s.errors[-1]


def test_view_play_speed_mode_and_challenge():
    s = stepper("completion-storm", "new", 2)
    s.play.playing = True
    for v in range(1, 200):
        s.play.value = v
        if not s.play.playing:
            break
    assert s.ctrl.outcome() == "completed" and not s.play.playing
    n = len(s.ctrl.schedule)
    s.play.value += 1  # a tick after Play stopped does nothing
    assert len(s.ctrl.schedule) == n
    s.speed.value = 100
    assert s.play.interval == 100
    s.mode_tb.value = "compact"
    assert "e4-compact" in s.widget._dom_classes and "e4-lecture" not in s.widget._dom_classes
    s.challenge_dd.value = "double-free"
    assert s.ctrl.challenge.name == "double-free" and "Free an io_end twice" in s.msg.value
    assert s.errors == []


def test_view_from_query():
    from ext4io_teach.widgets import Stepper
    s = Stepper.from_query("design=old&ios=1&scenario=truncate-vs-dio&mode=compact&schedule=0,2")
    assert s.ctrl.inputs["design"] == "old" and s.mode == "compact" and s.ctrl.schedule == [0, 2]
    for bad, word in (("ios=many", "ios"), ("mode=cinema", "mode"), ("design=nope", "design"), ("ios=99", "ios")):
        s = Stepper.from_query(bad)  # a bad address never breaks the page: defaults plus the error
        assert s.ctrl.inputs["design"] == "new" and s.mode == "lecture"
        assert len(s.errors) == 1 and word in s.errors[0] and "e4-error" in s.msg.value
    s = Stepper.from_query("schedule=2,2")
    assert s.ctrl.schedule == [2] and "cannot run" in s.errors[0]


def test_controller_needs_no_ipywidgets():
    import subprocess
    import sys
    code = ("import sys, ext4io_teach, ext4io_teach.widgets as w; c = w.StepperController(); c.forward(); "
            "print('ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# ------------------------------------------------------------------ explorer: challenges and "Show me"
def test_hang_challenge_on_old_is_won_when_truncate_is_stuck():
    c = StepperController("truncate-vs-dio", "old", 1, challenge="hang")
    c.step(0)
    assert c.won is None  # truncate can still complete: the worker may convert first
    c.step(2)  # truncate takes i_mutex while io#0 still needs the worker: stuck for good
    assert c.won and "never complete" in c.won
    c.undo()
    assert c.won is None


def test_hang_challenge_on_new_is_never_won_and_show_me_says_why():
    c = StepperController("truncate-vs-dio", "new", 2, challenge="hang")
    c.step(2)
    assert c.won is None
    res = c.show_me()
    assert res.verdict == "ok" and res.counterexample is None
    assert c.schedule == [] and "No schedule wins" in c.message and str(res.states) in c.message
    assert c.explanation


def test_show_me_loads_the_livelock_and_replays_its_cycle():
    c = StepperController("truncate-vs-dio", "old", 1)
    res = c.show_me()
    cex = res.counterexample
    assert res.verdict == "livelock" and cex.cycle_start is not None
    assert c.schedule == [] and c.future[:len(cex.schedule)] == cex.schedule
    cycle = cex.schedule[cex.cycle_start:]
    for _ in range(len(cex.schedule) + 2 * len(cycle)):
        c.forward()
    assert c.schedule == cex.schedule + cycle * 2
    assert "exactly the one at step" in c.message and c.outcome() is None


@pytest.mark.parametrize("design, scenario, challenge", [
    ("flusher-frees-queued", "fsync-vs-worker", "use-after-free"),
    ("worker-frees-unwritten", "fsync-vs-worker", "double-free"),
])
def test_show_me_wins_the_variant_challenges(design, scenario, challenge):
    c = StepperController(scenario, design, 1, challenge=challenge)
    res = c.show_me()
    assert res.verdict == "violation" and c.won is None
    while c.future and c.outcome() is None:
        c.forward()
    assert c.outcome() == "violation" and c.won
    assert c.run.violation.invariant == res.violation["invariant"]
    assert c.schedule == res.counterexample.schedule


def test_show_me_on_the_new_design_finds_no_double_free():
    c = StepperController("fsync-vs-worker", "new", 2, challenge="double-free")
    reports = []
    res = c.show_me(progress=lambda states, expanded: reports.append((states, expanded)))
    assert res.verdict == "ok" and "No schedule wins" in c.message
    # the search reports every 1,024 expansions, with counts that only grow and end below the total
    assert [e for _, e in reports] == list(range(0, res.states, 1024))
    assert all(a <= b for (a, _), (b, _) in zip(reports, reports[1:])) and reports[-1][0] <= res.states


def test_lecture_mode_folds_and_windows_the_program():
    from ext4io_teach.widgets.render import LECTURE_WINDOW
    c = StepperController("truncate-vs-dio", "old", 1)
    c.load("0,2,0,0,0,1,1")  # the old worker inside ext4_end_io_work, a long block
    lect, comp = R.program_html(c, 1, "lecture"), R.program_html(c, 1, "compact")
    n_lect = len(re.findall(r'class="e4-ln e4-mono', lect))
    n_comp = len(re.findall(r'class="e4-ln e4-mono', comp))
    assert n_lect <= 2 * LECTURE_WINDOW < n_comp
    assert "line(s) below" in lect and "also:" in lect and "also:" not in comp


def test_lecture_cards_fold_the_unchecked_ones():
    c = StepperController("truncate-vs-dio", "old", 1)
    c.forward()
    off = [n for n in invariants.REGISTRY if n not in c.world.checks]
    lect = R.cards_html(c, "lecture")
    assert f'data-inv-off="{len(off)}"' in lect
    assert not any(f'data-inv="{n}"' in lect for n in off)
    comp = R.cards_html(c, "compact")
    assert all(f'data-inv="{n}" data-state="off"' in comp for n in off)
