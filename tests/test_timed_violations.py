"""Timed runs of broken variants end like ``run`` does (issue 14, item 1): one line naming the invariant
and the step, exit 1, never a traceback; and a variant the explorer proves safe breaks nothing in a timed
run. Designs and workloads come from their registries, so variants added later are covered too."""

import json
import subprocess
import sys

import pytest

from ext4io_teach import cli
from ext4io_teach.designs import design_names
from ext4io_teach.designs.mutants import VARIANTS
from ext4io_teach.errors import InvariantViolation
from ext4io_teach.invariants import CONSEQUENCES, REGISTRY
from ext4io_teach.timed import run_timed
from ext4io_teach.timed.workload import make_workload, workload_names

SMALL = {"seed": 40}  # the seed workload needs a write and a read stage


def small(name: str):
    return make_workload(name, SMALL.get(name, 12))


def refused(design: str) -> bool:
    """Does a timed run refuse this design outright (one ValueError naming ``design``)?"""
    try:
        run_timed(small("classroom"), design, progress=False)
    except ValueError as e:
        assert str(e).startswith("design: ") and "\n" not in str(e), e
        return True
    return False


@pytest.mark.parametrize("design", design_names())
def test_every_design_on_every_workload_ends_with_an_outcome_not_an_exception(design):
    if refused(design):
        return
    for name in workload_names():
        r = run_timed(small(name), design, progress=False)
        assert r.outcome in ("completed", "time-limit", "stuck", "violation")
        if r.outcome == "violation":
            v = r.violation
            assert isinstance(v, InvariantViolation) and v.invariant in REGISTRY
            assert 0 <= r.violation_step <= r.n_steps
            line = r.describe_violation()
            assert "\n" not in line and v.invariant in line and f"step {r.violation_step}" in line
        else:
            assert r.violation is None


@pytest.mark.parametrize("name", [n for n, c in VARIANTS.items() if c.equivalent])
def test_a_variant_the_explorer_proves_safe_breaks_nothing_in_a_timed_run(name):
    """The gallery proves equivalent variants safe under the consequence invariants; a timed run of a
    variant checks the same set, so it must finish cleanly on every workload."""
    for load in workload_names():
        r = run_timed(small(load), name, progress=False)
        assert r.violation is None and r.outcome == "completed", (load, r.outcome, r.violation)
        assert r.checks == CONSEQUENCES


def test_a_variant_is_checked_with_the_consequences_and_a_design_with_its_family_set():
    assert run_timed(small("classroom"), "queue-before-flag", progress=False).checks == CONSEQUENCES
    new = run_timed(small("classroom"), "new", progress=False)
    assert "nonempty-list-has-worker" in new.checks and "freed-once" in new.checks


def test_a_broken_variant_reports_the_consequence_the_step_and_stops_there():
    r = run_timed(small("classroom"), "free-without-unlink", progress=False)
    assert r.outcome == "violation" and r.violation.invariant == "not-freed-while-listed"
    assert r.n_steps == r.violation_step  # the steps before the violating one
    assert r.names[r.violation_task] == "worker"
    assert not r.completed


@pytest.mark.parametrize("command", ["metrics", "timeline"])
def test_cli_timed_run_of_a_broken_variant_is_one_line_and_exit_1(command, tmp_path):
    argv = [command, "classroom", "--design", "free-without-unlink", "--no-progress"]
    if command == "timeline":
        argv += ["--out", str(tmp_path / "t.png")]
    proc = subprocess.run([sys.executable, "-m", "ext4io_teach.cli", *argv], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr == ""
    lines = [ln for ln in proc.stdout.splitlines() if "violation of" in ln]
    assert len(lines) == 1 and "not-freed-while-listed" in lines[0] and "step " in lines[0], proc.stdout
    if command == "timeline":
        assert not (tmp_path / "t.png").exists()


def test_cli_metrics_json_of_a_broken_variant_says_violation(capsys):
    assert cli.main(["metrics", "classroom", "--design", "queued-cleared-in-a", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    v = out["queued-cleared-in-a"]["violation"]
    assert v["invariant"] == "list-integrity" and isinstance(v["step"], int)


@pytest.mark.parametrize("design", design_names())
def test_cli_metrics_never_crashes_on_any_design(design, capsys):
    code = cli.main(["metrics", "classroom", "--design", design, "--no-progress"])
    out, err = capsys.readouterr()
    if refused(design):
        assert code == 2 and len(err.strip().splitlines()) == 1 and "error: --design: " in err
        return
    assert code in (0, 1) and "Traceback" not in err
    assert (code == 1) == ("violation of" in out)


def test_cli_metrics_says_a_hang_is_a_hang_not_the_time_limit(capsys):
    """old-blocking deadlocks long before the time limit: the note says so instead of 'time limit'."""
    assert cli.main(["metrics", "classroom", "--design", "old-blocking", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "old-blocking: stuck at" in out and "time limit" not in out
