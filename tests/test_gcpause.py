"""gcpause.collector_paused: the collector is off inside the block and the caller's setting comes back,
also when the block raises."""

import gc

import pytest

from ext4io_teach.gcpause import collector_paused


@pytest.fixture
def collector_on():
    """The collector switched on for the test; its setting restored afterwards."""
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_off_inside_and_restored_after(collector_on):
    for start in (True, False):
        (gc.enable if start else gc.disable)()
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is start


def test_restored_when_the_block_raises(collector_on):
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()
