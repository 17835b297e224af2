"""The broken variants: each caught by a consequence (or a hang) at its stated N and not before; the
equivalent ones come out ok; random schedules find (a), (b) and (d); every counterexample replays."""

import pytest

from ext4io_teach import Run, cli, run
from ext4io_teach.designs import get_design
from ext4io_teach.designs.mutants import VARIANTS
from ext4io_teach.designs.new import NewDesign
from ext4io_teach.errors import InvariantViolation
from ext4io_teach.explore import explore
from ext4io_teach.invariants import CONSEQUENCES, REGISTRY

REAL = [n for n, c in VARIANTS.items() if not c.equivalent]
EQUIVALENT = [n for n, c in VARIANTS.items() if c.equivalent]


def check(name, ios, scenario=None):
    cls = VARIANTS[name]
    return explore(scenario or cls.scenario, name, ios, property="liveness", checks=CONSEQUENCES, progress=False)


def test_gallery_has_what_the_issue_asks_for():
    for must in ("worker-frees-unwritten", "flusher-frees-queued", "stage-c-unlocked", "free-without-unlink"):
        assert must in REAL
    assert len(REAL) >= 8
    assert sum(1 for n in REAL if VARIANTS[n].smallest_n >= 2) >= 2
    assert EQUIVALENT
    for name, cls in VARIANTS.items():
        assert issubclass(cls, NewDesign) and cls.account and cls.change
        get_design(name)  # a design name like any other
        changed = [pc for pc, spec in cls._pcs.items() if spec.method in vars(cls)]
        assert 1 <= len(changed) <= 2, f"{name} changes {changed}"


@pytest.mark.parametrize("name", REAL)
def test_real_variant_caught_at_its_n_and_not_before(name):
    cls = VARIANTS[name]
    res = check(name, cls.smallest_n)
    assert res.verdict in ("violation", "deadlock", "livelock"), res.explain()
    assert res.violation["invariant"] == cls.expect
    if res.verdict == "violation":
        assert REGISTRY[res.violation["invariant"]].kind == "consequence"
    # the counterexample replays through the scheduler and ends the way the explorer said
    sched = res.counterexample.schedule
    r = Run(cls.scenario, name, cls.smallest_n, checks=CONSEQUENCES, keep_trace=False)
    if res.verdict == "violation":
        r.replay(sched[:-1])
        with pytest.raises(InvariantViolation) as e:
            r.step(sched[-1])
        assert e.value.invariant == cls.expect
    elif res.verdict == "deadlock":
        r.replay(sched)
        assert r.outcome() == "deadlock"
    if cls.smallest_n > 1:
        assert check(name, cls.smallest_n - 1).verdict == "ok"


@pytest.mark.parametrize("name", EQUIVALENT)
def test_equivalent_variant_is_ok(name):
    for scenario in ("fsync-vs-worker", "truncate-vs-dio", "completion-storm", "nolock-dio-read"):
        for ios in (1, 2):
            res = check(name, ios, scenario)
            assert res.verdict == "ok", res.explain()
    assert check(name, VARIANTS[name].checked_n).verdict == "ok"


def test_equivalent_variant_still_breaks_a_protocol_card():
    """With the new design's full invariant set the stepper shows a rule card turning red: a teaching
    point, not a catch."""
    res = explore("fsync-vs-worker", "queue-before-flag", 1, progress=False)
    assert res.verdict == "violation"
    assert REGISTRY[res.violation["invariant"]].kind == "invariant"


@pytest.mark.parametrize("name, expect", [("worker-frees-unwritten", "not-freed-while-unwritten"),
                                          ("flusher-frees-queued", None),
                                          ("free-without-unlink", "not-freed-while-listed")])
def test_random_schedules_find_variants(name, expect):
    cls = VARIANTS[name]
    found = set()
    for seed in range(300):
        res = run(cls.scenario, name, 2, seed=seed, checks=CONSEQUENCES, keep_trace=False)
        if res.outcome == "violation":
            found.add(res.violation.invariant)
            if expect is None or expect in found:
                break
    assert found, f"300 random schedules never broke {name}"
    assert all(REGISTRY[i].kind == "consequence" for i in found)
    if expect:
        assert expect in found


def test_random_schedules_do_not_break_the_new_design_under_the_same_checks():
    for seed in range(100):
        assert run("fsync-vs-worker", "new", 2, seed=seed, checks=CONSEQUENCES, keep_trace=False).outcome == \
            "completed"


def test_mutants_command(capsys):
    assert cli.main(["mutants", "--ios", "2"]) == 0
    out = capsys.readouterr().out
    for name in VARIANTS:
        assert name in out
    assert cli.main(["mutants", "--ios", "0"]) == 2


ADD_PATH = {  # name: (scenario, verdict, consequence, smallest N)
    "add-tests-empty-unlocked": ("truncate-vs-dio", "deadlock", "hang (deadlock)", 2),
    "queue-every-io-end": ("completion-storm", "violation", "not-freed-while-pending", 2),
    "queue-flag-every-io-end": ("fsync-vs-worker", "ok", None, None),
}


@pytest.mark.parametrize("name", ADD_PATH)
def test_the_three_add_path_variants_in_the_gallery(name):
    from ext4io_teach.explore.gallery import row

    r = row(name, 3)
    assert (r["scenario"], r["verdict"], r["consequence"], r["smallest_n"]) == ADD_PATH[name]
    assert r["as_expected"]


def test_flagging_every_io_end_is_safe_in_every_scenario_but_breaks_the_one_work_item_rule():
    for scenario in ("truncate-vs-dio", "fsync-vs-worker", "punch-hole-error", "nolock-dio-read", "completion-storm"):
        for ios in (1, 2, 3):
            assert check("queue-flag-every-io-end", ios, scenario).verdict == "ok"
    res = explore("completion-storm", "queue-flag-every-io-end", 2, progress=False)  # the protocol rules too
    assert res.violation["invariant"] == "queue-when-list-was-empty"
    assert run("completion-storm", "queue-flag-every-io-end", 3, schedule=[0] * 15 + [1] * 40,
               checks=CONSEQUENCES).stats["work_items_queued"] == 3  # one per io_end, as in v3.6


def test_mutants_command_lists_the_add_path_variants(capsys):
    assert cli.main(["mutants", "--ios", "2"]) == 0
    out = capsys.readouterr().out
    for name in ADD_PATH:
        assert name in out
