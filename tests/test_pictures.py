"""The pictures: what they draw (edges, lanes, boxes), computed from the model; the drawing itself
only has to build (pixels are not tested)."""

from __future__ import annotations

import subprocess
import sys

import pytest

import ext4io_teach as e4
from ext4io_teach import exercises as ex
from ext4io_teach.pictures import describe, figure, hang_views, lockdep_view, reclaim_deadlock, sequence, show, wait_for
from ext4io_teach.pictures.draw_sequence import CHAR_IN, STEP_IN, _label, hand_groups, plan, size_for
from ext4io_teach.pictures.waitfor import BLOCKING
from ext4io_teach.pictures.words import Shown

ALL_KINDS = BLOCKING + ("tries",)
WORK0 = "work item\nof io#0"


# ------------------------------------------------------------------ wait-for graphs
def test_old_hang_is_a_loop_not_a_cycle_of_waits():
    old, _, _ = hang_views()
    assert old.triples() >= {("truncate", "holds", "i_mutex"), ("truncate", "waits for", "i_dio_count = 1"),
                             ("i_dio_count = 1", "needs", WORK0), (WORK0, "needs", "worker"),
                             ("worker", "tries", "i_mutex")}
    assert old.cycle() is None  # no cycle along edges on which a task really waits: a livelock
    ring = old.cycle(ALL_KINDS)
    assert ring and {"task:truncate", "task:worker", "i_mutex", "i_dio_count"} <= set(ring)
    assert old.loop == ["run work item", "trylock(i_mutex) fails", "requeue itself", "yield(), stay runnable"]
    assert old.loop_task == "task:worker"


def test_old_blocking_is_a_frozen_cycle():
    _, frozen, _ = hang_views()
    assert ("worker", "waits for", "i_mutex") in frozen.triples()
    assert not frozen.triples(("tries",)) and not frozen.loop
    cyc = frozen.cycle()
    assert cyc[0] == cyc[-1] and set(cyc) == {"task:truncate", "i_dio_count", "work:0", "task:worker", "i_mutex"}


def test_lockdep_sees_only_blocking_lock_edges_and_no_cycle():
    old, _, lockdep = hang_views()
    kinds = {n.key: n.kind for n in lockdep.nodes}
    assert lockdep.edges and all(e.kind in ("holds", "waits for") and kinds[e.dst] in ("mutex", "spinlock")
                                 for e in lockdep.edges)
    assert lockdep.cycle(ALL_KINDS) is None
    hidden = {(e.kind, e.dst): why for e, why in lockdep.hidden}
    assert "trylock never waits" in hidden[("tries", "i_mutex")]
    assert "counter is not a lock" in hidden[("waits for", "i_dio_count")]
    assert len(lockdep.edges) + len(lockdep.hidden) == len(old.edges)


def test_lockdep_view_of_the_frozen_cycle_sees_no_cycle_either():
    _, frozen, _ = hang_views()
    view = lockdep_view(frozen)
    assert ("worker", "waits for", "i_mutex") in view.triples()  # a real blocking acquisition
    assert view.cycle(ALL_KINDS) is None  # but truncate's wait is on a counter


def test_new_design_has_no_cycle_and_no_trylock():
    r = e4.Run("truncate-vs-dio", "new", 2)
    r.replay([2, 0, 0, 0, 0, 0, 1])  # truncate sleeps on i_dio_count; the worker starts its flush
    g = wait_for(r)
    assert ("truncate", "waits for", "i_dio_count = 2") in g.triples()
    assert not g.triples(("tries",)) and g.cycle(ALL_KINDS) is None
    needs = {dst for src, kind, dst in g.triples(("needs",)) if src.startswith("i_dio_count")}
    assert needs and needs <= {"worker", "dio", WORK0}


def test_a_spinning_task_waits_for_the_spinlock():
    r = e4.Run("fsync-vs-worker", "new", 2)
    r.replay([0, 2, 2])  # dio holds the spinlock; fsync takes i_mutex, then spins on the spinlock
    g = wait_for(r)
    assert ("dio", "holds", "i_completed_io_lock") in g.triples()
    assert ("fsync", "waits for", "i_completed_io_lock") in g.triples()
    assert next(e.label for e in g.edges if e.kind == "waits for") == "spins"


def test_reclaim_schematic_is_labelled_and_cycles_through_the_queue():
    g = reclaim_deadlock()
    assert g.schematic and g.title.startswith("SCHEMATIC (not from the model)")
    assert "8c0bec21" in g.title and "2581fdc8" in g.title and "8c0bec21" in g.note
    assert set(g.cycle()) == {"task:P", "work:B", "task:worker", "A.i_mutex"}
    assert g.queue[0].startswith("A's work") and g.queue[1].startswith("B's work")


# ------------------------------------------------------------------ sequence diagrams
def fsync_first():
    s = ex.priority_schedule("fsync-vs-worker", "new", 2, ["dio", "fsync", "worker"])
    return e4.run("fsync-vs-worker", "new", 2, schedule=s)


def test_sequence_lanes_boxes_and_who_frees():
    res = fsync_first()
    seq = sequence(res)
    w = res.run.world
    assert seq.lanes == ["dio", "worker", "fsync"] and len(seq.steps) == len(res.schedule)
    stages = [(seq.lanes[b.task], b.stage) for b in seq.boxes]
    assert stages == [("fsync", "A"), ("fsync", "B"), ("fsync", "C"), ("fsync", "D"), ("worker", "A"),
                      ("worker", "C"), ("worker", "D")]
    for b in seq.boxes:  # a box holds exactly its task's steps in that stage, in between
        mine = [r for r in res.steps if r.task == b.task and b.first <= r.i <= b.last]
        assert mine[0].i == b.first and mine[-1].i == b.last and all(r.stage == b.stage for r in mine)
    frees = {e.io: seq.lanes[e.task] for e in seq.events if e.kind == "free"}
    assert frees == {io.id: w.tasks[io.freed_by].name for io in w.ios} == {0: "worker", 1: "fsync"}
    assert sorted(e.io for e in seq.events if e.kind == "convert") == [0, 1]
    flags = {(seq.lanes[e.task], e.io, e.text) for e in seq.events if e.kind == "flag"}
    assert flags == {("dio", 0, "+QUEUED"), ("fsync", 0, "-UNWRITTEN"), ("fsync", 1, "-UNWRITTEN"),
                     ("worker", 0, "-QUEUED")}
    hands = [(h.io, seq.lanes[h.src], seq.lanes[h.dst]) for h in seq.handoffs]
    assert hands == [(0, "dio", "fsync"), (1, "dio", "fsync"), (0, "fsync", "worker")]
    splice = next(r.i for r in res.steps if r.name == "fsync" and "take the whole list" in r.action)
    assert all(h.dst_step == splice for h in seq.handoffs[:2])


def test_sequence_marks_waits():
    seq = sequence(e4.run("truncate-vs-dio", "new", 2))
    tr = seq.lane_of("truncate")
    long = [x for x in seq.waits if x.task == tr and x.why == "waits for i_dio_count == 0"]
    assert len(long) == 1 and long[0].last - long[0].first > 10
    steps_of_truncate = {s for s, t, _ in seq.steps if t == tr}
    assert not steps_of_truncate & set(range(long[0].first + 1, long[0].last + 1))  # asleep: it never steps


def test_sequence_of_the_old_design_has_no_stages_and_the_work_item_frees():
    s = ex.priority_schedule("fsync-vs-worker", "old", 2, ["dio", "fsync", "worker"])
    seq = sequence(e4.run("fsync-vs-worker", "old", 2, schedule=s))
    assert seq.boxes == []
    assert {seq.lanes[e.task] for e in seq.events if e.kind == "free"} == {"worker"}
    assert {(seq.lanes[h.src], seq.lanes[h.dst], h.what) for h in seq.handoffs} == {
        ("dio", "fsync", "takes"), ("fsync", "worker", "frees")}
    assert {e.text for e in seq.events if e.kind == "flag"} >= {"+IN_FSYNC", "-IN_FSYNC", "-UNWRITTEN"}


def test_sequence_stops_at_a_violation():
    res = next(r for s in range(200) if (r := e4.run("fsync-vs-worker", "flusher-frees-queued", 2, seed=s))
               .outcome == "violation")
    seq = sequence(res)
    step, task, name, account = seq.violation
    assert (step, name, account) == (len(res.schedule) - 1, res.violation.invariant, res.violation.message)
    assert seq.steps[-1][0] == step


def test_label_rows_never_overlap():
    for res in (fsync_first(), e4.run("truncate-vs-dio", "new", 3), e4.run("fsync-vs-worker", "new", 3, seed=2)):
        seq = sequence(res)
        for k, lane in enumerate(plan(seq)["lanes"]):
            for rows in (lane["above"], lane["below"]):
                spans = sorted((r, e.step, e.step + len(_label(e)) * CHAR_IN / STEP_IN) for e, r in rows.items())
                for (r1, s1, e1), (r2, s2, _) in zip(spans, spans[1:]):
                    assert r1 != r2 or e1 < s2 - 0.3, (k, r1, s1, s2)


# ------------------------------------------------------------------ part of a long run
def test_part_keeps_only_the_window():
    res = fsync_first()
    whole = sequence(res)
    part = whole.part(10, 30)
    assert part.window == (10, 30) and part.total == whole.total == len(res.schedule)
    assert [s for s, _, _ in part.steps] == list(range(10, 31))
    assert all(10 <= b.first <= b.last <= 30 for b in part.boxes)
    cut = next(b for b in part.boxes if part.lanes[b.task] == "worker" and b.stage == "A")
    full = next(b for b in whole.boxes if whole.lanes[b.task] == "worker" and b.stage == "A")
    assert full.last > 30 and (cut.first, cut.last) == (full.first, 30)  # a box running past the window is cut
    assert part.events == [e for e in whole.events if 10 <= e.step <= 30]
    # fsync takes both io_ends at step 10 from dio, which put them on the list before the window: drawn
    # from the window's left edge; the worker takes io#0 after the window: left out
    assert [(h.io, h.src_step, h.dst_step) for h in part.handoffs] == [(0, 9.5, 10), (1, 9.5, 10)]
    assert "(steps 10-30 of 0-36)" in part.title
    assert sequence(res, steps=(10, 30)) == part
    assert size_for(part)[0] < size_for(whole)[0]


def test_part_clips_the_end_and_refuses_empty_windows():
    whole = sequence(fsync_first())
    assert whole.part(30, 10_000).window == (30, whole.total - 1)
    for bad in ((5, 2), (-1, 3), (whole.total, whole.total + 5), (1.5, 3), (True, 3)):
        with pytest.raises(ValueError, match="^steps: "):
            whole.part(*bad)
    with pytest.raises(ValueError, match="^steps: .* is not a pair"):
        sequence(fsync_first(), steps=5)


def test_io_ends_handed_over_together_are_one_arrow():
    s = ex.priority_schedule("completion-storm", "new", 3, ["dio", "worker"])
    seq = sequence(e4.run("completion-storm", "new", 3, schedule=s), steps=(9, 39))
    dio, worker = seq.lane_of("dio"), seq.lane_of("worker")
    splice = seq.handoffs[0].dst_step
    # dio put io#0 and io#1 on the list before the window, io#2 at step 9: one arrow, from step 9
    assert hand_groups(seq) == {(dio, 9, worker, splice, "takes"): [0, 1, 2]}
    groups = hand_groups(sequence(fsync_first()))  # fsync's splice takes io#0 and io#1: one arrow
    assert sorted(groups.values()) == [[0], [0, 1]]


def test_a_violation_outside_the_window_is_left_out():
    res = next(r for s in range(200) if (r := e4.run("fsync-vs-worker", "flusher-frees-queued", 2, seed=s))
               .outcome == "violation")
    seq = sequence(res)
    assert seq.part(0, seq.violation[0] - 1).violation is None
    assert seq.part(0, seq.violation[0]).violation == seq.violation


# ------------------------------------------------------------------ in words, and shown in a notebook
def test_describe_says_every_edge_and_the_loop():
    old, frozen, lockdep = hang_views()
    words = describe(old).splitlines()
    assert words[0] == old.title and len(words) == 1 + len(old.edges) + 1 + 1  # edges, the loop, the note
    assert "  truncate waits for i_dio_count = 1: until 0" in words
    assert "  worker tries i_mutex: trylock fails" in words
    assert any(w.startswith("  worker goes round and round") and "requeue itself" in w for w in words)
    assert sum(w.startswith("  left out: ") for w in describe(lockdep).splitlines()) == len(lockdep.hidden)
    assert "  the worker's queue, head first: " in describe(reclaim_deadlock())


def test_describe_says_who_converts_and_who_frees():
    words = describe(sequence(fsync_first()))
    lanes = {ln.split(":")[0].strip(): ln for ln in words.splitlines()[1:4]}
    assert "convert io#0" in lanes["fsync"] and "free io#1" in lanes["fsync"] and "free io#0" in lanes["worker"]
    assert "stages A 9-11, B 12-19, C 20-25, D 26-26" in lanes["fsync"]
    assert "  io#0: fsync -> worker (worker takes it at step 34)" in words.splitlines()
    bad = next(r for s in range(200) if (r := e4.run("fsync-vs-worker", "flusher-frees-queued", 2, seed=s))
               .outcome == "violation")
    assert describe(sequence(bad)).splitlines()[-1].startswith(f"  BROKEN at step {len(bad.schedule) - 1} by ")
    with pytest.raises(TypeError, match="neither a WaitFor nor a Sequence"):
        describe("a picture")


def test_describe_says_between_which_steps_a_task_cannot_run():
    seq = sequence(e4.run("truncate-vs-dio", "new", 2))
    tr = seq.lane_of("truncate")
    long = next(x for x in seq.waits if x.task == tr and x.why == "waits for i_dio_count == 0")
    line = next(ln for ln in describe(seq).splitlines() if ln.startswith("  truncate: "))
    # asleep after step `first` until step `last + 1` wakes it: it takes no step in between
    assert f"cannot run between steps {long.first} and {long.last + 1} (waits for i_dio_count == 0)" in line
    assert not {s for s, t, _ in seq.steps if t == tr} & set(range(long.first + 1, long.last + 1))


def test_show_prints_the_words_outside_a_notebook(capsys):
    old = hang_views()[0]
    assert show(old) is None
    assert capsys.readouterr().out == describe(old) + "\n"


def test_shown_is_a_png_with_the_words_as_text():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = Shown(sequence(fsync_first()).part(8, 30))
    before = plt.get_fignums()
    png = shown._repr_png_()
    assert png.startswith(b"\x89PNG") and plt.get_fignums() == before  # drawn, then closed: shown once
    assert repr(shown) == shown.text == describe(shown.picture)


def test_without_matplotlib_a_picture_is_shown_in_words():
    probe = ("import sys; sys.modules['matplotlib'] = None\n"
             "from ext4io_teach.pictures import hang_views\nfrom ext4io_teach.pictures.words import Shown\n"
             "s = Shown(hang_views()[0]); print(s._repr_png_() is None, repr(s).splitlines()[0])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True old (v3.6): the worker goes round a loop, truncate sleeps: a livelock"


# ------------------------------------------------------------------ drawing and imports
@pytest.mark.parametrize("make", [lambda: hang_views()[0], lambda: hang_views()[2], reclaim_deadlock,
                                  lambda: sequence(fsync_first()), lambda: sequence(fsync_first(), steps=(8, 30))])
def test_figures_build(make):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = figure(make())
    try:
        assert fig.axes[0].get_title(loc="left")
        fig.canvas.draw()
    finally:
        plt.close(fig)


def test_figure_rejects_other_things():
    with pytest.raises(TypeError, match="neither a WaitFor nor a Sequence"):
        figure("a picture")


def test_pictures_import_no_matplotlib():
    probe = ("import sys, ext4io_teach as e4\nfrom ext4io_teach.pictures import hang_views, sequence\n"
             "hang_views(); sequence(e4.run('fsync-vs-worker', 'new', 2, seed=1))\n"
             "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
