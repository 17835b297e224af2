"""Schedules and check names wherever they are given (issue 14, items 5 and 6): one clear ValueError naming
the parameter, never Python's own int() message, never a silent "ok"."""

import json

import pytest

from ext4io_teach import cli, parse_schedule, run
from ext4io_teach.explore import can_complete, explore
from ext4io_teach.invariants import REGISTRY
from ext4io_teach.sched import Run, build_world
from ext4io_teach.widgets import StepperController

NOT_IDS = ["²", "①", "٣", "1" * 5000, "-1", "1.5", "0x1", "+1", "１"]


@pytest.mark.parametrize("text", NOT_IDS)
def test_parse_schedule_refuses_what_is_not_a_task_id(text):
    with pytest.raises(ValueError) as e:
        parse_schedule(f"0,{text}")
    msg = str(e.value)
    assert msg.startswith("schedule: ") and "is not a task id; allowed: " in msg
    assert "invalid literal" not in msg and "Exceeds the limit" not in msg and len(msg) < 300


@pytest.mark.parametrize("text", ["²", "①", "1" * 5000])
def test_cli_schedule_says_what_is_wrong(text, capsys):
    assert cli.main(["run", "truncate-vs-dio", "--schedule", text]) == 2
    err = capsys.readouterr().err
    assert "error: --schedule: " in err and "is not a task id; allowed: " in err and len(err) < 300, err


@pytest.mark.parametrize("schedule", [[0, "²"], [0, 10 ** 5000], [0, 1.0], [True], 5, {0: 1}, [[0]], [None]])
def test_run_schedule_of_other_shapes(schedule):
    with pytest.raises(ValueError) as e:
        run("truncate-vs-dio", "new", 2, schedule=schedule)
    msg = str(e.value)
    assert msg.startswith("schedule: ") and "allowed: " in msg and len(msg) < 300, msg


@pytest.mark.parametrize("prefix", ["²", [0, "²"], [0, 10 ** 5000], [0.5], 3, [None]])
def test_explore_and_can_complete_prefix(prefix):
    for call in (lambda: explore("truncate-vs-dio", "new", 1, prefix=prefix, progress=False),
                 lambda: can_complete("truncate-vs-dio", "new", 1, prefix)):
        with pytest.raises(ValueError) as e:
            call()
        msg = str(e.value)
        assert msg.startswith("prefix: ") and "allowed: " in msg and len(msg) < 300, msg


def test_run_step_with_a_huge_task_id_is_a_clear_error():
    r = Run("truncate-vs-dio", "new", 1)
    with pytest.raises(ValueError) as e:
        r.step(10 ** 5000)
    assert str(e.value).startswith("schedule: step 0 names task ") and len(str(e.value)) < 400


@pytest.mark.parametrize("text", ["²", "①", "1" * 5000, '{"schedule": [' + "1" * 5000 + "]}",
                                  '{"schedule": ["²"]}'])
def test_stepper_load_box(text):
    c = StepperController("truncate-vs-dio", "new", 1)
    with pytest.raises(ValueError) as e:
        c.load(text)
    msg = str(e.value)
    assert msg.startswith("schedule: ") and "allowed: " in msg and len(msg) < 300, msg


# ------------------------------------------------------------------------------------------ item 6
@pytest.mark.parametrize("checks, word", [(["freed_once"], "freed_once"), ("freed-once", "a set of invariant names"),
                                          ([1], "1"), (5, "5"), (["freed-once", None], "None")])
def test_explore_checks_are_validated(checks, word):
    with pytest.raises(ValueError) as e:
        explore("fsync-vs-worker", "new", 1, checks=checks, progress=False)
    msg = str(e.value)
    assert msg.startswith("checks: ") and word in msg and "allowed: " in msg


def test_checks_are_validated_everywhere_a_world_is_built():
    for call in (lambda: build_world("fsync-vs-worker", "new", 1, checks=["freed_once"]),
                 lambda: run("fsync-vs-worker", "new", 1, checks=["freed_once"]),
                 lambda: Run("fsync-vs-worker", "new", 1, checks="freed-once"),
                 lambda: can_complete("truncate-vs-dio", "new", 1, checks=["nope"])):
        with pytest.raises(ValueError, match="^checks: "):
            call()


def test_valid_checks_still_work_and_an_empty_set_checks_nothing():
    res = explore("fsync-vs-worker", "new", 1, checks=["freed-once"], progress=False)
    assert res.verdict == "ok" and res.checks == frozenset({"freed-once"})
    assert explore("fsync-vs-worker", "new", 1, checks=frozenset(), progress=False).verdict == "ok"


def test_properties_message_lists_the_properties_not_every_invariant():
    with pytest.raises(ValueError) as e:
        build_world("fsync-vs-worker", "new", 1, properties=("x",))
    allowed = str(e.value).split("allowed: ")[1]
    props = [n for n, i in REGISTRY.items() if i.kind == "property"]
    assert allowed.split(", ") == props
    with pytest.raises(ValueError, match="^properties: "):
        build_world("fsync-vs-worker", "new", 1, properties="fsync-durable")  # a string, not a collection


def test_json_schedule_as_in_the_cli_output_still_loads():
    res = run("truncate-vs-dio", "new", 1)
    c = StepperController("truncate-vs-dio", "new", 1)
    c.load(json.dumps(res.as_json()))
    assert c.schedule == res.schedule
