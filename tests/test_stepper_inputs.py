"""The stepper's public methods take anything and answer with one clear ValueError, and the view shows what
the model runs (issue 14, item 7)."""

import json

import pytest

from ext4io_teach import run
from ext4io_teach.sched import MAX_IOS
from ext4io_teach.widgets import StepperController


def ctrl():
    return StepperController("truncate-vs-dio", "new", 1)


@pytest.mark.parametrize("text", [5, None, 1.5, ["0", "1"], b"0,1", {"schedule": [0]}])
def test_load_of_something_that_is_not_text(text):
    c = ctrl()
    with pytest.raises(ValueError, match=r"^schedule: .*allowed: "):
        c.load(text)
    assert c.schedule == []


def test_load_of_deeply_nested_json():
    c = ctrl()
    text = '{"schedule": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(ValueError, match=r"^schedule: .*allowed: "):
        c.load(text)


@pytest.mark.parametrize("value", ["no", "yes", 1, 0, None, "false", [True]])
def test_load_json_split_rmw_must_be_a_bool(value):
    res = run("truncate-vs-dio", "new", 1)
    data = dict(res.as_json(), split_rmw=value)
    c = ctrl()
    with pytest.raises(ValueError, match=r"^split_rmw: .*allowed: true or false"):
        c.load(json.dumps(data))
    assert c.inputs["split_rmw"] is False


@pytest.mark.parametrize("key, value", [("ios", "2"), ("ios", 2.0), ("design", 5), ("scenario", None),
                                        ("fail_io", "0"), ("ios", 10 ** 400)])
def test_load_json_inputs_are_validated(key, value):
    res = run("truncate-vs-dio", "new", 1)
    data = dict(res.as_json(), **{key: value})
    c = ctrl()
    with pytest.raises(ValueError, match=rf"^{key}: "):
        c.load(json.dumps(data))


def test_load_json_keeps_a_true_split_rmw():
    res = run("fsync-vs-worker", "old", 1, split_rmw=True)
    c = ctrl()
    c.load(json.dumps(res.as_json()))
    assert c.inputs["split_rmw"] is True and c.schedule == res.schedule


@pytest.mark.parametrize("method, args", [("step", ("0",)), ("step", (99,)), ("step", (10 ** 5000,)),
                                          ("configure", ("nope", "new", 1)),
                                          ("configure", ("truncate-vs-dio", "new", "2")),
                                          ("configure", ("truncate-vs-dio", "new", 2, {"split_rmw": "yes"})),
                                          ("set_challenge", (5,)), ("set_challenge", ("win",)),
                                          ("program", (7,)), ("program", ("0",)), ("stage_of", (-9,)),
                                          ("stage_of", (-1,))])
def test_public_methods_raise_value_errors(method, args):
    c = ctrl()
    kw = args[-1] if isinstance(args[-1], dict) else {}
    with pytest.raises(ValueError) as e:
        getattr(c, method)(*args[:len(args) - bool(kw)], **kw)
    assert ": " in str(e.value) and "allowed" in str(e.value) and len(str(e.value).split("; allowed")[0]) < 200


def test_from_query_box_shows_the_n_the_model_runs():
    from ext4io_teach.widgets import Stepper

    s = Stepper.from_query(f"ios={MAX_IOS}")
    assert s.ctrl.inputs["ios"] == MAX_IOS and s.ios_in.value == MAX_IOS and s.errors == []
    s.ctrl.configure("completion-storm", "new", 12)
    s.refresh()
    assert s.ios_in.value == 12
    s = Stepper.from_query(f"ios={MAX_IOS + 1}")
    assert s.ctrl.inputs["ios"] == s.ios_in.value and "ios" in s.errors[0]


def test_from_query_split_rmw_word_that_is_not_a_bool_is_an_error():
    from ext4io_teach.widgets import Stepper

    s = Stepper.from_query("split_rmw=maybe")
    assert s.ctrl.inputs["split_rmw"] is False and "split_rmw" in s.errors[0]
    assert Stepper.from_query("split_rmw=no").ctrl.inputs["split_rmw"] is False
    assert Stepper.from_query("split_rmw=1").ctrl.inputs["split_rmw"] is True


@pytest.mark.parametrize("value", ["%C2%B2", "%E2%91%A0", "9" * 50])
def test_from_query_number_that_is_no_ascii_whole_number_is_named(value):
    """'²' passes str.isdigit but not int(): the page says which parameter is wrong, in our words."""
    from ext4io_teach.widgets import Stepper

    s = Stepper.from_query(f"ios={value}")
    assert "ios:" in s.errors[0] and "is not a whole number" in s.errors[0] and "invalid literal" not in s.errors[0]
