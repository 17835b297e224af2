"""Without pandas and matplotlib (as on the browser site) the package degrades instead of failing:
trace and metrics tables come back as plain ``tables.Table``s with the same rows and columns as the
pandas frames, and the live timeline plots are replaced by the committed figure of the same workload
under a one-line note. The imports are made to fail by putting None in ``sys.modules``."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest

import ext4io_teach as e4
from ext4io_teach.tables import Table
from ext4io_teach.timed import committed, plot, run_timed
from ext4io_teach.timed.metrics import activity_frame, counters_frame, metrics_frame
from ext4io_teach.timed.workload import make_workload
from ext4io_teach.trace import to_frame

ROOT = Path(__file__).resolve().parents[1]
BLOCK = ("pandas", "matplotlib", "matplotlib.pyplot", "numpy")


@pytest.fixture
def without_heavy(monkeypatch):
    for name in BLOCK:
        monkeypatch.setitem(sys.modules, name, None)  # `import name` now raises ImportError


@pytest.fixture(scope="module")
def runs():
    load = make_workload("classroom", 8)
    return {d: run_timed(load, d, cpus=2, seed=0, progress=False) for d in ("old", "new")}


def _values(df) -> list[list]:
    """A pandas frame's cells as plain Python values (NaN from a None stays None)."""
    return [[None if v != v else (v.item() if hasattr(v, "item") else v) for v in row]
            for row in df.astype(object).values.tolist()]


def test_blocking_really_blocks(without_heavy):
    with pytest.raises(ImportError):
        import pandas  # noqa: F401
    assert committed.matplotlib_missing()


def test_trace_table_matches_the_dataframe_and_notebook_01s_query(monkeypatch):
    steps = e4.run("truncate-vs-dio", "new", 1).steps
    df = to_frame(steps)
    want = df[df.io == 0][["i", "name", "func", "stage", "action"]].reset_index(drop=True)
    df_cells, want_cells = _values(df), _values(want)
    for name in BLOCK:
        monkeypatch.setitem(sys.modules, name, None)
    t = to_frame(steps)
    assert isinstance(t, Table)
    assert t.columns == list(df.columns) and df_cells == t.rows
    got = t[t.io == 0][["i", "name", "func", "stage", "action"]].reset_index(drop=True)
    assert got.columns == list(want.columns) and got.rows == want_cells and got.index == list(want.index)
    assert len(got) > 5


def test_metrics_tables_match_the_dataframes(runs, monkeypatch):
    frames = {"metrics": metrics_frame(runs).drop(columns=["wall_seconds"]).T,
              "activity": activity_frame(runs["old"]), "counters": counters_frame(runs["new"])}
    seen = {k: ([str(c) for c in df.columns], [str(i) for i in df.index], _values(df)) for k, df in frames.items()}
    cols = ["converting", "requeue", "yield"]
    worker = {c: int(v) for c, v in frames["activity"].loc["worker", cols].items()}
    for name in BLOCK:
        monkeypatch.setitem(sys.modules, name, None)
    tables = {"metrics": metrics_frame(runs).drop(columns=["wall_seconds"]).T,
              "activity": activity_frame(runs["old"]), "counters": counters_frame(runs["new"])}
    for key, (columns, index, cells) in seen.items():
        t = tables[key]
        assert isinstance(t, Table), key
        assert (t.columns, [str(i) for i in t.index], t.rows) == (columns, index, cells), key
    assert tables["activity"].loc["worker", cols] == worker
    assert tables["metrics"].T.iloc[0]["requeues"] == runs["old"].stats["requeues"] > 0


def test_table_renders_as_html_and_text(runs, without_heavy):
    t = metrics_frame(runs)[["outcome", "requeues"]]
    page = t._repr_html_()
    assert page.count("<tr>") == 1 + len(runs)
    assert "<th>outcome</th>" in page and "<th>requeues</th>" in page and "time-limit" in page
    text = repr(t).splitlines()
    assert len(text) == 1 + len(runs) and text[1].split()[0] == "old" and "time-limit" in text[1]
    assert f"{runs['old'].stats['requeues']:,}" in text[1]


def test_timeline_figure_is_the_committed_figure_with_a_note(runs, without_heavy):
    fig = plot.timeline_figure(runs)
    assert isinstance(fig, committed.CommittedFigure)
    assert fig.png() == (ROOT / "docs" / "img" / "timeline_classroom.png").read_bytes()
    page = fig._repr_html_()
    assert "matplotlib is not installed" in page and "not of this run" in page
    assert base64.b64encode(fig.png()).decode() in page
    assert "\n" not in fig.note  # one line


def test_a_workload_without_a_committed_figure_gets_the_note_alone(without_heavy):
    load = make_workload("buffered", 20)
    fig = plot.timeline_figure({"new": run_timed(load, "new", progress=False)})
    assert fig.png() is None and "<img" not in fig._repr_html_() and "'buffered'" in repr(fig)


def test_scaling_and_metrics_figures_degrade(runs, without_heavy):
    assert plot.scaling_figure([]).png() == (ROOT / "docs" / "img" / "scaling_seed.png").read_bytes()
    table = plot.metrics_table_figure(runs)
    assert isinstance(table, Table) and table.columns == ["old", "new"] and "requeues" in table.index


def test_committed_figures_are_the_docs_figures():
    for (_, _), (name, _) in committed.FIGURES.items():
        assert (ROOT / "ext4io_teach" / "figures" / name).read_bytes() == (ROOT / "docs" / "img" / name).read_bytes()


def test_with_matplotlib_the_figure_is_drawn():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    load = make_workload("classroom", 4)
    fig = plot.timeline_figure({"new": run_timed(load, "new", progress=False)}, with_counters=False)
    assert not isinstance(fig, committed.CommittedFigure) and len(fig.get_axes()) == 1


def test_a_fresh_interpreter_without_them_runs_the_browser_path():
    """No module of the package imports pandas, matplotlib or numpy on the way: a whole run, the trace
    table, the metrics table, the timeline fallback and the stepper widget, with all three blocked."""
    code = (f"import sys\nfor m in {BLOCK!r}: sys.modules[m] = None\n"
            "import ext4io_teach as e4\nfrom ext4io_teach.trace import to_frame\n"
            "from ext4io_teach.timed import plot\nfrom ext4io_teach.timed.metrics import metrics_frame\n"
            "from ext4io_teach.timed import run_timed\nfrom ext4io_teach.timed.workload import make_workload\n"
            "from ext4io_teach.widgets import Stepper\n"
            "t = to_frame(e4.run('truncate-vs-dio', 'old', 1, max_steps=50).steps)\n"
            "runs = {d: run_timed(make_workload('classroom', 4), d, progress=False) for d in ('old', 'new')}\n"
            "print(type(t).__name__, type(metrics_frame(runs)).__name__, type(plot.timeline_figure(runs)).__name__)\n"
            "Stepper('truncate-vs-dio', 'old', 1)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["Table", "Table", "CommittedFigure"]
