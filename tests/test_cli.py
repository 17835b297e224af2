"""The ``ext4io-teach`` command: echo, step table, outcomes, exit codes, JSON, bad input."""

import json
import subprocess
import sys

import pytest

from ext4io_teach.cli import main


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_echoes_its_inputs_first_and_ends_with_the_outcome(capsys):
    code, out, _ = cli(capsys, "run", "truncate-vs-dio", "--design", "new", "--ios", "2")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == ("# ext4io-teach run truncate-vs-dio --design new --ios 2 --policy round-robin "
                        "--max-steps 2000")
    assert lines[1] == "tasks: 0 dio, 1 worker, 2 truncate"
    assert lines[-2].startswith("outcome: completed")


@pytest.mark.parametrize("argv, code, outcome", [
    (["run", "truncate-vs-dio", "--design", "old", "--ios", "1", "--max-steps", "100"], 3, "running"),
    (["run", "truncate-vs-dio", "--design", "old-blocking", "--ios", "2"], 1, "deadlock"),
    (["run", "truncate-vs-dio", "--design", "new", "--schedule", "0,0"], 3, "stopped"),
    (["run", "fsync-vs-worker", "--design", "new", "--ios", "3", "--seed", "4"], 0, "completed"),
])
def test_exit_codes_follow_the_outcome(capsys, argv, code, outcome):
    got, out, _ = cli(capsys, *argv, "--json")
    assert got == code
    assert json.loads(out)["outcome"] == outcome


def test_running_says_which_task_keeps_cycling(capsys):
    code, out, _ = cli(capsys, "run", "truncate-vs-dio", "--design", "old", "--ios", "1", "--max-steps", "60")
    assert code == 3
    assert "still cycling: worker; truncate waits for i_dio_count == 0 (now 1)" in out


def test_json_echoes_every_input_and_lists_steps(capsys):
    code, out, _ = cli(capsys, "run", "punch-hole-error", "--design", "new", "--ios", "2", "--fail-io", "1",
                       "--split-rmw", "--json")
    obj = json.loads(out)
    assert code == 0
    assert list(obj) == ["scenario", "design", "ios", "split_rmw", "fail_io", "workers", "tasks", "schedule", "steps",
                         "outcome", "violation"]
    assert (obj["scenario"], obj["design"], obj["ios"], obj["split_rmw"], obj["fail_io"]) == \
        ("punch-hole-error", "new", 2, True, 1)
    assert obj["tasks"] == ["dio", "worker", "punch"]
    assert len(obj["steps"]) == len(obj["schedule"])
    assert obj["steps"][0] == {"i": 0, "task": 0, "name": "dio", "label": "add_complete_io io#0 completes: spin_lock",
                               "io": 0}
    assert obj["violation"] is None


# found by a seeded random run: the old worker's QUEUED store brings back the UNWRITTEN that fsync cleared
LOST_UPDATE = "0,0,2,0,2,2,2,2,0,1,2,1,2,2,1,2,2,1,1,2,1,1,1,1,2,1,2,1,1,2,2,1,2,1,1,2,1,1"


def test_a_violation_reports_the_invariant_and_a_replayable_schedule(capsys):
    code, out, _ = cli(capsys, "run", "fsync-vs-worker", "--design", "old", "--ios", "1", "--split-rmw",
                       "--schedule", LOST_UPDATE)
    obj_code, obj_out, _ = cli(capsys, "run", "fsync-vs-worker", "--design", "old", "--ios", "1", "--split-rmw",
                               "--schedule", LOST_UPDATE,
                               "--json")
    obj = json.loads(obj_out)
    assert code == obj_code == 1
    assert obj["outcome"] == "violation"
    # caught at the worker's stale store (18 steps), long before the free-time BUG_ON would fire
    assert obj["violation"]["invariant"] == "unwritten-cleared-after-conversion"
    assert "outcome: violation of unwritten-cleared-after-conversion" in out
    assert len(obj["schedule"]) == 18


def test_scenarios_lists_every_scenario_and_design(capsys):
    code, out, _ = cli(capsys, "scenarios", "--json")
    obj = json.loads(out)
    assert code == 0
    assert {s["name"] for s in obj["scenarios"]} == {"truncate-vs-dio", "fsync-vs-worker", "punch-hole-error",
                                                     "nolock-dio-read", "completion-storm", "fsync-vs-writeback",
                                                     "mixed"}
    assert {"old", "old-blocking", "new", "c278531d", "02d262df", "old+02d262df"} <= {d["name"] for d in obj["designs"]}
    tasks = {s["name"]: s["tasks"] for s in obj["scenarios"]}
    assert tasks["fsync-vs-writeback"] == ["writeback", "worker", "fsync"]
    assert tasks["mixed"] == ["dio", "worker", "fsync", "truncate"]
    text = cli(capsys, "scenarios")[1]
    assert "fsync-vs-writeback" in text and "counterfactual" in text


BAD = [
    (["run", "nope"], "scenario: unknown scenario 'nope'; allowed: truncate-vs-dio"),
    (["run", "truncate-vs-dio", "--design", "nope"], "design: unknown design 'nope'; allowed: old, old-blocking"),
    (["run", "truncate-vs-dio", "--ios", "0"], "ios: 0 is out of range; allowed: 1..64"),
    (["run", "truncate-vs-dio", "--ios", "65"], "ios: 65 is out of range; allowed: 1..64"),
    (["run", "truncate-vs-dio", "--schedule", "0,2,2"],
     "schedule: step 2 names task 2 (truncate), which cannot run: waits for i_dio_count == 0 (now 2)"),
    (["run", "truncate-vs-dio", "--schedule", "0,a"], "schedule: 'a' is not a task id"),
    (["run", "truncate-vs-dio", "--fail-io", "5"], "--fail-io: 5 names no io_end; allowed: an io_end number 0..1"),
    (["run", "truncate-vs-dio", "--seed", "1", "--schedule", "0"], "--schedule: given together with --seed"),
    (["run", "truncate-vs-dio", "--policy", "fifo"], "argument --policy: invalid choice: 'fifo'"),
    (["run", "truncate-vs-dio", "--ios", "two"], "argument --ios: invalid int value: 'two'"),
]


@pytest.mark.parametrize("argv, message", BAD)
def test_bad_input_is_one_clear_line_and_exit_2(argv, message):
    proc = subprocess.run([sys.executable, "-m", "ext4io_teach.cli", *argv], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert message in lines[0]
    assert "Traceback" not in proc.stderr
