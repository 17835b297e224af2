"""Adding a scenario is data: one ``Scenario`` record (DESIGN.md, "Adding a role or a scenario").

The scenario below exists only in this test. Nothing else is registered or edited for it, and every
entry point takes it: a seeded run, the text stepper, the stepper's controller and program columns,
the explorer (with the liveness goals its roles give) and the CLI."""

import json

import pytest

from ext4io_teach import run
from ext4io_teach.cli import main
from ext4io_teach.designs import get_design
from ext4io_teach.explore import applicable_properties, explore
from ext4io_teach.scenarios import SCENARIOS, Scenario, scenario_names
from ext4io_teach.textview import run_text
from ext4io_teach.widgets.controller import StepperController
from ext4io_teach.widgets.program import task_program

TWO_FSYNCS = Scenario(
    "two-fsyncs", (("dio", "dio"), ("worker", "worker"), ("fsync", "fsync"), ("fsync2", "fsync")),
    "Two fsyncs of the same file while AIO direct writes complete: the second waits for i_mutex.",
    "completes", "completes")


@pytest.fixture
def two_fsyncs(monkeypatch):
    monkeypatch.setitem(SCENARIOS, TWO_FSYNCS.name, TWO_FSYNCS)
    return TWO_FSYNCS.name


def test_the_scenario_is_listed_with_its_properties(two_fsyncs):
    assert two_fsyncs in scenario_names()
    assert "fsync-durable" in applicable_properties(two_fsyncs)
    assert "punch-waits" not in applicable_properties(two_fsyncs)


@pytest.mark.parametrize("design", ["old", "new", "c278531d"])
def test_it_runs_and_is_explored(two_fsyncs, design):
    res = run(two_fsyncs, design, 2, seed=3)
    assert res.outcome == "completed" and {"fsync", "fsync2"} <= {r.name for r in res.steps}
    r = explore(two_fsyncs, design, 1, property="all", progress=False)
    assert r.verdict == "ok" and r.states > 0
    assert "fsync2-returns" in " ".join(r.notes)  # a flush caller's return is a liveness goal (Role.flusher)


def test_the_views_take_it(two_fsyncs):
    res = run(two_fsyncs, "new", 1, seed=0)
    text = run_text(res.run)
    assert "fsync2" in text
    ctrl = StepperController(two_fsyncs, "new", 1)
    assert [t.name for t in ctrl.run.world.tasks] == ["dio", "worker", "fsync", "fsync2"]
    titles = [b.title for b in task_program(get_design("new"), "fsync")]
    assert titles[0] == "fsync (ext4_sync_file)" and "flush stage A: take the list" in titles


def test_the_cli_takes_it(two_fsyncs, capsys):
    assert main(["run", two_fsyncs, "--design", "new", "--ios", "1", "--seed", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["scenario"] == two_fsyncs
