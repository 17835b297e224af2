"""CLI messages state the rule (issue 14, item 9): ranges where there is one, the same seed range
everywhere, the flag the user typed, and nothing the command line cannot do ("or none")."""

import pytest

from ext4io_teach import cli
from ext4io_teach.sched import SEED_MAX, SEED_MIN

SEED_RANGE = f"allowed: {SEED_MIN}..{SEED_MAX}"


def err_of(capsys, argv):
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == 2, (argv, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("argv", [["metrics", "classroom", "--seed", str(SEED_MAX + 2)],
                                  ["timeline", "classroom", "--out", "x.png", "--seed", str(SEED_MIN - 1)],
                                  ["run", "truncate-vs-dio", "--seed", str(SEED_MAX + 1)]])
def test_the_seed_range_is_said_and_the_same_everywhere(argv, capsys):
    line = err_of(capsys, argv)
    assert "error: --seed: " in line and line.endswith(SEED_RANGE), line


def test_seed_range_ends_are_accepted(capsys):
    for seed in (SEED_MIN, SEED_MAX):
        assert cli.main(["run", "completion-storm", "--ios", "1", "--seed", str(seed)]) == 0
        assert cli.main(["metrics", "classroom", "--ios", "2", "--design", "new", "--seed", str(seed),
                         "--no-progress"]) == 0
    capsys.readouterr()


def test_time_limit_says_its_cap(capsys):
    line = err_of(capsys, ["metrics", "classroom", "--time-limit-us", str(10 ** 16)])
    assert "error: --time-limit-us: " in line and "allowed: 1..1000000000000000" in line, line


@pytest.mark.parametrize("argv, flag", [
    (["check", "completion-storm", "--max-states", "0"], "--max-states"),
    (["check", "completion-storm", "--max-seconds", "0"], "--max-seconds"),
    (["check", "completion-storm", "--ios", "7"], "--ios"),
    (["check", "completion-storm", "--property", "x"], "--property"),
    (["run", "completion-storm", "--max-steps", "0"], "--max-steps"),
    (["run", "completion-storm", "--fail-io", "9"], "--fail-io"),
    (["run", "completion-storm", "--design", "x"], "--design"),
    (["metrics", "classroom", "--cpus", "0"], "--cpus"),
    (["metrics", "classroom", "--ios", "0"], "--ios"),
    (["mutants", "--ios", "0"], "--ios"),
    (["mutants", "--max-states", "0"], "--max-states"),
    (["timeline", "classroom", "--out", "x.png", "--dpi", "1"], "--dpi"),
])
def test_messages_name_the_flag_and_nothing_the_command_line_cannot_give(argv, flag, capsys):
    line = err_of(capsys, argv)
    assert f"error: {flag}: " in line, line
    assert "_" not in line.split("error: ")[1].split(":")[0]
    assert "or none" not in line, line
