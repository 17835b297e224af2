"""The gaps 28a535f9 left, and the designs that close them (issue 17, items 1, 3, 4, 5).

* ``c278531d`` is modelled as released in v3.7 on every scenario: its nolock DIO read takes i_mutex and
  flushes (then waits) only when ``i_unwritten`` is non-zero; its punch hole holds i_mutex, flushes and
  waits, then waits for DIO (02d262df went in the same window). Every ``ext4_flush_unwritten_io`` caller
  holds i_mutex (its WARN_ON_ONCE).
* The fsync gap concerns buffered writeback io_ends (``fsync-vs-writeback``), not AIO direct writes:
  ``aio_complete`` comes after the conversion, so fsync owes an AIO write nothing while it is pending.
* The punch-hole gap: at 28a535f9 punch removes blocks while conversions are pending (``punch-waits``);
  02d262df's punch waits, and with the v3.6 worker that wait hangs just as truncate does.
* ``mixed``: dio, worker, fsync and truncate at once; the new design is safe and live for N = 1..3.
"""

import json

import pytest

from ext4io_teach import Run, cli, run
from ext4io_teach.errors import InvariantViolation
from ext4io_teach.explore import applicable_properties, explore
from ext4io_teach.model.flags import DIRECT, UNWRITTEN
from ext4io_teach.scenarios import scenario_names


def check(capsys, *argv):
    code = cli.main(["check", *argv, "--no-progress"])
    out, _ = capsys.readouterr()
    return code, out


def check_json(capsys, *argv):
    code = cli.main(["check", *argv, "--json"])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def replay_violation(obj, properties):
    """Replay a JSON counterexample step by step: every step but the last is fine, the last one breaks
    the reported invariant. Returns the Run stopped just before that last step."""
    sched = obj["counterexample"]["schedule"]
    r = Run(obj["scenario"], obj["design"], obj["ios"], split_rmw=obj["split_rmw"], fail_io=obj["fail_io"],
            properties=properties)
    r.replay(sched[:-1])
    before = r.fresh()
    before.replay(sched[:-1])
    with pytest.raises(InvariantViolation) as e:
        r.step(sched[-1])
    assert e.value.invariant == obj["violation"]["invariant"]
    return before, sched[-1]


# ------------------------------------------------------------------ item 1: c278531d as released in v3.7
@pytest.mark.parametrize("scenario", scenario_names())
def test_c278531d_is_safe_on_every_scenario_and_every_flush_holds_i_mutex(scenario):
    """The WARN_ON_ONCE of ext4_flush_unwritten_io (c278531d) is the invariant ``flush-holds-i_mutex``:
    it is on for the new family, so a c278531d caller that flushes without i_mutex is a violation."""
    res = explore(scenario, "c278531d", 2, property="safety", progress=False)
    assert res.verdict == "ok", res.explain()


def test_c278531d_reader_takes_i_mutex_only_while_i_unwritten_is_non_zero():
    r = run("nolock-dio-read", "c278531d", 2)  # round robin: the reader finds i_unwritten == 2
    reader = [x for x in r.steps if x.name == "reader"]
    assert reader[0].action.startswith("i_unwritten is 2")
    assert any(x.kind == "mutex_lock" for x in reader) and any(x.kind == "mutex_unlock" for x in reader)
    assert any(x.func == "flush_unwritten_io" for x in reader)
    # once every conversion is done, the reader neither locks nor flushes
    late = Run("nolock-dio-read", "c278531d", 1)
    while late.world.inode.unwritten:
        late.step(min(t for t in late.runnable() if t != 2))
    late.step(2)
    assert late.trace[-1].action.startswith("i_unwritten is 0") and late.world.tasks[2].pc == "done"


def test_c278531d_punch_flushes_under_i_mutex_then_waits_for_dio():
    r = run("punch-hole-error", "c278531d", 2, fail_io=1)  # punch's own flush meets no failure
    punch = [x for x in r.steps if x.name == "punch"]
    kinds = [x.kind for x in punch]
    assert kinds[0] == "mutex_lock" and kinds[-1] == "mutex_unlock"
    waits = [x.action for x in punch if x.kind == "wait"]
    # flush, ext4_unwritten_wait, then inode_dio_wait (v3.7 ext4_ext_punch_hole)
    assert [w.split(":")[0] for w in waits] == ["i_unwritten is 0", "inode_dio_wait returns"]


# ------------------------------------------------------------------ item 3: the fsync gap, on buffered writeback
def test_writeback_io_ends_are_not_direct_and_have_no_iocb():
    r = Run("fsync-vs-writeback", "new", 2)
    assert r.task_names == ["writeback", "worker", "fsync"]
    w = r.world
    assert all(io.flags == UNWRITTEN and not io.flags & DIRECT and not io.iocb for io in w.ios)
    assert w.inode.dio_count == 0 and w.inode.unwritten == 2
    done = run("fsync-vs-writeback", "new", 2)
    assert done.outcome == "completed"
    assert all(io.aio == 0 and io.dio_done == 0 and io.conv == 1 and io.freed for io in done.run.world.ios)
    # the bio completion ends page writeback before it adds the io_end to the list (ext4_end_bio)
    first = done.steps[0]
    assert first.name == "writeback" and first.action.startswith("end_page_writeback io#0")


def test_fsync_waits_for_page_writeback_first():
    r = Run("fsync-vs-writeback", "c278531d", 1)
    assert 2 not in r.runnable()
    assert "page writeback" in r.world.blocked_reason(r.world.tasks[2])
    r.step(0)  # end_page_writeback io#0 (and the add path's spin_lock)
    assert 2 in r.runnable()


def test_check_fsync_vs_writeback_new_is_a_violation_ending_in_fsyncs_return(capsys):
    code, obj = check_json(capsys, "fsync-vs-writeback", "--design", "new", "--ios", "2",
                           "--property", "fsync-durable")
    assert code == 1
    assert obj["verdict"] == "violation" and obj["violation"]["invariant"] == "fsync-durable"
    before, last = replay_violation(obj, ("fsync-durable",))
    w = before.world
    fsync = w.tasks[last]
    assert fsync.name == "fsync" and fsync.pc == "fs.unlock"  # the last step is fsync's return
    worker = w.tasks[1]
    held = worker.unwritten + ([worker.io] if worker.stack else [])  # spliced in stage A, or in ext4_end_io
    lost = [io.id for io in w.ios if io.writeback_ended and not io.conv]
    assert lost and set(lost) <= set(held)  # another drainer holds it, unconverted
    text = obj["violation"]["message"]
    assert "page writeback" in text and "worker" in text


def test_the_replay_line_of_a_property_violation_reproduces_it(capsys):
    """``check`` prints a ``run`` command that replays the counterexample with the property switched on."""
    code, out = check(capsys, "fsync-vs-writeback", "--design", "new", "--ios", "1", "--property", "fsync-durable")
    assert code == 1
    replay = [ln for ln in out.splitlines() if ln.startswith("replay: ext4io-teach run ")][0]
    argv = replay[len("replay: ext4io-teach "):].split()
    assert argv[-2:] == ["--property", "fsync-durable"]
    assert cli.main(argv) == 1
    assert "outcome: violation of fsync-durable" in capsys.readouterr().out
    assert cli.main(argv[:-2]) == 3  # without the property the schedule just stops: nothing is checked


@pytest.mark.parametrize("design", ["c278531d", "old"])
def test_check_fsync_vs_writeback_holds_for_c278531d_and_old(capsys, design):
    code, out = check(capsys, "fsync-vs-writeback", "--design", design, "--ios", "2", "--property", "fsync-durable")
    assert code == 0, out
    assert "verdict: ok" in out or "ok" in out.splitlines()[3]


@pytest.mark.parametrize("design", ["new", "old", "c278531d"])
def test_fsync_durable_never_fires_for_aio_direct_writes(design):
    """On fsync-vs-worker every io_end is an AIO direct write: aio_complete runs after the conversion, so
    fsync owes none of them anything while its conversion is pending. The early return is no bug there."""
    for ios in (1, 2):
        res = explore("fsync-vs-worker", design, ios, property="fsync-durable", progress=False)
        assert res.verdict == "ok", res.explain()


def test_the_early_return_on_aio_dio_still_happens():
    """The contrast the notebook draws: on fsync-vs-worker the new design's fsync can return while the
    worker holds an unconverted io_end (the schedule exists), but the application has not been told
    that write is done."""
    r = Run("fsync-vs-worker", "new", 1, properties=("fsync-durable",))
    r.replay([0, 0, 0, 0, 0, 1, 1, 1, 1])  # io#0 completes; the worker splices it (stage A)
    while r.world.tasks[2].pc != "done":
        r.step(2)
    io = r.world.ios[0]
    assert io.conv == 0 and io.aio == 0  # unconverted, and aio_complete has not run: nothing owed


# ------------------------------------------------------------------ item 4: the punch-hole gap
def test_punch_waits_applies_where_punch_runs():
    assert "punch-waits" in applicable_properties("punch-hole-error")
    assert "punch-waits" not in applicable_properties("fsync-vs-worker")
    assert "fsync-durable" in applicable_properties("fsync-vs-writeback")


def test_check_punch_waits_new_violates_02d262df_holds(capsys):
    code, obj = check_json(capsys, "punch-hole-error", "--design", "new", "--ios", "2", "--property", "punch-waits")
    assert code == 1 and obj["violation"]["invariant"] == "punch-waits"
    before, last = replay_violation(obj, ("punch-waits",))
    assert before.world.tasks[last].name == "punch" and before.world.tasks[last].pc == "ph.blocks"
    code, out = check(capsys, "punch-hole-error", "--design", "02d262df", "--ios", "2", "--property", "punch-waits")
    assert code == 0, out
    assert explore("punch-hole-error", "c278531d", 2, property="punch-waits", progress=False).verdict == "ok"


def test_02d262df_punch_takes_i_mutex_then_waits_for_dio():
    r = run("punch-hole-error", "02d262df", 2)
    punch = [x for x in r.steps if x.name == "punch"]
    assert [x.kind for x in punch][:2] == ["mutex_lock", "wait"] and punch[-1].kind == "mutex_unlock"
    assert r.outcome == "completed"
    assert explore("punch-hole-error", "02d262df", 2, property="liveness", progress=False).verdict == "ok"


def test_old_worker_with_02d262df_punch_hangs_like_truncate(capsys):
    code, obj = check_json(capsys, "punch-hole-error", "--design", "old+02d262df", "--ios", "1",
                           "--property", "liveness")
    assert code == 1
    assert obj["verdict"] == "livelock" and obj["violation"]["invariant"] == "punch-returns"
    # plain v3.6 punch (no i_mutex, no DIO wait) returns; only the 02d262df wait hangs on the old worker
    assert explore("punch-hole-error", "old", 1, property="liveness", progress=False).verdict == "ok"


# ------------------------------------------------------------------ item 5: more than one flusher
@pytest.mark.parametrize("ios", [1, 2])
def test_mixed_new_is_safe_and_live(ios):
    assert Run("mixed", "new", ios).task_names == ["dio", "worker", "fsync", "truncate"]
    for prop in ("safety", "liveness"):
        res = explore("mixed", "new", ios, property=prop, progress=False)
        assert res.verdict == "ok", res.explain()


def test_mixed_old_livelocks_and_breaks_nothing():
    """Truncate holds i_mutex and sleeps in inode_dio_wait while the v3.6 worker requeues; fsync, queued on
    i_mutex behind truncate, is the first goal the explorer names."""
    res = explore("mixed", "old", 1, property="liveness", progress=False)
    assert res.verdict == "livelock" and res.violation["invariant"] == "fsync-returns"
    cex = res.counterexample
    r = Run("mixed", "old", 1)
    r.replay(cex.schedule[:cex.cycle_start])
    w = r.world
    truncate, fsync = w.tasks[3], w.tasks[2]
    assert w.inode.i_mutex.holder == truncate.tid and truncate.pc == "tr.dio_wait"
    assert fsync.waits_for == "i_mutex"
    assert set(cex.schedule[cex.cycle_start:]) == {1}  # only the worker steps in the cycle
    assert explore("mixed", "old", 1, property="safety", progress=False).verdict == "ok"


# ------------------------------------------------------------------ notebook 09 teaches the real gaps
def test_notebook_09_sentences():
    from pathlib import Path
    src = (Path(__file__).resolve().parent.parent / "tools" / "nbsrc" / "09_what_was_left.md").read_text()
    flat = " ".join(src.split())
    # false sentences that must not come back
    assert "pending or running" not in flat
    assert "only one work item per inode is ever in use" not in flat
    assert 'explore("fsync-vs-worker", "new", 1, property="fsync-durable"' not in flat  # the old AIO "bug"
    # the corrected facts, each with its source
    assert "more than one can be pending" in flat and "84c17543" in flat
    assert "while its owner's work function still runs, once the owner has passed its stage C" in flat
    assert "`aio_complete` only **after** `ext4_convert_unwritten_extents`" in flat and "page-io.c" in flat
    assert "fsync-vs-writeback" in flat and "`ext4_end_bio`" in flat and "end_page_writeback" in flat
    assert "02d262df" in flat and "old+02d262df" in flat and "counterfactual" in flat
