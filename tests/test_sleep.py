"""Steps that may sleep, the invariant no-sleep-holding-spinlock, and the variant stage-b-locked."""

from __future__ import annotations

import inspect

import pytest

from ext4io_teach.designs import design_names, get_design
from ext4io_teach.designs.mutants import VARIANTS
from ext4io_teach.explore import explore
from ext4io_teach.invariants import CONSEQUENCES
from ext4io_teach.scenarios import scenario_names
from ext4io_teach.sched import run

SLEEP = "no-sleep-holding-spinlock"
KERNEL_DESIGNS = ["old", "old-blocking", "new", "c278531d", "02d262df", "old+02d262df"]


def test_stage_b_under_the_spinlock_fires_at_the_first_conversion():
    res = explore("completion-storm", "stage-b-locked", 1, property="liveness", checks=CONSEQUENCES, progress=False)
    assert res.verdict == "violation" and res.violation["invariant"] == SLEEP
    last = res.explain().splitlines()[-1]
    assert "worker holds i_completed_io_lock" in last and "ext4_convert_unwritten_extents" in last
    replay = run("completion-storm", "stage-b-locked", 1, schedule=res.counterexample.schedule)
    assert replay.violation.invariant == SLEEP


@pytest.mark.parametrize("scenario", ["completion-storm", "fsync-vs-worker", "truncate-vs-dio"])
def test_nothing_else_catches_it(scenario):
    """Holding the lock longer breaks no list, flag or free: only the sleep invariant says why B is unlocked."""
    for n in (1, 2):
        res = explore(scenario, "stage-b-locked", n, property="liveness", checks=CONSEQUENCES - {SLEEP},
                      progress=False)
        assert res.verdict == "ok", (n, res.headline())


def test_it_is_in_the_gallery():
    cls = VARIANTS["stage-b-locked"]
    assert cls.expect == SLEEP and cls.smallest_n == 1 and not cls.equivalent


@pytest.mark.parametrize("design", KERNEL_DESIGNS)
def test_no_kernel_design_sleeps_holding_the_spinlock(design):
    for scenario in scenario_names():
        for n in (1, 2):
            res = explore(scenario, design, n, property="safety", checks={SLEEP}, progress=False)
            assert res.verdict in ("ok", "deadlock", "livelock"), (scenario, n, res.headline())


def _calls(fn, names) -> bool:
    src = inspect.getsource(fn)
    return any(f"{n}(" in src for n in names)


@pytest.mark.parametrize("design", design_names())
def test_every_step_that_takes_a_mutex_waits_converts_or_yields_declares_that_it_sleeps(design):
    """The declarations are complete: a step whose code takes i_mutex (``mutex_lock``, its retry), converts or
    yields, or that waits (a guard: the task sleeps until it holds), says ``sleeps=``; a step that spins or
    unlocks the spinlock does not (it would break the rule itself)."""
    d = get_design(design)
    for spec, method in d.table.values():
        if spec.local:
            continue
        if spec.guard is not None or _calls(method, ("take_mutex", "w.convert", "mutex_retry", "yield")):
            assert spec.sleeps, f"{design}: {spec.pc} may sleep but does not say so"
        if spec.sleeps:
            assert not _calls(method, ("take_spin", "spin_unlock")), f"{design}: {spec.pc} spins and sleeps"
