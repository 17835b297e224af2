"""Drawing a ``Sequence``: lanes top to bottom in task order, steps left to right.

Stage boxes carry their letter; the locked stages (A, C: under ``i_completed_io_lock``) are orange,
the unlocked ones (B, D) sky blue, and the legend says so. Flag changes are written above the lane,
conversions and frees below it (a free is a black cross), each label in the first free row so that
none overlaps another; hand-offs are blue arrows from the task that had the io_end to the one that
takes or frees it. matplotlib is imported by the caller (``draw.figure``).
"""

from __future__ import annotations

import textwrap

from .sequence import Sequence

FONT = 16
LABEL_FONT = 13
STEP_IN = 0.34  # inches per step
CHAR_IN = 0.105  # inches per character of a label at LABEL_FONT
ROW = 0.34  # lane units per label row
STAGE_FILL = {"A": "#E69F00", "C": "#E69F00", "B": "#56B4E9", "D": "#56B4E9"}
HAND_COLOUR = "#0072B2"


def _rows(items, width_of) -> dict:
    """Greedy rows: each item (sorted by step) goes to the first row whose last label has ended."""
    ends: list[float] = []
    row_of = {}
    for it in sorted(items, key=lambda e: e.step):
        x0 = it.step - 0.3
        r = next((i for i, end in enumerate(ends) if end < x0), len(ends))
        if r == len(ends):
            ends.append(0.0)
        ends[r] = it.step + width_of(it)
        row_of[it] = r
    return row_of


def _label(e) -> str:
    return f"io#{e.io} {e.text}" if e.kind == "flag" else f"{e.text} io#{e.io}"


def plan(seq: Sequence) -> dict:
    """Where everything goes: per lane its rows of labels above and below and its y position."""
    width = {id(e): len(_label(e)) * CHAR_IN / STEP_IN for e in seq.events}
    lanes = []
    y = 0.0
    for k in range(len(seq.lanes)):
        above = _rows([e for e in seq.events if e.task == k and e.kind == "flag"], lambda e: width[id(e)])
        below = _rows([e for e in seq.events if e.task == k and e.kind != "flag"], lambda e: width[id(e)])
        n_above = max(above.values(), default=-1) + 1
        n_below = max(below.values(), default=-1) + 1
        top = y
        centre = y + 0.45 + n_above * ROW
        y = centre + 0.45 + n_below * ROW + 0.25
        lanes.append({"top": top, "y": centre, "bottom": y, "above": above, "below": below})
    return {"lanes": lanes, "height": y}


def size_for(seq: Sequence) -> tuple[float, float]:
    p = plan(seq)
    steps = max((s for s, _, _ in seq.steps), default=0) + 1 - seq.first_step
    return (max(13.0, 2.2 + steps * STEP_IN + 1.5), max(4.5, 2.4 + p["height"] * 0.62))


def hand_groups(seq: Sequence) -> dict:
    """Hand-offs between the same two tasks at the same step (a splice takes several io_ends off the
    list at once) as one arrow, ``(src, src_step, dst, dst_step, what) -> [io, ...]``, drawn from the
    last step at which the first task had one of them: several arrows into one step would overlap."""
    groups: dict = {}
    for h in seq.handoffs:
        groups.setdefault((h.src, h.dst, h.dst_step, h.what), []).append(h)
    return {(src, max(h.src_step for h in hs), dst, step, what): [h.io for h in hs]
            for (src, dst, step, what), hs in groups.items()}


def draw_sequence(ax, seq: Sequence) -> None:
    from matplotlib.patches import Patch, Rectangle

    p = plan(seq)
    lanes = p["lanes"]
    last = max((s for s, _, _ in seq.steps), default=0)
    lo = seq.first_step
    for k, name in enumerate(seq.lanes):
        ln = lanes[k]
        if k % 2:
            ax.axhspan(ln["top"], ln["bottom"] - 0.25, color="#F2F2F2", zorder=0)
        ax.text(lo - 1.2, ln["y"], name, ha="right", va="center", fontsize=FONT, fontweight="bold")
        xs = [s for s, t, _ in seq.steps if t == k]
        ax.plot(xs, [ln["y"]] * len(xs), "o", color="#555555", ms=3.5, zorder=3)
    for wt in seq.waits:  # a grey hatched bar while the task cannot run, with why if it fits
        y, x0, x1 = lanes[wt.task]["y"], wt.first + 0.35, wt.last + 0.65
        ax.add_patch(Rectangle((x0, y - 0.2), x1 - x0, 0.4, fc="#E0E0E0", ec="#555555", hatch="///", lw=1,
                               zorder=1))
        text = next((t for t in (wt.why, wt.why.split(" held by")[0]) if
                     len(t) * CHAR_IN / STEP_IN < x1 - x0 - 0.4), None) if x1 - x0 >= 6 else None
        if text:
            ax.text((x0 + x1) / 2, y, text, ha="center", va="center", fontsize=LABEL_FONT, style="italic",
                    zorder=4, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9})
    for b in seq.boxes:
        y = lanes[b.task]["y"]
        ax.add_patch(Rectangle((b.first - 0.45, y - 0.3), b.last - b.first + 0.9, 0.6, fc=STAGE_FILL[b.stage],
                               ec="#000000", lw=1.5, alpha=0.55, zorder=1))
        x = (b.first + b.last) // 2 + (0.5 if b.last > b.first else 0)  # between two steps' dots
        ax.text(x, y, b.stage, ha="center", va="center", fontsize=FONT, fontweight="bold", zorder=4,
                bbox={"boxstyle": "circle,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.75})
    for e in seq.events:
        ln = lanes[e.task]
        if e.kind == "flag":
            ty = ln["y"] - 0.38 - ln["above"][e] * ROW
            ax.text(e.step - 0.3, ty, _label(e), ha="left", va="bottom", fontsize=LABEL_FONT, zorder=5)
            continue
        ty = ln["y"] + 0.38 + ln["below"][e] * ROW
        if e.kind == "free":
            ax.plot([e.step], [ln["y"]], "X", color="#000000", ms=15, zorder=6)
        else:
            ax.plot([e.step], [ln["y"]], "D", color="#009E73", ms=9, mec="#000000", zorder=6)
        ax.text(e.step - 0.3, ty, _label(e), ha="left", va="top", fontsize=LABEL_FONT, zorder=5,
                fontweight="bold" if e.kind == "free" else "normal")
    for (src, src_step, dst, dst_step, what), ios in hand_groups(seq).items():
        a = (src_step, lanes[src]["y"])
        b = (dst_step, lanes[dst]["y"])
        ax.annotate("", xy=b, xytext=a, zorder=2, arrowprops={
            "arrowstyle": "-|>,head_length=0.6,head_width=0.3", "color": HAND_COLOUR, "lw": 2.2,
            "ls": "--" if what == "frees" else "-", "connectionstyle": "arc3,rad=-0.08", "shrinkA": 5,
            "shrinkB": 5})
        ax.text(a[0] + (b[0] - a[0]) * 0.55, a[1] + (b[1] - a[1]) * 0.55, ", ".join(f"io#{k}" for k in ios),
                color=HAND_COLOUR,
                fontsize=LABEL_FONT, fontweight="bold", ha="center", va="center", zorder=5,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})
    if seq.violation is not None:
        step, task, name, account = seq.violation
        ax.axvline(step, color="#D55E00", lw=3)
        ax.text(step - 0.3, lanes[task]["y"] - 0.35, f"BROKEN: {name}", color="#D55E00", fontsize=FONT,
                ha="right", va="bottom", fontweight="bold", zorder=6,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9})
        ax.text(0.995, 0.99, "\n".join(textwrap.wrap(account, 48)), transform=ax.transAxes, ha="right", va="top",
                fontsize=LABEL_FONT, color="#D55E00", zorder=6,
                bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#D55E00"})
    ax.set_xlim(lo - 1.0, last + 3.0)
    ax.set_ylim(p["height"], -0.3)
    ax.set_yticks([])
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
    ax.set_xlabel("step")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    fig_w = ax.figure.get_figwidth()
    ax.set_title("\n".join(textwrap.wrap(seq.title, int(fig_w * 5.5))), fontsize=FONT + 2, loc="left",
                 fontweight="bold")
    from matplotlib.lines import Line2D

    kinds = {e.kind for e in seq.events}
    entries = [(bool(seq.boxes), Patch(fc=STAGE_FILL["A"], ec="#000000", alpha=0.55,
                                       label="stage A, C: under the spinlock")),
               (bool(seq.boxes), Patch(fc=STAGE_FILL["B"], ec="#000000", alpha=0.55, label="stage B, D: no lock")),
               ("convert" in kinds, Line2D([], [], ls="", marker="D", color="#009E73", mec="#000000", ms=9,
                                           label="conversion")),
               ("free" in kinds, Line2D([], [], ls="", marker="X", color="#000000", ms=12, label="free")),
               (bool(seq.handoffs), Line2D([], [], color=HAND_COLOUR, lw=2.2, marker=">",
                                           label="the io_end passes to another task")),
               (any(h.what == "frees" for h in seq.handoffs),
                Line2D([], [], color=HAND_COLOUR, lw=2.2, ls="--", marker=">",
                       label="... which frees it (the other unlinked it)")),
               (bool(seq.waits), Patch(fc="#E0E0E0", ec="#555555", hatch="///", label="cannot run (sleeps or spins)"))]
    handles = [h for shown, h in entries if shown]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.2), ncol=3, frameon=False,
              fontsize=LABEL_FONT)
