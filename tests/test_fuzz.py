"""Fuzz every subcommand and the public API with malformed and extreme input (issue 14, "Must show").

* CLI: every option of every subcommand (found in the parser, so a new command or flag is covered) gets
  malformed values chosen by its type; each must exit 2 with one line on stderr that names the flag (or
  SCENARIO) and no traceback. Every registered scenario, timed workload, design and property is run once
  as valid input: never a traceback, an exit code of 0, 1 or 3.
* API: every parameter of the public functions and stepper methods gets odd values (None, wrong types,
  huge and negative numbers, NaN, unhashable things, '²'); a call either works or raises ValueError or
  TypeError whose message starts with that parameter's name.

Registries, not lists: scenarios, designs, workloads, properties, challenges, exercises and subcommands
added later are picked up. In-process (``cli.main``), a traceback is an exception escaping the call.
"""

from __future__ import annotations

import argparse
import io
import math
import sys

import pytest

from ext4io_teach import cli
from ext4io_teach import exercises as ex
from ext4io_teach.designs import design_names
from ext4io_teach.explore import PROPERTIES, applicable_properties, can_complete, explore
from ext4io_teach.scenarios import scenario_names
from ext4io_teach.sched import Run, build_world, parse_schedule, run
from ext4io_teach.timed import run_timed
from ext4io_teach.timed.workload import make_workload, workload_names
from ext4io_teach.widgets import StepperController
from ext4io_teach.widgets.challenges import CHALLENGES

HUGE = "9" * 5000
# malformed values by the kind of option: each must be refused (exit 2)
BAD_INT = ["abc", "", "1.5", "²", "①", HUGE, "9" * 30, "-" + "9" * 30, "0x10", "1e3"]
BAD_FLOAT = ["abc", "", "nan", "-1", "0", "²", "-inf"]
BAD_NAME = ["", "nope", "²", "x" * 300, "NEW", "new ", "\t"]
BAD_VALUES = {"--schedule": ["²", "a", "0,x", HUGE, "-1", "0;1", "1" * 7], "--policy": ["", "fifo", "RANDOM"],
              "--out": ["", "x.txt", "/proc/x.png", "/nonexistent/x.png", "a" * 300 + ".png", "{tmp}"],
              "--csv": ["/proc/x.csv", "/nonexistent/t.csv", "b" * 300 + ".csv", "{tmp}"],
              "--dpi": ["0", "29", "601", *BAD_INT]}
# a flag whose values mean something else in one command: problemset's --out is a directory, not a PNG
BAD_VALUES_OF = {("problemset", "--out"): ["", "/proc/x", "/dev/null", "/etc/passwd"]}


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def invoke(argv, capsys) -> tuple[int, str, str]:
    sys.stdin = io.StringIO("")  # a command that reads keys from stdin meets the end of its input at once
    try:
        code = cli.main(argv)
    except SystemExit as e:  # argparse
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def baseline(command: str, sub: argparse.ArgumentParser, tmp_path, capsys) -> list[str]:
    """A cheap valid command line: the positional from whichever registry the command accepts, the
    smallest N, no progress bar, required options filled in."""
    opts = {o for a in sub._actions for o in a.option_strings}
    extra = (["--ios", "2"] if "--ios" in opts else []) + (["--no-progress"] if "--no-progress" in opts else [])
    extra += ["--out", str(tmp_path / "t.png")] if "--out" in opts else []
    extra += ["--seeds", "1"] if "--seeds" in opts else []
    if not any(not a.option_strings and a.dest != "help" for a in sub._actions):
        return [command, *extra]
    for name in scenario_names() + workload_names() + ["06"]:  # 06: a seeded exercise notebook (problemset)
        argv = [command, name, *extra]
        if invoke(argv, capsys)[0] != 2:
            return argv
    raise AssertionError(f"no registered scenario (or notebook) is valid input for {command}")


def bad_values(action, command: str = "") -> list[str]:
    flag = action.option_strings[-1] if action.option_strings else "SCENARIO"
    if (command, flag) in BAD_VALUES_OF:
        return BAD_VALUES_OF[command, flag]
    if flag in BAD_VALUES:
        return BAD_VALUES[flag]
    if action.type is int:
        return BAD_INT
    if action.type is float:
        return BAD_FLOAT
    return BAD_NAME


def with_value(argv: list[str], action, value: str) -> list[str]:
    if not action.option_strings:  # the positional: replace it
        return [argv[0], value, *argv[2:]]
    flag = action.option_strings[-1]
    out = list(argv)
    if flag in out:
        i = out.index(flag)
        return out[:i] + out[i + 2:] + [flag, value]
    return out + [flag, value]


@pytest.mark.parametrize("command", list(subcommands()))
def test_cli_malformed_input_is_one_line_naming_the_flag(command, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sub = subcommands()[command]
    base = baseline(command, sub, tmp_path, capsys)
    assert invoke(base, capsys)[0] in (0, 1, 3), base
    cases = 0
    for action in sub._actions:
        if action.dest == "help" or action.nargs == 0:
            continue
        name = action.option_strings[-1] if action.option_strings else action.dest  # scenario, notebook
        for value in bad_values(action, command):
            argv = with_value(base, action, value.replace("{tmp}", str(tmp_path)))
            code, out, err = invoke(argv, capsys)
            lines = err.strip().splitlines()
            assert code == 2, (argv[:8], code, err[-300:])
            assert len(lines) == 1 and name in lines[0] and "Traceback" not in err, (argv[:8], err[-500:])
            assert len(lines[0].split("; allowed: ")[0]) < 300, lines[0][:300]  # the value is cut short
            cases += 1
    assert cases or command == "scenarios"


def timed_designs() -> list[str]:
    """The designs a timed run accepts (a design may be refused, with a reason, by ``run_timed``)."""
    out = []
    for d in design_names():
        try:
            run_timed(make_workload(workload_names()[0], 2), d, progress=False)
        except ValueError as e:
            assert str(e).startswith("design: "), e
            continue
        out.append(d)
    return out


VALID_RUNS = ([["run", s, "--design", d, "--ios", "1"] for s in scenario_names() for d in design_names()]
              + [["check", s, "--design", d, "--ios", "1", "--property", p, "--no-progress"]
                 for s in scenario_names() for d in design_names() for p in applicable_properties(s)]
              + [["metrics", w, "--design", d, "--ios", "2", "--no-progress"]
                 for w in workload_names() for d in timed_designs()])


def test_cli_valid_input_never_prints_a_traceback(capsys):
    assert len(VALID_RUNS) >= 300
    for argv in VALID_RUNS:
        code, out, err = invoke(argv, capsys)
        assert code in (0, 1, 3) and "Traceback" not in err and out, (argv, code, err[-500:])
    for argv in (["scenarios"], ["scenarios", "--json"], ["mutants", "--ios", "1", "--json"]):
        assert invoke(argv, capsys)[0] in (0, 1, 3)


# ------------------------------------------------------------------------------------------ the API
class Unhashable(list):
    pass


ODD = [None, "x", "", "²", -1, 0, 10 ** 30, 10 ** 5000, 1.5, math.nan, math.inf, True, [], [None], Unhashable([1]),
       {}, {"a": 1}, object(), b"0", (1,), {1, 2}]
S, W = scenario_names()[0], workload_names()[0]
EX_SEEDED = next(k for k, e in ex.REGISTRY.items() if e.seeded)


def _stepper(**kw):
    return StepperController(S, "new", 1, **kw)


API = [  # (name, callable, valid keyword arguments, {parameter: names its message may start with})
    ("run", run, {"scenario": S, "design": "new", "ios": 1},
     dict.fromkeys(["scenario", "design", "ios", "schedule", "policy", "seed", "max_steps", "split_rmw", "fail_io",
                    "checks", "properties", "workers"])),
    ("explore", explore, {"scenario": S, "design": "new", "ios": 1, "progress": False},
     dict.fromkeys(["scenario", "design", "ios", "property", "split_rmw", "fail_io", "prefix", "checks",
                    "max_states", "max_seconds", "progress", "workers"])),
    ("can_complete", can_complete, {"scenario": "truncate-vs-dio", "design": "new", "ios": 1},
     dict.fromkeys(["scenario", "design", "ios", "prefix", "task", "split_rmw", "fail_io", "checks", "max_states",
                    "max_seconds", "workers"])),
    ("build_world", build_world, {"scenario": S, "design": "new", "ios": 1},
     dict.fromkeys(["scenario", "design", "ios", "split_rmw", "fail_io", "checks", "properties", "workers"])),
    ("Run", Run, {"scenario": S, "design": "new", "ios": 1},
     dict.fromkeys(["scenario", "design", "ios", "split_rmw", "fail_io", "checks", "properties", "workers"])),
    ("parse_schedule", parse_schedule, {"text": "0"}, {"text": ("schedule",)}),
    ("make_workload", make_workload, {"name": W, "ios": 2}, {"name": ("scenario",), "ios": None}),
    ("run_timed", run_timed, {"workload": make_workload(W, 2), "design": "new", "progress": False},
     dict.fromkeys(["workload", "design", "cpus", "seed", "costs", "time_limit_us", "progress"])),
    ("ex.check", ex.check, {"key": "02-requeues", "answer": ex.answer_for("02-requeues")}, {"key": ("exercise",)}),
    ("ex.reveal", ex.reveal, {"key": "02-requeues"}, {"key": ("exercise",), "max_steps": None}),
    ("ex.problem", ex.problem, {"key": EX_SEEDED, "seed": 1}, {"key": ("exercise",), "seed": None}),
    ("StepperController", StepperController, {"scenario": S, "design": "new", "ios": 1},
     dict.fromkeys(["scenario", "design", "ios", "split_rmw", "fail_io", "challenge", "workers"])),
    ("StepperController.load", lambda **kw: _stepper().load(**kw), {"text": "0"}, {"text": ("schedule",)}),
    ("StepperController.step", lambda **kw: _stepper().step(**kw), {"tid": 0}, {"tid": ("schedule",)}),
    ("StepperController.program", lambda **kw: _stepper().program(**kw), {"tid": 0}, {"tid": None}),
    ("StepperController.configure", lambda **kw: _stepper().configure(**kw), {"scenario": S, "design": "new",
                                                                             "ios": 1},
     dict.fromkeys(["scenario", "design", "ios", "split_rmw", "fail_io", "workers"])),
    ("StepperController.set_challenge", lambda **kw: _stepper().set_challenge(**kw),
     {"name": next(iter(CHALLENGES))}, {"name": ("challenge",)}),
]


@pytest.mark.parametrize("name, func, base, params", API, ids=[a[0] for a in API])
def test_api_raises_only_value_or_type_errors_naming_the_parameter(name, func, base, params, capsys):
    func(**base)  # the baseline is valid
    for param, aliases in params.items():
        names = (param, *(aliases or ()))
        for value in ODD:
            try:
                func(**{**base, param: value})
            except (ValueError, TypeError) as e:
                msg = str(e)
                assert msg.split(":")[0] in names, (name, param, value if not isinstance(value, int) else "int", msg)
                assert "\n" not in msg and len(msg.split("; allowed: ")[0]) < 300, msg[:300]
            except ex.CheckFailed:  # an exercise's answer was checked (and judged): not an input error
                pass
    capsys.readouterr()


def test_fuzz_covers_the_registries():
    assert {p for s in scenario_names() for p in applicable_properties(s)} == set(PROPERTIES)
    assert len(ODD) * sum(len(p) for *_, p in API) >= 500
