"""Timed runs: hand-counted metrics on tiny runs, the truncate hang, determinism, validation."""

import json
import re

import pytest

from ext4io_teach import cli, progress
from ext4io_teach.timed import run_timed
from ext4io_teach.timed.costs import DEFAULT_COSTS, KINDS, CostModel
from ext4io_teach.timed.metrics import JSON_KEYS, metrics, percentile
from ext4io_teach.timed.workload import Workload, make_workload

# Two writes far apart (the device needs 1000 µs per IO), no jitter, no context-switch cost, so every
# step can be counted by hand.
TINY = Workload("tiny", 2, contexts=1, depth=2, device_latency_us=100, device_per_io_us=1000, jitter_pct=0)
NO_SWITCH = DEFAULT_COSTS.with_(context_switch_us=0)
C = NO_SWITCH.step_us


def test_tiny_new_run_matches_hand_count():
    r = run_timed(TINY, "new", cpus=2, costs=NO_SWITCH)
    m = metrics(r)
    assert r.completed
    # each completion finds the list empty: QUEUED + queue_work, so one work item per io_end
    assert m["work_items_queued"] == 2
    # per completion: add.lock; per work item: stage A and stage C
    assert m["lock_acquisitions"] == 2 * 1 + 2 * 2
    assert (m["requeues"], m["yields"]) == (0, 0)
    # ext4_end_io per io_end: convert, aio_complete, inode_dio_done, i_unwritten--
    assert m["worker_cpu_us"] == {"converting": 2 * (C["convert"] + C["aio"] + C["dio_done"] + C["unwritten"]),
                                  "wasted": 0}
    # the submitter holds i_mutex for mutex_lock + submit, twice
    assert m["i_mutex_hold_us"] == 2 * (C["mutex_lock"] + C["submit"])
    # device done at c: dio add.lock(1) add.test(1) add.queue(2: the worker wakes at its start) ...
    # worker dequeue(2) at c+2, A.lock at c+4 finds dio in add.add and spins until add.unlock at c+5,
    # A.lock ends c+5, A.splice c+5, A.unlock c+6, convert c+7..c+37, aio_complete at c+37
    assert m["conversion_latency_us"] == {"p50": 37, "p99": 37}
    assert m["truncate_latency_us"] is None
    assert r.world.inode.dio_count == 0 and r.world.inode.unwritten == 0 and r.world.live_ioends == 0


def test_tiny_old_run_matches_hand_count():
    r = run_timed(TINY, "old", cpus=2, costs=NO_SWITCH)
    m = metrics(r)
    assert r.completed
    # one work item per io_end; per completion one spin_lock, per work item one (trylock succeeds)
    assert m["work_items_queued"] == 2
    assert m["lock_acquisitions"] == 2 + 2
    assert (m["requeues"], m["yields"]) == (0, 0)
    # ext4_end_io_nolock: convert, clear UNWRITTEN, aio_complete, inode_dio_done, i_unwritten--
    conv = C["convert"] + C["flag"] + C["aio"] + C["dio_done"] + C["unwritten"]
    assert m["worker_cpu_us"] == {"converting": 2 * conv, "wasted": 0}
    # the worker also holds i_mutex: from its trylock to its mutex_unlock (trylock, list_del_init,
    # spin_unlock, the conversion), plus the submitter's two holds
    worker_hold = C["mutex_trylock"] + C["list"] + C["spin_unlock"] + conv
    assert m["i_mutex_hold_us"] == 2 * (C["mutex_lock"] + C["submit"]) + 2 * worker_hold


def test_i_dio_count_counts_io_in_flight():
    load = make_workload("aio-stress", 400)
    r = run_timed(load, "new", seed=3)
    dio = [s[2] for s in r.samples]
    assert dio[0] == 0 and dio[-1] == 0
    assert 0 < max(dio) <= load.contexts * load.depth
    assert r.world.writes_done == load.writes and r.world.reads_done == load.reads


def test_truncate_never_completes_in_old_and_completes_in_new():
    load = make_workload("classroom", 12)
    old, new = run_timed(load, "old"), run_timed(load, "new")
    assert old.outcome == "time-limit" and old.sim_time_us == load.limit_us
    assert metrics(old)["truncate_latency_us"] is None
    assert old.world.truncate_calls == 1 and old.world.truncates == []
    assert old.stats["requeues"] > 100 and old.fast_forwards
    assert old.world.inode.dio_count > 0  # the writes truncate waits for are never converted
    assert new.completed
    assert isinstance(metrics(new)["truncate_latency_us"], int)
    assert new.stats["conversions"] == load.writes and new.stats["requeues"] == 0


def test_a_mutex_waiter_woken_by_mutex_unlock_runs_again():
    # mutex_unlock frees i_mutex and wakes its first waiter without handing it over: the engine must put
    # that sleeper back on a CPU (it retries), also when the unlock is all that happened at that time
    for name, design in (("buffered", "old"), ("xfstests-299", "new")):
        r = run_timed(make_workload(name, 300), design)
        assert r.completed, (name, design, r.outcome)
        assert r.stats["mutex_retry_lost"] > 0  # some woken waiters found i_mutex taken again and slept


def test_the_old_workers_trylock_wins_between_unlock_and_retry():
    # xfstests-299 keeps i_mutex busy (four submitters and the truncate loop): a mutex_unlock wakes a
    # waiter without handing i_mutex over, and the worker's trylock sometimes takes it in that window
    r = run_timed(make_workload("xfstests-299", 300), "old")
    assert r.outcome == "time-limit"  # truncate still hangs
    assert r.stats["trylock_beat_waiter"] > 0


def test_io_ends_are_numbered_in_submission_order():
    # the completion task completes io_ends in number order; an io_end numbered before it was submitted
    # could be overtaken, and a truncate waiting for the later one would wait for ever (a model artefact)
    r = run_timed(make_workload("xfstests-299", 1000), "new")
    assert r.completed
    s = r.world.submitted_at
    assert all(a <= b for a, b in zip(s, s[1:]))


def test_seed_case_small_old_hangs_new_finishes():
    load = make_workload("seed", 600)
    old, new = run_timed(load, "old", time_limit_us=load.limit_us), run_timed(load, "new")
    assert not old.completed and metrics(old)["truncate_latency_us"] is None
    assert new.completed and metrics(new)["truncate_latency_us"] > 0
    assert new.world.reads_done == load.reads


def test_fast_forward_counts_what_stepping_counts():
    load = make_workload("classroom", 12)
    fast, slow = run_timed(load, "old"), run_timed(load, "old", fast_forward=False)
    assert fast.fast_forwards and not slow.fast_forwards
    assert fast.n_steps == slow.n_steps
    mf, ms = metrics(fast), metrics(slow)
    for key in ("work_items_queued", "requeues", "yields", "worker_cpu_us", "lock_acquisitions", "i_mutex_hold_us",
                "sim_time_us"):
        assert mf[key] == ms[key], key


def test_same_seed_same_trace_and_another_seed_differs():
    load = make_workload("seed", 200)
    a = run_timed(load, "new", seed=7, keep_steps=True)
    b = run_timed(load, "new", seed=7, keep_steps=True)
    c = run_timed(load, "new", seed=8, keep_steps=True)
    assert a.steps == b.steps and a.segments == b.segments and a.samples == b.samples
    assert a.steps != c.steps


def test_invariants_are_checked_in_timed_runs():
    from ext4io_teach.errors import InvariantViolation
    from ext4io_teach.timed.world import TimedWorld

    original = TimedWorld.free

    def double_free(self, t, k):
        original(self, t, k)
        original(self, t, k)

    TimedWorld.free = double_free
    try:
        r = run_timed(TINY, "new")  # the run ends on the violation, as sched.run does
        assert r.outcome == "violation" and isinstance(r.violation, InvariantViolation)
        assert r.violation.invariant == "freed-once"
    finally:
        TimedWorld.free = original


@pytest.mark.parametrize("change", [{"convert": 0}, {"list": -1}, {"spin_lock": True}, {"free": 1.5},
                                    {"context_switch_us": -1}, {"timeslice_us": 0}, {"bogus": 3}])
def test_cost_model_rejects_bad_parameters(change):
    with pytest.raises(ValueError) as e:
        DEFAULT_COSTS.with_(**change)
    name = next(iter(change))
    assert name in str(e.value) or "costs" in str(e.value)
    assert "allowed" in str(e.value)


def test_cost_model_needs_every_kind_and_knows_them():
    from types import MappingProxyType

    partial = {k: 1 for k in KINDS if k != "convert"}
    with pytest.raises(ValueError, match="convert"):
        CostModel(MappingProxyType(partial))
    assert DEFAULT_COSTS.with_(convert=99).step_us["convert"] == 99
    assert DEFAULT_COSTS.step_us["convert"] == KINDS["convert"].us
    assert {row[0] for row in DEFAULT_COSTS.table()} >= set(KINDS)


def test_costs_change_the_timing():
    slow = run_timed(TINY, "new", costs=NO_SWITCH.with_(convert=300))
    assert metrics(slow)["worker_cpu_us"]["converting"] == 2 * (300 + C["aio"] + C["dio_done"] + C["unwritten"])


@pytest.mark.parametrize("args,param", [(("nope", 10), "scenario"), (("seed", 0), "ios"), (("seed", 1), "ios"),
                                        (("seed", True), "ios")])
def test_workload_bad_input(args, param):
    with pytest.raises(ValueError, match=f"^{param}:"):
        make_workload(*args)


@pytest.mark.parametrize("kw,param", [({"cpus": 0}, "cpus"), ({"seed": "x"}, "seed"),
                                      ({"time_limit_us": 0}, "time_limit_us"), ({"costs": {}}, "costs"),
                                      ({"progress": "yes"}, "progress")])
def test_run_timed_bad_input(kw, param):
    with pytest.raises(ValueError, match=f"^{param}:"):
        run_timed(TINY, "new", **kw)
    with pytest.raises(ValueError, match="^design:"):
        run_timed(TINY, "bogus")


def test_percentile_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([5], 99) == 5
    assert percentile(list(range(1, 101)), 50) == 50
    assert percentile(list(range(1, 101)), 99) == 99


def test_cli_metrics_json_has_the_issue_keys(capsys):
    assert cli.main(["metrics", "classroom", "--design", "both", "--ios", "6", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["old", "new"]
    for m in out.values():
        assert tuple(m) == JSON_KEYS
        assert set(m["worker_cpu_us"]) == {"converting", "wasted"}
        assert set(m["conversion_latency_us"]) == {"p50", "p99"}
    assert out["old"]["truncate_latency_us"] is None and isinstance(out["new"]["truncate_latency_us"], int)


@pytest.mark.parametrize("argv,param", [(["metrics", "nope"], "scenario"), (["metrics", "seed", "--ios", "0"], "--ios"),
                                        (["metrics", "seed", "--design", "x"], "--design"),
                                        (["metrics", "classroom", "--cpus", "0"], "--cpus"),
                                        (["timeline", "classroom", "--out", "x.txt"], "--out"),
                                        (["timeline", "classroom", "--out", "/no-such-folder/x.png"], "--out"),
                                        (["timeline", "classroom", "--out", "x.png", "--csv", "/no-such-folder/t.csv"],
                                         "--csv")])
def test_cli_bad_input_exit_2(argv, param, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert f"error: {param}:" in err and "allowed" in err and "Traceback" not in err


def test_progress_counts_ios_done_up_to_where_the_run_ended():
    load = make_workload("seed", 300)
    for design in ("new", "old"):
        seen = []
        r = run_timed(load, design, progress=lambda done, ms, seen=seen: seen.append((done, ms)))
        assert len(seen) > 10
        assert seen == sorted(seen), "IOs done and simulated time never go back"
        done = r.world.writes_done + r.world.reads_done
        assert seen[-1] == (done, r.sim_time_us // 1000)
        if design == "new":
            assert r.completed and done == 300
        else:  # the hang: truncate never returns, the IOs behind it never complete
            assert not r.completed and done < 300
        quiet = run_timed(load, design, progress=False)
        assert (quiet.segments, quiet.samples, quiet.stats) == (r.segments, r.samples, r.stats)


@pytest.mark.parametrize("argv,bar", [([], True), (["--no-progress"], False), (["--json"], False)])
def test_cli_timed_runs_show_a_progress_bar_unless_asked_not_to(argv, bar, capsys, monkeypatch):
    monkeypatch.setattr(progress, "AFTER", 0.0)  # a bar at once: these runs take milliseconds
    assert cli.main(["metrics", "seed", "--design", "new", "--ios", "200", *argv]) == 0
    err = capsys.readouterr().err
    assert ("seed new" in err and "IOs" in err) == bar, err


def test_progress_in_a_notebook_kernel_is_a_widget_bar_not_text():
    """``tqdm.auto``: in a Jupyter kernel (JupyterLab, Voila) the bar is an ipywidgets view; in a terminal
    it is text on stderr (the CLI test above)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "from ext4io_teach.timed import run_timed\nfrom ext4io_teach.timed.workload import make_workload\n"
        "print(run_timed(make_workload('seed', 300), 'new', progress=True).outcome)")]
    from kernel_ipc import IpcAsyncKernelManager

    NotebookClient(nb, timeout=120, kernel_name="python3", kernel_manager_class=IpcAsyncKernelManager).execute()
    outputs = nb.cells[0].outputs
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    streams = {o.name: o.text for o in outputs if o.output_type == "stream"}
    assert views, outputs
    assert streams.get("stdout", "").strip() == "completed" and "stderr" not in streams, streams


def test_cli_timeline_refuses_an_output_it_cannot_write_before_running(tmp_path, capsys, monkeypatch):
    (tmp_path / "taken.png").mkdir()  # a folder where the PNG should go
    ran = []
    monkeypatch.setattr("ext4io_teach.commands.timeline.run_all", lambda args: ran.append(args))
    assert cli.main(["timeline", "classroom", "--out", str(tmp_path / "taken.png")]) == 2
    assert "error: --out:" in capsys.readouterr().err and not ran, "nothing may run before the output is checked"


@pytest.mark.parametrize("design, same", [("02d262df", "new"), ("old+02d262df", "old")])
def test_designs_that_change_only_punch_hole_are_refused(design, same, capsys):
    """No timed workload punches a hole, so these would run exactly as ``same``: refused, with the reason."""
    with pytest.raises(ValueError, match=f"^design: {re.escape(design)} differs from {same} only in punch hole"):
        run_timed(TINY, design)
    assert cli.main(["metrics", "aio-stress", "--design", design, "--ios", "10", "--no-progress"]) == 2
    assert "only in punch hole" in capsys.readouterr().err
    assert run_timed(TINY, "c278531d", costs=NO_SWITCH).completed  # c278531d's fsync and truncate differ: it runs
