"""Timeline plots of timed runs (matplotlib is imported inside the functions, never at package import;
without matplotlib, as in the browser site, the figure functions return the committed figure of the
same workload with a note: ``committed.py``).

* ``swimlanes(ax, run)``: one lane per task, coloured by activity (converting, requeue, yield,
  spinning, ...); a dark bar under a lane while that task holds i_mutex; grey where it sleeps.
* ``timeline_figure(runs)``: old above new on the same time axis, then the counters over time.
* ``counters(ax, runs, which)``: list length, i_dio_count or pending work items over time.
* ``scaling_figure(table)``: cost and latency against the number of IOs, old vs new.
* ``metrics_table_figure(runs)``: the metrics side by side.

Large runs are aggregated before drawing: each lane is cut into at most ``bins`` time bins and a bin
shows the activity that took most of the task's CPU time in it, so a 100,000-IO run draws as fast
as a small one. Colours are the Okabe-Ito palette (colour-blind safe); fonts are sized for a projector.
"""

from __future__ import annotations

from ..designs.kinds import ACTIVITIES
from .committed import instead_of_plot
from .run import TimedRun

COLOURS = {  # Okabe-Ito
    "converting": "#009E73", "requeue": "#D55E00", "yield": "#CC79A7", "spinning": "#E69F00",
    "completion": "#56B4E9", "submitting": "#0072B2", "buffered write": "#F0E442", "bookkeeping": "#999999",
}
SLEEP_COLOUR = "#EEEEEE"
MUTEX_COLOUR = "#000000"
FONT = 15
DESIGN_LABEL = {"old": "OLD (v3.6): trylock i_mutex, requeue, yield",
                "new": "NEW (28a535f9): one queue, no i_mutex in the worker",
                "old-blocking": "OLD-BLOCKING (counterfactual, no kernel): worker sleeps on i_mutex",
                "c278531d": "NEW + c278531d"}


def _style():
    import matplotlib

    matplotlib.rcParams.update({"font.size": FONT, "axes.titlesize": FONT + 2, "axes.labelsize": FONT,
                                "xtick.labelsize": FONT - 2, "ytick.labelsize": FONT - 1,
                                "legend.fontsize": FONT - 2, "axes.spines.top": False, "axes.spines.right": False})


def _unit(t_max: int):
    if t_max >= 5_000_000:
        return 1_000_000, "s"
    if t_max >= 5_000:
        return 1_000, "ms"
    return 1, "µs"


def _rows(rows, width: int):
    """``rows`` (lists or tuples of ``width`` ints) as an ``(n, width)`` int64 array. ``np.fromiter`` over
    the chained rows is several times faster than ``np.asarray`` on a list of a million small lists."""
    from itertools import chain

    import numpy as np

    return np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=width * len(rows)).reshape(-1, width)


def _covered(starts, ends, edges):
    """µs of the intervals ``[starts[i], ends[i])`` that lie before each of ``edges`` (vectorised:
    the sum over i of clip(x - start, 0, end - start), from sorted starts and ends and their prefix sums)."""
    import numpy as np

    s = np.sort(starts)
    e = np.sort(ends)
    cs = np.concatenate(([0], np.cumsum(s)))
    ce = np.concatenate(([0], np.cumsum(e)))
    i_s = np.searchsorted(s, edges, side="left")
    i_e = np.searchsorted(e, edges, side="left")
    return (i_s * edges - cs[i_s]) - (i_e * edges - ce[i_e])


def lane_bars(run: TimedRun, tid: int, bins: int, t_end: int):
    """``{activity: [(start, width), ...]}`` for one lane: exact segments when there are few, else the
    dominant activity per time bin (fast-forwarded passes count with their per-pass mix). The binning
    is vectorised with numpy, so a lane of a million segments takes milliseconds."""
    segs = run.segments[tid]
    ffs = [f for f in run.fast_forwards if f["task"] == tid]
    out: dict[str, list] = {}
    if len(segs) <= bins and not ffs:
        for start, end, act, _ in segs:
            out.setdefault(ACTIVITIES[act], []).append((start, end - start))
        return out
    import numpy as np

    width = max(1, -(-t_end // bins))
    n = -(-t_end // width) + 1
    edges = np.arange(n + 1, dtype=np.int64) * width
    acc = np.zeros((len(ACTIVITIES), n), dtype=np.float64)
    if segs:
        arr = _rows(segs, 4)
        for a in np.unique(arr[:, 2]):
            mine = arr[arr[:, 2] == a]
            acc[a] += np.diff(_covered(mine[:, 0], mine[:, 1], edges))
    for f in ffs:
        one = np.diff(_covered(np.array([f["start"]]), np.array([f["end"]]), edges))
        for act, us in f["per_period_us"].items():
            acc[ACTIVITIES.index(act)] += one * (us / f["period_us"])
    # the dominant activity per bin (-1: nothing ran), then runs of equal bins
    dom = np.where(acc.max(axis=0) > 0, acc.argmax(axis=0), -1)
    cut = np.flatnonzero(np.diff(dom)) + 1
    first = np.concatenate(([0], cut))
    last = np.concatenate((cut, [n]))
    for b0, b1 in zip(first.tolist(), last.tolist()):
        a = int(dom[b0])
        if a >= 0:
            out.setdefault(ACTIVITIES[a], []).append((b0 * width, (b1 - b0) * width))
    return out


def hold_bars(run: TimedRun, tid: int, bins: int, t_end: int, holds=None):
    """``[(start, width), ...]`` of task ``tid``'s i_mutex holds: exact when there are few, else holds
    less than one time bin apart are drawn as one bar (a 100,000-IO run has 100,000 holds). ``holds``:
    ``run.holds`` as an array (``_rows(run.holds, 3)``), when the caller has it already."""
    if holds is None:
        if len(run.holds) <= bins:
            return [(s, e - s) for h, s, e in run.holds if h == tid and e > s]
        holds = _rows(run.holds, 3)
    import numpy as np

    mine = holds[(holds[:, 0] == tid) & (holds[:, 2] > holds[:, 1])]
    if len(mine) <= bins:
        return [(s, e - s) for s, e in mine[:, 1:].tolist()]
    arr = mine[np.lexsort((mine[:, 2], mine[:, 1]))][:, 1:]  # sorted by (start, end)
    width = max(1, -(-t_end // bins))
    ends = np.maximum.accumulate(arr[:, 1])
    cut = np.flatnonzero(arr[1:, 0] - ends[:-1] >= width) + 1
    first = np.concatenate(([0], cut))
    last = np.concatenate((cut, [len(arr)])) - 1
    return [(int(s), int(e - s)) for s, e in zip(arr[first, 0], ends[last])]


def swimlanes(ax, run: TimedRun, *, t_end: int | None = None, bins: int = 1500, title: str | None = None):
    """Draw one lane per task of ``run`` on ``ax``; returns the activities drawn."""
    t_end = t_end or run.sim_time_us
    scale, unit = _unit(t_end)
    n = len(run.names)
    used = set()
    holds_arr = _rows(run.holds, 3) if len(run.holds) > bins else None
    for row, tid in enumerate(range(n)):
        y = n - 1 - row
        ax.broken_barh([(0, min(run.sim_time_us, t_end) / scale)], (y - 0.32, 0.64), color=SLEEP_COLOUR, zorder=1)
        for act, bars in lane_bars(run, tid, bins, t_end).items():
            ax.broken_barh([(s / scale, max(wd / scale, t_end / scale / 2000)) for s, wd in bars],
                           (y - 0.32, 0.64), color=COLOURS[act], zorder=2, linewidth=0)
            used.add(act)
        holds = [(s / scale, wd / scale) for s, wd in hold_bars(run, tid, bins, t_end, holds_arr)]
        if holds:
            ax.broken_barh(holds, (y - 0.46, 0.1), color=MUTEX_COLOUR, zorder=3)
            used.add("holding i_mutex")
    for f in run.fast_forwards:
        y = n - 1 - f["task"]
        ax.text((f["start"] + f["end"]) / 2 / scale, y + 0.42, f"same requeue pass x{f['repeats']:,} (fast-forwarded)",
                ha="center", va="bottom", fontsize=FONT - 3, zorder=4)
    ax.set_yticks(range(n))
    ax.set_yticklabels(list(reversed(run.names)))
    ax.set_ylim(-0.7, n - 0.2 + (0.5 if run.fast_forwards else 0))
    ax.set_xlim(0, t_end / scale)
    ax.set_xlabel(f"simulated time ({unit})")
    w = run.world
    calls = {start for start, _ in w.truncates}
    calls |= {w.started[t.tid] for t in w.tasks if t.role == "truncate" and w.truncate_calls}
    for start in sorted(calls):
        ax.axvline(start / scale, color="#555555", linestyle=":", linewidth=1.5, zorder=0)
    if w.truncate_calls > len(w.truncates):
        ax.axvline(run.sim_time_us / scale, color="#D55E00", linestyle="--", linewidth=2, zorder=5)
    ax.set_title(title or DESIGN_LABEL.get(run.design, run.design), loc="left")
    return used


def legend(fig, used, **kw):
    from matplotlib.patches import Patch

    order = [a for a in ACTIVITIES if a in used]
    handles = [Patch(color=COLOURS[a], label=a) for a in order]
    handles.append(Patch(color=SLEEP_COLOUR, label="sleeping / waiting"))
    if "holding i_mutex" in used:
        handles.append(Patch(color=MUTEX_COLOUR, label="holding i_mutex"))
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 5), frameon=False, **kw)


def _outcome_text(run: TimedRun) -> str:
    from .metrics import metrics

    m = metrics(run)
    tl = m["truncate_latency_us"]
    has_trunc = run.world.truncate_calls or run.workload.truncate_at_us is not None
    if has_trunc:
        tr = (f"truncate returned after {tl:,} µs" if tl is not None
              else "truncate NEVER returned (stopped at the time limit)")
    else:
        tr = "no truncate"
    return (f"{tr} · {m['requeues']:,} requeues\nworker CPU: {m['worker_cpu_us']['wasted']:,} µs wasted, "
            f"{m['worker_cpu_us']['converting']:,} µs converting")


COUNTERS = {"list_len": (1, "completed list"), "i_dio_count": (2, "i_dio_count"),
            "pending_work": (3, "pending work items")}
LINE = {"old": ("#D55E00", "-"), "new": ("#0072B2", "--")}


def counters(ax, runs: dict, which: str, t_end: int):
    scale, unit = _unit(t_end)
    col, label = COUNTERS[which]
    for name, run in runs.items():
        xs = [s[0] / scale for s in run.samples]
        ys = [s[col] for s in run.samples]
        colour, style = LINE.get(name, ("#000000", "-"))
        ax.step(xs, ys, where="post", color=colour, linestyle=style, linewidth=2.2, label=name)
    ax.set_ylabel(label)
    ax.set_xlim(0, t_end / scale)
    ax.set_xlabel(f"simulated time ({unit})")


def timeline_figure(runs: dict, *, title: str = "", bins: int = 1500, with_counters: bool = True):
    """Old above new (whatever ``runs`` holds, in order) on one time axis, then counters over time."""
    if (instead := instead_of_plot("timeline", next(iter(runs.values())).workload.name)) is not None:
        return instead
    import matplotlib.pyplot as plt

    _style()
    runs = dict(runs)
    t_end = max(r.sim_time_us for r in runs.values())
    heights = [len(r.names) * 0.55 + 1.4 for r in runs.values()]
    if with_counters:
        heights += [2.2, 2.2]
    fig, axes = plt.subplots(len(heights), 1, figsize=(16, sum(heights) + 1.8), sharex=True,
                             gridspec_kw={"height_ratios": heights})
    axes = list(axes) if len(heights) > 1 else [axes]
    used = set()
    for ax, (name, run) in zip(axes, runs.items()):
        used |= swimlanes(ax, run, t_end=t_end, bins=bins,
                          title=f"{DESIGN_LABEL.get(name, name)}\n{_outcome_text(run)}")
        ax.set_xlabel("")
    if with_counters:
        counters(axes[-2], runs, "list_len", t_end)
        counters(axes[-1], runs, "i_dio_count", t_end)
        axes[-2].legend(loc="upper right", frameon=False)
        axes[-2].set_xlabel("")
    for ax in axes:
        ax.tick_params(labelbottom=True)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=FONT + 3, fontweight="bold")
    legend(fig, used)
    fig.tight_layout(rect=(0, 0.06, 1, 0.97 if title else 1))
    return fig


def scaling_figure(rows, *, title: str = ""):
    """``rows``: dicts with ``design``, ``ios`` and the flat metrics (see ``metrics.flat``)."""
    if (instead := instead_of_plot("scaling", "seed")) is not None:  # the one scaling curve committed
        return instead
    import matplotlib.pyplot as plt

    _style()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(16, 8))
    for design in sorted({r["design"] for r in rows}, reverse=True):
        rs = sorted((r for r in rows if r["design"] == design), key=lambda r: r["ios"])
        colour, style = LINE.get(design, ("#000000", "-"))
        xs = [r["ios"] for r in rs]
        a1.plot(xs, [r["worker_cpu_us.wasted"] + r["worker_cpu_us.converting"] for r in rs], color=colour,
                linestyle=style, marker="o", linewidth=2.5, markersize=9, label=f"{design}: worker CPU")
        a1.plot(xs, [r["lock_acquisitions"] for r in rs], color=colour, linestyle=":", marker="s", linewidth=2,
                markersize=8, label=f"{design}: spinlock acquisitions")
        lat = [r["truncate_latency_us"] for r in rs]
        ok = [(x, v) for x, v in zip(xs, lat) if v is not None]
        if ok:
            a2.plot(*zip(*ok), color=colour, linestyle=style, marker="o", linewidth=2.5, markersize=9,
                    label=f"{design}: truncate latency")
        never = [x for x, v in zip(xs, lat) if v is None]
        if never:
            top = max([r["sim_time_us"] for r in rs])
            a2.plot(never, [top] * len(never), color=colour, marker="X", linestyle="none", markersize=16,
                    label=f"{design}: truncate never returned (shown at the time limit)")
        a2.plot(xs, [r["conversion_latency_us.p99"] or 0 for r in rs], color=colour, linestyle=":", marker="s",
                linewidth=2, markersize=8, label=f"{design}: conversion p99")
    for ax, lab in ((a1, "count / µs"), (a2, "µs")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("IOs (aio-stress -I)")
        ax.set_ylabel(lab)
        ax.legend(frameon=False, fontsize=FONT - 4, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    a1.set_title("cost", loc="left")
    a2.set_title("latency", loc="left")
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=FONT + 3, fontweight="bold")
    fig.tight_layout()
    return fig


def metrics_table_figure(runs: dict, *, title: str = ""):
    """The metrics of each run side by side as a table figure (a plain table without matplotlib)."""
    if instead_of_plot("metrics", "") is not None:
        from .metrics import metrics_frame

        return metrics_frame(runs).drop(columns=["wall_seconds"]).T
    import matplotlib.pyplot as plt

    from .metrics import flat, metrics

    _style()
    cols = list(runs)
    ms = {n: flat(metrics(r)) for n, r in runs.items()}
    keys = [k for k in ms[cols[0]] if k != "wall_seconds"]

    def fmt(v):
        if v is None:
            return "never (null)"
        return f"{v:,}" if isinstance(v, int) else str(v)

    cells = [[fmt(ms[c][k]) for c in cols] for k in keys]
    fig, ax = plt.subplots(figsize=(11, 0.55 * len(keys) + 1.5))
    ax.axis("off")
    tab = ax.table(cellText=cells, rowLabels=keys, colLabels=cols, loc="center", cellLoc="right")
    tab.auto_set_font_size(False)
    tab.set_fontsize(FONT - 1)
    tab.scale(1, 1.6)
    if title:
        ax.set_title(title, loc="left")
    fig.tight_layout()
    return fig
