"""A closed pipe (``... | head -1``) keeps the command quiet but never changes its exit code (issue 14,
item 10): the code says the verdict, whether or not anyone read the output."""

import os
import subprocess
import sys

import pytest

CASES = [
    (["check", "truncate-vs-dio", "--design", "old", "--ios", "1", "--property", "liveness"], 1),
    (["check", "truncate-vs-dio", "--design", "new", "--ios", "1"], 0),
    (["check", "truncate-vs-dio", "--design", "new", "--ios", "2", "--max-states", "5"], 3),
    (["run", "truncate-vs-dio", "--design", "old", "--ios", "2", "--max-steps", "3000"], 3),
    (["run", "truncate-vs-dio", "--design", "old", "--ios", "2", "--max-steps", "3000", "--json"], 3),
    (["run", "fsync-vs-worker", "--design", "queue-before-flag", "--ios", "1"], 1),
    (["metrics", "classroom", "--design", "free-without-unlink", "--no-progress"], 1),
    (["metrics", "classroom", "--no-progress", "--json"], 0),
    (["scenarios"], 0),
]


def run_into_a_closed_pipe(argv, unbuffered: bool):
    read, write = os.pipe()
    os.close(read)  # nobody will ever read: every write fails with EPIPE
    env = dict(os.environ)
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    try:
        return subprocess.run([sys.executable, "-m", "ext4io_teach.cli", *argv], stdout=write,
                              stderr=subprocess.PIPE, text=True, env=env, timeout=120)
    finally:
        os.close(write)


@pytest.mark.parametrize("unbuffered", [False, True])
@pytest.mark.parametrize("argv, code", CASES)
def test_exit_code_is_the_verdict_even_through_a_closed_pipe(argv, code, unbuffered):
    proc = run_into_a_closed_pipe(argv, unbuffered)
    assert proc.returncode == code, proc.stderr
    assert proc.stderr == "", proc.stderr


def test_bad_input_still_says_why_on_stderr():
    proc = run_into_a_closed_pipe(["check", "truncate-vs-dio", "--ios", "7"], False)
    assert proc.returncode == 2 and "error: --ios: " in proc.stderr


def test_head_reads_the_first_line_and_the_code_is_the_verdict():
    """As a shell pipeline: ``check ... --property liveness | head -1`` (pipefail gives the left side's code)."""
    cmd = (f"set -o pipefail; {sys.executable} -m ext4io_teach.cli check truncate-vs-dio --design old --ios 2 "
           "--property liveness | head -1")
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and proc.stdout.startswith("# ext4io-teach check") and proc.stderr == ""
