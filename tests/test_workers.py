"""What if dio_unwritten_wq had more than one kworker (``workers``: max_active 2 or 3, not ordered)."""

from __future__ import annotations

import random

import pytest

from ext4io_teach.cli import main
from ext4io_teach.crash import crash_view
from ext4io_teach.explore import can_complete, explore
from ext4io_teach.invariants import CONSEQUENCES
from ext4io_teach.model.workqueue import OrderedWorkqueue
from ext4io_teach.scenarios import scenario_names
from ext4io_teach.sched import Run, build_world, run
from ext4io_teach.widgets import StepperController


def test_the_queue_skips_an_item_another_worker_runs():
    wq = OrderedWorkqueue()
    for k in (0, 1, 2):
        wq.queue_work(k)
    assert wq.takeable((0,)) and wq.take_next((0,)) == 1  # io#0's item runs elsewhere: the next one
    assert wq.take_next() == 0
    assert not wq.takeable((2,)) and wq.takeable()


def test_the_tasks_and_the_inputs():
    r = Run("fsync-vs-worker", "new", 2, workers=2)
    assert r.task_names == ["dio", "worker", "worker2", "fsync"] and r.inputs["workers"] == 2
    assert r.world.worker_tids == (1, 2)
    assert Run("fsync-vs-worker", "new", 2).task_names == ["dio", "worker", "fsync"]


def _both_busy(seed: int, design="new", scenario="completion-storm", n=3) -> bool:
    """A seeded random run in which both kworkers are inside ext4_end_io_work at once."""
    r = Run(scenario, design, n, workers=2, keep_trace=False)
    rng = random.Random(seed)
    w = r.world
    while r.outcome() is None:
        r.step(rng.choice(r.runnable()))
        busy = [w.tasks[i].work_io for i in w.worker_tids if w.tasks[i].work_io is not None]
        assert len(busy) == len(set(busy)), "one work item on two workers at once"
        if len(busy) == 2:
            return True
    return False


def test_two_workers_run_two_work_items_at_once_never_the_same_one():
    assert any(_both_busy(seed) for seed in range(40))
    for seed in range(40):  # the old design requeues its own item: still never on two workers at once
        _both_busy(seed, "old", "truncate-vs-dio", 2)


@pytest.mark.parametrize("design", ["new", "c278531d"])
def test_the_new_design_stays_safe_and_live(design):
    for scenario in ("truncate-vs-dio", "fsync-vs-worker", "completion-storm", "nolock-dio-read"):
        for n in (1, 2):
            res = explore(scenario, design, n, property="liveness", progress=False, workers=2)
            assert res.verdict == "ok", (scenario, n, res.headline())


def test_more_workers_more_states():
    one = explore("fsync-vs-worker", "new", 2, property="liveness", progress=False)
    two = explore("fsync-vs-worker", "new", 2, property="liveness", progress=False, workers=2)
    assert one.verdict == two.verdict == "ok" and two.states > 3 * one.states


def test_the_old_hang_stays_with_both_workers_in_the_loop():
    res = explore("truncate-vs-dio", "old", 2, property="liveness", progress=False, workers=2)
    assert res.verdict == "livelock" and "worker, worker2 can loop forever" in res.headline()
    assert not can_complete("truncate-vs-dio", "old", 1, [3], workers=2)  # truncate (task 3) first: stuck
    blocking = explore("truncate-vs-dio", "old-blocking", 1, property="liveness", progress=False, workers=2)
    assert blocking.verdict == "deadlock"


def test_the_fsync_gap_stays():
    res = explore("fsync-vs-writeback", "new", 1, property="fsync-durable", progress=False, workers=2)
    assert res.verdict == "violation" and res.violation["invariant"] == "fsync-durable"
    bad = res.replay()
    assert crash_view(bad).lost == [0]


def test_a_variant_fails_another_way_with_two_workers():
    """queue-every-io-end: with one kworker the batch's first item frees io#1 under its pending item; with two,
    io#1's own item runs at once on the other worker and both link io#1 onto a to_free list."""
    one = explore("completion-storm", "queue-every-io-end", 2, property="liveness", checks=CONSEQUENCES,
                  progress=False)
    two = explore("completion-storm", "queue-every-io-end", 2, property="liveness", checks=CONSEQUENCES,
                  progress=False, workers=2)
    assert one.violation["invariant"] == "not-freed-while-pending"
    assert two.violation["invariant"] == "list-integrity" and "worker2" in two.violation["message"]


@pytest.mark.parametrize("bad", [0, 4, True, "2", 1.5, None])
def test_bad_workers_is_one_clear_error(bad):
    for call in (lambda: run("completion-storm", "new", 1, workers=bad),
                 lambda: build_world("completion-storm", "new", 1, workers=bad),
                 lambda: explore("completion-storm", "new", 1, workers=bad, progress=False),
                 lambda: StepperController("completion-storm", "new", 1, workers=bad)):
        with pytest.raises(ValueError, match=r"^workers: .* allowed: 1\.\.3"):
            call()


def test_every_scenario_takes_two_and_three_workers():
    for scenario in scenario_names():
        for workers in (2, 3):
            res = run(scenario, "new", 2, workers=workers, seed=1)
            assert res.outcome == "completed" and res.tasks.count("worker") == 1, (scenario, workers)
            assert f"worker{workers}" in res.tasks


def test_cli_run_check_play(capsys, monkeypatch):
    import io

    assert main(["run", "completion-storm", "--ios", "2", "--workers", "2"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("# ext4io-teach run completion-storm --design new --ios 2 --workers 2 ")
    assert "tasks: 0 dio, 1 worker, 2 worker2" in out
    assert main(["check", "truncate-vs-dio", "--design", "old", "--ios", "1", "--workers", "2", "--property",
                 "liveness"]) == 1
    out = capsys.readouterr().out
    assert "livelock" in out and "--workers 2 --schedule" in out
    assert main(["run", "completion-storm", "--workers", "7"]) == 2
    assert capsys.readouterr().err.strip().startswith("ext4io-teach run: error: --workers: 7 is not a number of")
    monkeypatch.setattr("sys.stdin", io.StringIO("q\n"))
    assert main(["play", "completion-storm", "--ios", "1", "--workers", "2"]) == 0
    assert "completion-storm, design new, 1 io_end(s), 2 kworkers, step 0" in capsys.readouterr().out


def test_the_stepper_keeps_its_workers():
    ctrl = StepperController("completion-storm", "new", 2, workers=2)
    assert [b["name"] for b in ctrl.buttons()] == ["dio", "worker", "worker2"]
    assert "--workers 2" in ctrl.command()
    ctrl.configure("fsync-vs-worker", "new", 1)
    assert ctrl.inputs["workers"] == 2 and len(ctrl.buttons()) == 4


def test_the_stepper_page_address_takes_workers():
    pytest.importorskip("ipywidgets")
    from ext4io_teach.widgets.stepper import Stepper

    s = Stepper.from_query("scenario=completion-storm&ios=1&workers=2")
    assert s.ctrl.inputs["workers"] == 2 and not s.errors
    bad = Stepper.from_query("workers=9")
    assert bad.ctrl.inputs["workers"] == 1 and "workers: 9 is not a number of kworkers" in bad.errors[0]
