"""Each design lists only the steps it can take (``Design.listing``), and none it can take is missing."""

import ast
import inspect
import random
import textwrap

import pytest

from ext4io_teach.designs import design_names, get_design
from ext4io_teach.errors import InvariantViolation
from ext4io_teach.scenarios import scenario_names
from ext4io_teach.sched import Run
from ext4io_teach.widgets.program import task_program


def pcs(design: str, roles=None) -> set[str]:
    return {spec.pc for spec in get_design(design).listing(roles)}


def test_only_the_old_designs_clear_unwritten_in_ext4_end_io():
    assert "eio.clear" in pcs("old") and "eio.clear" in pcs("old-blocking")
    assert "eio.clear" not in pcs("new") and "eio.clear" not in pcs("c278531d")


def test_the_readers_lock_steps_belong_to_the_designs_whose_reader_takes_i_mutex():
    """v3.6's nolock read takes i_mutex around its flush; 28a535f9's does not; c278531d's (the released
    v3.7) takes it again, and only while i_unwritten is non-zero."""
    reader_lock = {"rd.lock", "rd.call", "rd.unlock"}
    assert reader_lock <= pcs("old")
    assert not reader_lock & pcs("new")
    assert reader_lock <= pcs("c278531d")


def test_each_design_lists_its_own_flush_and_worker():
    assert "uw.wait" in pcs("c278531d") and "uw.wait" not in pcs("new")
    assert {"A.splice", "C.own_free", "D.free"} <= pcs("new")
    assert "A.splice" not in pcs("old")
    assert {"of.pop", "ow.check"} <= pcs("old") and not {"of.pop", "ow.check"} & pcs("new")
    assert {"ob.mutex", "ob.check"} <= pcs("old-blocking") and not {"ob.mutex", "ob.check"} & pcs("old")
    assert {"mx.retry", "rmw.store"} <= pcs("new")  # truncate and fsync may wait on i_mutex; --split-rmw


def test_a_roles_listing_is_what_that_role_reaches():
    assert "mx.retry" not in pcs("new", ("worker",))  # the new worker never touches i_mutex
    assert "mx.retry" in pcs("old-blocking", ("worker",))  # the old-blocking worker sleeps in mutex_lock
    assert {"add.lock", "add.test", "add.queue", "add.add", "add.unlock"} == {
        pc for pc in pcs("new", ("dio",)) if pc.startswith("add.")}
    segments = [b.segment for b in task_program(get_design("new"), "worker")]
    assert "mx" not in segments and "rd" not in segments
    assert "mx" in [b.segment for b in task_program(get_design("old-blocking"), "worker")]


def test_a_variant_lists_the_steps_it_adds():
    assert "add.flag" in pcs("queue-before-flag") and "add.flag" not in pcs("new")


@pytest.mark.parametrize("design", design_names())
def test_every_step_a_run_takes_is_listed(design):
    """Seeded random runs of every scenario (N = 2, with and without --split-rmw, a failing conversion
    where the scenario has one): every program counter a task steps from is in the design's listing."""
    listed = pcs(design)
    seen = set()
    for scenario in scenario_names():
        for split in (False, True):
            for seed in range(12):
                r = Run(scenario, design, 2, split_rmw=split, keep_trace=False)
                rng = random.Random(seed)
                for _ in range(400):
                    if r.outcome() is not None:
                        break
                    tid = rng.choice(r.runnable())
                    seen.add(r.world.tasks[tid].pc)
                    try:
                        r.step(tid)
                    except InvariantViolation:  # a broken variant's violation ends the run
                        break
    assert seen - listed == set()


# ------------------------------------------------------------------ the declared next pcs and the code
def _named_in_source(design, fn, seen: set) -> set[str]:
    """Every pc of ``design.table`` the source of ``fn`` names (a string, or a class constant through
    ``self``), following the methods it calls through ``self`` and ``super()``; decorators left out."""
    if fn in seen:
        return set()
    seen.add(fn)
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    tree.body[0].decorator_list = []
    out, cls = set(), type(design)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value in design.table:
            out.add(node.value)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            value = getattr(design, node.attr, None)
            if isinstance(value, str) and value in design.table:
                out.add(value)
            helper = getattr(cls, node.attr, None)
            if inspect.isfunction(helper):
                out |= _named_in_source(design, helper, seen)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call) \
                and getattr(node.value.func, "id", "") == "super":
            for k in cls.__mro__:
                other = vars(k).get(node.attr)
                if inspect.isfunction(other):
                    out |= _named_in_source(design, other, seen)
    return out


def _declared(design, spec) -> set[str]:
    """The pcs ``spec.next`` names, every condition taken as true."""
    out = set()
    for entry in spec.next:
        target = entry.partition(" if ")[0]
        out.add(getattr(design, target) if target.isupper() else target)
    return out


@pytest.mark.parametrize("design", design_names() + ["timed:new", "timed:old"])
def test_every_step_declares_each_pc_its_code_names(design):
    """``@step(..., next=...)`` is what the listings read (``designs/reach.py``); this test reads the
    code the way the listings once did, so a step that gains a target without declaring it fails."""
    if design.startswith("timed:"):
        from ext4io_teach.timed.roles import timed_design

        d = timed_design(design[6:])
    else:
        d = get_design(design)
    assert not [pc for pc, (spec, _) in d.table.items() if spec.next is None]  # every step declares
    missing = {}
    for pc, (spec, method) in d.table.items():
        named = _named_in_source(d, method.__func__, set()) - {pc}
        if named - _declared(d, spec):
            missing[pc] = sorted(named - _declared(d, spec))
    assert not missing


def test_a_next_entry_tests_only_the_designs_switches():
    from ext4io_teach.designs.reach import resolve

    d = get_design("new")
    assert resolve(d, "FLUSH_ENTRY") == "A.lock" and resolve(get_design("old"), "FLUSH_ENTRY") == "of.lock"
    assert resolve(d, "eio.clear if END_IO_CLEARS_UNWRITTEN") is None
    assert resolve(d, "eio.aio if not END_IO_CLEARS_UNWRITTEN") == "eio.aio"
    with pytest.raises(ValueError, match="NO_SUCH_SWITCH"):
        resolve(d, "eio.aio if NO_SUCH_SWITCH", "eio.convert")


def test_a_step_that_declares_nothing_hides_nothing():
    """A variant written in a notebook may leave ``next`` out: its step may then go anywhere, so the
    listing keeps every pc rather than hiding one the step does reach."""
    from ext4io_teach.designs.new import NewDesign
    from ext4io_teach.designs.table import step

    class Undeclared(NewDesign):
        name = "undeclared-test"

        @step("add.test", "add_complete_io", "a student's add.test")
        def add_test(self, w, t):
            return super().add_test(w, t)

    d = Undeclared()
    assert {"add.queue", "add.add", "eio.clear"} <= d.reachable(("dio",))
