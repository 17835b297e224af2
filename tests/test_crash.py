"""The crash view: what a read after a crash returns for each io_end's range, at any step of a run."""

from __future__ import annotations

import pytest

from ext4io_teach.crash import crash_view
from ext4io_teach.explore import explore
from ext4io_teach.sched import Run, run
from ext4io_teach.widgets import StepperController


@pytest.fixture(scope="module")
def fsync_cex():
    res = explore("fsync-vs-writeback", "new", 1, property="fsync-durable", progress=False)
    assert res.verdict == "violation"
    return res.counterexample.schedule


def test_fsync_returns_owing_an_io_end_that_reads_zeros(fsync_cex):
    bad = run("fsync-vs-writeback", "new", 1, schedule=fsync_cex, properties=("fsync-durable",))
    assert bad.violation.invariant == "fsync-durable"
    view = crash_view(bad)
    (row,) = view.rows
    assert (row.write, row.data, row.extent, row.reads, row.owed_by) == ("buffered", "on disk", "unwritten",
                                                                         "zeros", "fsync")
    assert view.lost == [0] and "<- LOST" in str(view)
    before = crash_view(bad, len(fsync_cex) - 1)  # one step earlier fsync has not returned: it owes nothing yet
    assert before.lost == [] and before.rows[0].owed_by == ""


def test_the_view_does_not_need_the_property(fsync_cex):
    """Without fsync-durable checked the run completes; the view still finds what fsync owed."""
    r = Run("fsync-vs-writeback", "new", 1)
    r.replay(fsync_cex)
    assert r.world.tasks[2].pc == "done"
    assert crash_view(r).lost == [0]


def test_c278531d_fsync_returns_with_the_data_readable():
    res = run("fsync-vs-writeback", "c278531d", 2, seed=4, properties=("fsync-durable",))
    assert res.outcome == "completed"
    view = crash_view(res)
    assert [r.reads for r in view.rows] == ["data", "data"] and view.lost == []


def test_owed_matches_the_ghost_fsync_keeps_for_its_property():
    """The view's own record of what fsync owed equals ``t.must``, set by fsync's flush (``fs_call``)."""
    for seed in range(12):
        res = run("fsync-vs-writeback", "new", 2, seed=seed, properties=("fsync-durable",))
        fsync = res.run.world.tasks[2]
        if fsync.pc != "done" and res.violation is None:
            continue
        owed = {r.io for r in crash_view(res).rows if r.owed_by}
        assert owed == set(fsync.must), seed


def test_direct_io_data_is_on_disk_from_its_completion_and_read_once_converted():
    r = Run("fsync-vs-worker", "new", 2)
    assert [x.data for x in crash_view(r).rows] == ["not yet", "not yet"]
    r.step(0)  # the completion's first step for io#0
    assert [x.data for x in crash_view(r).rows] == ["on disk", "not yet"]
    while r.outcome() is None:
        r.step(min(r.runnable()))
    assert [(x.extent, x.reads) for x in crash_view(r).rows] == [("written", "data")] * 2


def test_aio_writes_are_never_lost_by_fsync():
    """An AIO direct write is owed only after aio_complete, which follows its conversion [K63]."""
    for seed in range(20):
        res = run("fsync-vs-worker", "new", 2, seed=seed)
        for k in range(0, len(res.schedule) + 1, 3):
            assert crash_view(res, k).lost == [], (seed, k)


def test_a_failed_conversion_reads_zeros_and_punch_is_noted():
    res = run("punch-hole-error", "old", 2, fail_io=0)
    view = crash_view(res)
    assert (view.rows[0].extent, view.rows[0].reads) == ("unwritten (conversion failed)", "zeros")
    assert view.rows[1].reads == "data"
    assert any("punch removed blocks" in n for n in view.notes)


def test_the_run_is_not_touched_and_the_stepper_works(fsync_cex):
    ctrl = StepperController("fsync-vs-writeback", "new", 1)
    ctrl.load(",".join(map(str, fsync_cex[:10])))
    snap = ctrl.run.snapshot()
    assert crash_view(ctrl).step == 10
    assert crash_view(ctrl, 0).rows[0].data == "not yet"
    assert ctrl.run.snapshot() == snap and len(ctrl.run.schedule) == 10


@pytest.mark.parametrize("bad, param", [(("x",), "run"), ((None, 99), "step"), ((None, -1), "step"),
                                        ((None, True), "step"), ((None, "3"), "step")])
def test_bad_input(bad, param):
    r = run("completion-storm", "new", 1)
    args = bad if bad[0] is not None else (r, *bad[1:])
    with pytest.raises(ValueError, match=param):
        crash_view(*args)


def test_frame_has_a_row_per_io_end():
    view = crash_view(run("completion-storm", "new", 3))
    frame = view.to_frame()
    assert len(frame) == 3 and list(frame["reads"]) == ["data"] * 3


def test_play_c_prints_the_crash_view(monkeypatch, capsys, fsync_cex):
    """``ext4io-teach play``'s ``c`` key: the crash view now, then the session goes on."""
    import io

    from ext4io_teach.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("c\nq\n"))
    sched = ",".join(map(str, fsync_cex[:-1]))
    assert main(["play", "fsync-vs-writeback", "--ios", "1", "--schedule", sched]) == 0
    out = capsys.readouterr().out
    answer = out.split("\n> c\n", 1)[1].split("\n> ")[0]
    assert answer.startswith(f"crash after step {len(fsync_cex) - 1} of fsync-vs-writeback, new, N=1:")
    assert "io#0    buffered  on disk  unwritten  zeros" in answer
