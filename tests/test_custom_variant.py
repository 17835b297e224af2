"""Your own variant in a notebook cell: ``design_class``, ``register_variant`` and what they refuse."""

from __future__ import annotations

import pytest

import ext4io_teach as e4
from ext4io_teach.cli import main
from ext4io_teach.designs import custom
from ext4io_teach.explore import explore
from ext4io_teach.invariants import CONSEQUENCES
from ext4io_teach.sched import Run
from ext4io_teach.widgets import StepperController

NEW = e4.design_class("new")


@pytest.fixture(autouse=True)
def forget_variants():
    yield
    for name in list(custom.USER):
        e4.unregister_variant(name)


def queue_when_nonempty(name="queue-when-nonempty"):
    """Notebook 04's variant: ext4_add_complete_io queues work when the list was *non*-empty."""
    class QueueWhenNonEmpty(NEW):
        def add_test(self, w, t):
            if w.inode.completed:  # the kernel: if the list is empty
                return self.mark_queued(w, t, "list not empty: set QUEUED on")
            return self.add_only(w, t, "list empty (no work queued)")
    QueueWhenNonEmpty.name = name
    return QueueWhenNonEmpty


def test_a_cell_defined_variant_is_checked_by_the_explorer():
    cls = e4.register_variant(queue_when_nonempty())
    assert "queue-when-nonempty" in e4.design_names() and e4.get_design("queue-when-nonempty").__class__ is cls
    rule = explore("completion-storm", "queue-when-nonempty", 1, property="liveness", progress=False)
    assert rule.violation["invariant"] == "nonempty-list-has-worker"
    lost = explore("completion-storm", "queue-when-nonempty", 1, property="liveness", checks=CONSEQUENCES,
                   progress=False)
    assert lost.verdict == "violation" and lost.violation["invariant"] == "nothing-lost"
    # two io_ends hide it: the second completion finds the list non-empty and queues work that drains both
    assert explore("completion-storm", "queue-when-nonempty", 2, property="liveness", checks=CONSEQUENCES,
                   progress=False).verdict == "ok"
    hang = explore("truncate-vs-dio", "queue-when-nonempty", 1, property="liveness", checks=CONSEQUENCES,
                   progress=False)
    assert hang.verdict == "deadlock"
    assert explore("completion-storm", "new", 1, property="liveness", progress=False).verdict == "ok"


def test_run_the_stepper_and_the_check_command_take_it(capsys):
    e4.register_variant(queue_when_nonempty())
    res = e4.run("completion-storm", "queue-when-nonempty", 1, checks=CONSEQUENCES)
    assert res.outcome == "violation" and res.violation.invariant == "nothing-lost"
    r = Run("completion-storm", "queue-when-nonempty", 1)
    r.step(0)
    assert "queue-when-nonempty" in str(r)
    ctrl = StepperController("truncate-vs-dio", "queue-when-nonempty", 1)
    ctrl.step(0)
    assert ctrl.inputs["design"] == "queue-when-nonempty" and ctrl.schedule == [0]
    assert main(["check", "completion-storm", "--design", "queue-when-nonempty", "--ios", "1"]) == 1
    assert "nonempty-list-has-worker" in capsys.readouterr().out


def test_variant_without_source_registers_too():
    """A class made by exec (no file inspect can read) is checked by the runs alone."""
    ns = {"NEW": NEW}
    exec("class Quiet(NEW):\n    name = 'exec-variant'\n    def add_unlock(self, w, t):\n"
         "        w.spin_unlock(t)\n        t.pc = 'dio.next'\n        return 'spin_unlock', 'unlock', t.io\n", ns)
    e4.register_variant(ns["Quiet"])
    assert e4.run("completion-storm", "exec-variant", 2).outcome == "completed"


def test_rerunning_the_cell_replaces_and_another_class_needs_replace():
    first = e4.register_variant(queue_when_nonempty())
    again = e4.register_variant(queue_when_nonempty())  # the same cell run again: same qualname, replaced
    assert again is not first and e4.get_design("queue-when-nonempty").__class__ is again

    class Other(NEW):
        name = "queue-when-nonempty"
    with pytest.raises(ValueError, match="taken by your variant class QueueWhenNonEmpty.*replace=True"):
        e4.register_variant(Other)
    assert e4.register_variant(Other, replace=True) is Other
    e4.unregister_variant("queue-when-nonempty")
    assert "queue-when-nonempty" not in e4.design_names()


class NoName(NEW):
    def add_test(self, w, t):
        return super().add_test(w, t)


class Misspelt(NEW):
    name = "misspelt"

    def add_tset(self, w, t):
        return super().add_test(w, t)


class BadSwitch(NEW):
    name = "bad-switch"
    FLUSH_WAITS_UNWRITEN = True


class BadParams(NEW):
    name = "bad-params"

    def add_test(self, w):
        return None


class BadPc(NEW):
    name = "bad-pc"

    def add_queue(self, w, t):
        w.queue_work(t, t.io)
        t.pc = "add.ad"
        return "queue_work", "queue_work", t.io


class HiddenBadPc(NEW):
    name = "hidden-bad-pc"

    def add_queue(self, w, t):
        w.queue_work(t, t.io)
        t.pc = f"add.{'ad'}"
        return "queue_work", "queue_work", t.io


class BadReturn(NEW):
    name = "bad-return"

    def add_queue(self, w, t):
        w.queue_work(t, t.io)
        t.pc = "add.add"


class BadKind(NEW):
    name = "bad-kind"

    def add_queue(self, w, t):
        w.queue_work(t, t.io)
        t.pc = "add.add"
        return "queue", "queue_work", t.io


class Taken(NEW):
    name = "old"


class BadName(NEW):
    name = "Queue When Nonempty"


@pytest.mark.parametrize("cls, param, match", [
    (42, "design", "42 is not a design class"),
    (dict, "design", "is not a design class"),
    (NEW, "design", "one of the package's own classes"),
    (NoName, "name", "NoName has no name of its own .*'new'"),
    (BadName, "name", "is not a design name"),
    (Taken, "name", "'old' is taken by one of the package's designs"),
    (Misspelt, "design", r"Misspelt.add_tset is no step method of new \(did you mean add_test\?\)"),
    (BadSwitch, "design", r"FLUSH_WAITS_UNWRITEN is no behaviour switch of new \(did you mean FLUSH_WAITS_UNWRITTEN"),
    (BadParams, "design", r"BadParams.add_test \(step add.test\) takes \(self, w\)"),
    (BadPc, "design", r"names the pc 'add.ad', which is no step of the table \(did you mean add.add\?\)"),
    (HiddenBadPc, "design", "hidden-bad-pc: a run of .* crashed: KeyError: 'add.ad'"),
    (BadReturn, "design", "bad-return: a run of .* crashed: TypeError"),
    (BadKind, "design", "bad-kind: in a run of .* returned kind 'queue'"),
])
def test_refused_with_one_clear_line(cls, param, match):
    with pytest.raises(ValueError, match=match) as err:
        e4.register_variant(cls)
    assert str(err.value).startswith(param) and "\n" not in str(err.value)
    name = getattr(cls, "name", None)
    if name not in ("new", "old", None) and isinstance(cls, type):
        assert name not in e4.design_names()  # a refused class leaves nothing behind


def test_replace_must_be_a_bool_and_unregister_only_yours():
    with pytest.raises(ValueError, match="replace"):
        e4.register_variant(queue_when_nonempty(), replace="yes")
    with pytest.raises(ValueError, match="'new' is no variant of yours"):
        e4.unregister_variant("new")


def test_the_stepper_widget_offers_it():
    pytest.importorskip("ipywidgets")
    from ext4io_teach.widgets.stepper import Stepper

    e4.register_variant(queue_when_nonempty())
    s = Stepper("truncate-vs-dio", "queue-when-nonempty", 1)
    assert "queue-when-nonempty" in s.design_dd.options and s.ctrl.inputs["design"] == "queue-when-nonempty"
    s.ctrl.step(0)
    assert s.ctrl.schedule == [0] and not s.errors


class UndeclaredNext(NEW):
    name = "undeclared-next"

    def add_unlock(self, w, t):
        w.spin_unlock(t)
        t.pc = "add.queue"
        return "spin_unlock", "spin_unlock", t.io


def test_a_step_that_goes_where_its_declaration_does_not_say():
    """Where steps declare their next pcs (``@step(..., next=...)``), an override must keep to them."""
    from dataclasses import fields

    from ext4io_teach.designs import base

    spec_cls = getattr(base, "StepSpec", None) or __import__("ext4io_teach.designs.table", fromlist=["x"]).StepSpec
    if "next" not in {f.name for f in fields(spec_cls)}:
        pytest.skip("steps do not declare their next pcs in this version")
    with pytest.raises(ValueError, match=r"UndeclaredNext.add_unlock goes to 'add.queue', which step add.unlock "
                                         r"does not declare .*also_next"):
        e4.register_variant(UndeclaredNext)
