"""``RunResult.describe()``: one line per outcome, shared by the CLI's ``run`` and the exercises."""

from __future__ import annotations

import contextlib
import io

from ext4io_teach import cli, run
from ext4io_teach import exercises as ex


def test_each_outcome_has_its_own_line():
    done = run("truncate-vs-dio", "new", 1)
    assert done.describe().startswith("completed: every task finished")
    hang = run("truncate-vs-dio", "old-blocking", 2, max_steps=1000)
    assert hang.outcome == "deadlock"
    assert hang.describe().startswith("deadlock: no task can run, work unfinished (")
    assert "truncate" in hang.describe() and "worker" in hang.describe()
    live = run("truncate-vs-dio", "old", 1, max_steps=200)
    assert live.describe().startswith("running: step limit hit after 200 steps; still cycling: ")
    assert "worker" in live.describe()
    cut = run("truncate-vs-dio", "new", 1, schedule=[0])
    assert cut.describe() == "stopped: the schedule ran out after 1 steps, before the work finished"
    schedule = ex.answer_for("09-fsync-durable")
    bad = run("fsync-vs-writeback", "new", 2, schedule=schedule, properties=("fsync-durable",))  # N = 2, as answered
    assert bad.outcome == "violation"
    assert bad.describe() == f"violation of fsync-durable: {bad.violation.message}"
    assert all("\n" not in r.describe() for r in (done, hang, live, cut, bad))


def test_cli_outcome_line_and_outcome_line_are_describe():
    res = run("truncate-vs-dio", "old", 1, max_steps=50)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["run", "truncate-vs-dio", "--design", "old", "--ios", "1", "--max-steps", "50"])
    assert code == cli.EXIT_UNDECIDED
    assert f"outcome: {res.describe()}" in out.getvalue().splitlines()
    assert ex.outcome_line(res) == res.describe()
