"""Plots: they draw with the Agg backend, aggregate large runs, and are never imported eagerly."""

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

from ext4io_teach.timed import plot, run_timed  # noqa: E402
from ext4io_teach.timed.metrics import flat, metrics  # noqa: E402
from ext4io_teach.timed.workload import make_workload  # noqa: E402


def _runs(name="classroom", n=12):
    load = make_workload(name, n)
    return {d: run_timed(load, d) for d in ("old", "new")}


def test_timed_modules_do_not_import_matplotlib_or_pandas():
    code = ("import sys, ext4io_teach, ext4io_teach.timed, ext4io_teach.timed.metrics, ext4io_teach.timed.plot, "
            "ext4io_teach.timed.workload, ext4io_teach.timed.costs; "
            "bad = [m for m in ('matplotlib', 'pandas', 'matplotlib.pyplot') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_timeline_figure_has_old_above_new_and_counters():
    import matplotlib.pyplot as plt

    runs = _runs()
    fig = plot.timeline_figure(runs, title="t")
    axes = fig.get_axes()
    assert len(axes) == 4
    assert axes[0].get_title(loc="left").startswith("OLD") and axes[1].get_title(loc="left").startswith("NEW")
    assert [t.get_text() for t in axes[0].get_yticklabels()] == list(reversed(runs["old"].names))
    assert axes[0].get_xlim() == axes[1].get_xlim()
    assert "NEVER" in axes[0].get_title(loc="left") and "returned after" in axes[1].get_title(loc="left")
    plt.close(fig)


def test_lane_bars_are_exact_when_small_and_binned_when_large():
    run = _runs()["new"]
    wid = run.tid("worker")
    exact = plot.lane_bars(run, wid, 10_000, run.sim_time_us)
    assert sum(len(v) for v in exact.values()) == len(run.segments[wid])
    assert sum(w for bars in exact.values() for _, w in bars) == sum(e - s for s, e, _, _ in run.segments[wid])
    binned = plot.lane_bars(run, wid, 5, run.sim_time_us)
    assert 1 <= sum(len(v) for v in binned.values()) <= 6


def test_fast_forwarded_passes_show_as_requeue():
    run = _runs()["old"]
    wid = run.tid("worker")
    ff = run.fast_forwards[0]
    bars = plot.lane_bars(run, wid, 50, run.sim_time_us)
    covered = sum(max(0, min(s + w, ff["end"]) - max(s, ff["start"])) for s, w in bars.get("requeue", []))
    assert covered >= (ff["end"] - ff["start"]) // 2


def test_scaling_and_table_figures():
    import matplotlib.pyplot as plt

    rows = []
    for n in (200, 400):
        for d, r in _runs("seed", n).items():
            rows.append({"design": d, "ios": n, **flat(metrics(r))})
    fig = plot.scaling_figure(rows, title="s")
    assert len(fig.get_axes()) == 2
    plt.close(fig)
    fig = plot.metrics_table_figure(_runs(), title="m")
    assert fig.get_axes()
    plt.close(fig)


def test_cli_timeline_writes_png_and_csv(tmp_path):
    from ext4io_teach import cli

    out, csv = tmp_path / "t.png", tmp_path / "t.csv"
    assert cli.main(["timeline", "classroom", "--ios", "6", "--out", str(out), "--csv", str(csv)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    head = csv.read_text().splitlines()
    assert head[0] == "design,task,tid,cpu,start_us,end_us,activity"
    assert any(",requeue" in line for line in head) and any(line.startswith("new,") for line in head)


def _hold_bars_reference(run, tid, bins, t_end):
    """The plain-Python hold_bars (before it used arrays): holds less than a bin apart as one bar."""
    holds = sorted((s, e) for h, s, e in run.holds if h == tid and e > s)
    width = max(1, -(-t_end // bins))
    bars = []
    for s, e in holds:
        if bars and s - bars[-1][1] < width:
            bars[-1][1] = max(bars[-1][1], e)
        else:
            bars.append([s, e])
    return [(s, e - s) for s, e in bars]


def test_hold_bars_merge_holds_less_than_a_bin_apart():
    run = _runs("seed", 600)["old"]
    holds = plot._rows(run.holds, 3)
    for tid in range(len(run.names)):
        for bins in (3, 40, 10_000):
            got = plot.hold_bars(run, tid, bins, run.sim_time_us)
            assert got == plot.hold_bars(run, tid, bins, run.sim_time_us, holds)
            mine = [(s, e - s) for h, s, e in run.holds if h == tid and e > s]
            assert got == (mine if len(mine) <= bins else _hold_bars_reference(run, tid, bins, run.sim_time_us))
            assert all(type(x) is int for bar in got for x in bar)
