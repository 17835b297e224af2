"""gcpause.collector_paused: the collector is off inside, the caller's setting and frozen objects survive,
and what the block made ends up in the oldest generation, not the youngest."""

import gc

import pytest

from ext4io_teach.gcpause import collector_paused
from ext4io_teach.timed import run_timed
from ext4io_teach.timed.workload import make_workload


@pytest.fixture
def collector_on():
    """The collector switched on for the test; its setting and the frozen set restored afterwards."""
    was = gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()
    (gc.enable if was else gc.disable)()


def test_off_inside_and_restored_after(collector_on):
    for start in (True, False):
        (gc.enable if start else gc.disable)()
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is start


def test_what_the_block_made_is_not_left_to_the_youngest_generation(collector_on):
    gc.collect()
    with collector_paused():
        made = [[i] for i in range(5000)]  # lists are tracked by the collector
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(made) in oldest and id(made[0]) in oldest and id(made[-1]) in oldest


def test_objects_the_caller_froze_stay_frozen(collector_on):
    """Frozen objects are in no generation (``gc.get_objects()`` leaves them out). The freeze count is
    not compared: a frozen object that dies meanwhile (a background thread's, say) lowers it."""
    mine = [[object()] for _ in range(50)]
    gc.freeze()
    assert gc.get_freeze_count() >= len(mine)
    with collector_paused():
        [[i] for i in range(100)]
    tracked = {id(o) for o in gc.get_objects()}
    assert not {id(mine), *map(id, mine)} & tracked, "the caller's frozen objects were unfrozen"


def test_a_timed_run_leaves_the_collector_on(collector_on):
    run = run_timed(make_workload("classroom", 12), "new", cpus=2, seed=0)
    assert run.completed and gc.isenabled() and gc.get_freeze_count() == 0
