"""hypothesis: random schedules (an index into the runnable tasks at each step), N up to 6.

The new design and c278531d never break an invariant and always complete; the old design never
breaks one either (its only failure is the livelock, which is not a safety property). c278531d also
keeps fsync-durable and punch-waits."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ext4io_teach import Run, scenario_names
from ext4io_teach.errors import InvariantViolation

MAX_STEPS = 4000


def drive(run: Run, picks: list[int]) -> str:
    """Step by the drawn indices, then take turns; returns the outcome (or 'running' at the limit)."""
    i = 0
    while run.outcome() is None:
        if i >= MAX_STEPS:
            return "running"
        ready = run.runnable()
        pick = picks[i] if i < len(picks) else i
        run.step(ready[pick % len(ready)])
        i += 1
    return run.outcome()


schedules = st.lists(st.integers(min_value=0, max_value=1 << 16), min_size=0, max_size=400)


@pytest.mark.parametrize("scenario", scenario_names())
@settings(max_examples=2000)
@given(ios=st.integers(min_value=1, max_value=6), picks=schedules)
def test_new_design_never_violates_an_invariant(scenario, ios, picks):
    r = Run(scenario, "new", ios, keep_trace=False)
    try:
        outcome = drive(r, picks)
    except InvariantViolation as v:  # pragma: no cover - this is what the test looks for
        raise AssertionError(f"{v}") from None
    assert outcome == "completed"


@pytest.mark.parametrize("scenario", ["fsync-vs-worker", "truncate-vs-dio"])
@settings(max_examples=300)
@given(ios=st.integers(min_value=1, max_value=4), picks=schedules)
def test_new_design_with_split_rmw_stays_correct(scenario, ios, picks):
    r = Run(scenario, "new", ios, split_rmw=True, keep_trace=False)
    assert drive(r, picks) == "completed"


@pytest.mark.parametrize("scenario", scenario_names())
@settings(max_examples=300)
@given(ios=st.integers(min_value=1, max_value=4), picks=schedules)
def test_old_design_is_safe_but_may_livelock(scenario, ios, picks):
    r = Run(scenario, "old", ios, keep_trace=False)
    outcome = drive(r, picks)
    if scenario in ("truncate-vs-dio", "mixed"):  # truncate holds i_mutex and waits for DIO
        assert outcome in ("completed", "running")
    else:
        assert outcome == "completed"


@pytest.mark.parametrize("scenario", ["fsync-vs-worker", "fsync-vs-writeback", "punch-hole-error"])
@settings(max_examples=300)
@given(ios=st.integers(min_value=1, max_value=4), picks=schedules)
def test_c278531d_never_violates_an_invariant_nor_fsync_durable(scenario, ios, picks):
    prop = "punch-waits" if scenario == "punch-hole-error" else "fsync-durable"
    r = Run(scenario, "c278531d", ios, properties=(prop,), keep_trace=False)
    assert drive(r, picks) == "completed"


def test_fsync_durable_fails_for_the_new_design_on_some_schedule():
    """The property has teeth: on buffered writeback the plain 28a535f9 flush can return while the worker
    still converts."""
    found = None
    for seed in range(500):
        import random
        rng = random.Random(seed)
        r = Run("fsync-vs-writeback", "new", 2, properties=("fsync-durable",), keep_trace=False)
        try:
            drive(r, [rng.randrange(1 << 16) for _ in range(200)])
        except InvariantViolation as v:
            found = v
            break
    assert found is not None and found.invariant == "fsync-durable"
