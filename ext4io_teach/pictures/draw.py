"""Drawing the pictures with matplotlib (imported inside each function, never at package import).

Readable on a projector: 15-18 pt type, black text, few colours (Okabe-Ito: sky blue for tasks,
orange for locks, vermillion for waits, blue for "needs"), thick lines, and nothing told by colour
alone: every edge carries its words and every node its name.

``figure(picture)`` draws a ``WaitFor`` (``draw_wait_for``) or a ``Sequence``
(``draw_sequence.draw_sequence``) on a new Figure of a projector-friendly size.
"""

from __future__ import annotations

import math
import textwrap

from .sequence import Sequence
from .waitfor import WaitFor

FONT = 16
NODE_FILL = {"task": "#56B4E9", "mutex": "#E69F00", "spinlock": "#E69F00", "counter": "#FFFFFF", "work": "#DDDDDD"}
NODE_SHAPE = {"task": "round,pad=0.45", "mutex": "square,pad=0.45", "spinlock": "square,pad=0.45",
              "counter": "round4,pad=0.45", "work": "sawtooth,pad=0.4"}
EDGE_STYLE = {  # colour, line style, width, what the arrow says (a holds edge is drawn lock -> holder)
    "holds": ("#000000", "-", 3.0, "held by"),
    "waits for": ("#D55E00", "-", 3.0, "waits for"),
    "needs": ("#0072B2", "--", 2.5, "needs"),
    "tries": ("#D55E00", ":", 3.0, "tries"),
}
HIDDEN_COLOUR = "#BBBBBB"
NOTE_WIDTH = 105  # characters per line under a picture
TITLE_WIDTH = 80


def _style():
    import matplotlib

    matplotlib.rcParams.update({"font.size": FONT, "axes.titlesize": FONT + 2, "font.family": "DejaVu Sans"})


RING = (1.45, 0.95)  # the ellipse the nodes of a cycle sit on (data units)
XLIM, YLIM = (-2.7, 2.7), (-1.85, 1.4)


def layout(g: WaitFor) -> dict[str, tuple[float, float]]:
    """Node positions: the nodes of a cycle (counting trylock edges) on an ellipse, clockwise from
    the top left, then every other node outside, beyond the node it is joined to."""
    whole = WaitFor(g.title, g.nodes, g.edges + [e for e, _ in g.hidden])  # a view keeps the full layout
    cyc = whole.cycle(("holds", "waits for", "needs", "tries")) or []
    ring = cyc[:-1] or [n.key for n in g.nodes if n.kind == "task"][:1] or [g.nodes[0].key]
    pos = {}
    for i, key in enumerate(ring):
        a = math.pi * 0.75 - 2 * math.pi * i / max(len(ring), 1)
        pos[key] = (math.cos(a) * RING[0], math.sin(a) * RING[1])
    for key in [n.key for n in g.nodes if n.key not in pos]:
        nb = next((e.dst if e.src == key else e.src for e in whole.edges if key in (e.src, e.dst)
                   and (e.dst if e.src == key else e.src) in pos), None)
        x, y = pos.get(nb, (0.0, -RING[1]))
        pos[key] = (x, y - 0.62) if abs(y) >= abs(x) * RING[1] / RING[0] else (x * 1.55, y)
    return pos


def _extents(ax, texts) -> dict:
    """Each node's box in data coordinates (``(x0, y0, x1, y1)``), measured on a drawn canvas."""
    ax.figure.canvas.draw()
    inv = ax.transData.inverted()
    out = {}
    for key, t in texts.items():
        bb = t.get_bbox_patch().get_window_extent()
        (x0, y0), (x1, y1) = inv.transform([(bb.x0, bb.y0), (bb.x1, bb.y1)])
        out[key] = (x0, y0, x1, y1)
    return out


def _clip(centre, towards, box, margin: float = 0.03):
    """Where the line from ``centre`` to ``towards`` leaves ``box``."""
    (x, y), (tx, ty) = centre, towards
    dx, dy = tx - x, ty - y
    hx, hy = (box[2] - box[0]) / 2 + margin, (box[3] - box[1]) / 2 + margin
    f = min(hx / abs(dx) if dx else math.inf, hy / abs(dy) if dy else math.inf)
    return (x + dx * f, y + dy * f)


def draw_wait_for(ax, g: WaitFor) -> None:
    """Draw ``g`` on ``ax``: nodes, labelled edges, the loop of a task that keeps running, the
    edges a view leaves out (faint, and why, in the note), the queue of a schematic."""
    ax.set_xlim(*XLIM)
    ax.set_ylim(*YLIM)
    ax.set_axis_off()
    pos = layout(g)
    used = {k for e in g.edges for k in (e.src, e.dst)}
    texts = {}
    for n in g.nodes:
        faded = bool(g.hidden) and n.key not in used
        texts[n.key] = ax.text(*pos[n.key], n.label, ha="center", va="center", fontsize=FONT, zorder=3,
                               alpha=0.45 if faded else 1.0,
                               bbox={"boxstyle": NODE_SHAPE[n.kind], "fc": NODE_FILL[n.kind], "ec": "#000000",
                                     "lw": 2.0, "alpha": 0.45 if faded else 1.0})
    boxes = _extents(ax, texts)
    for e, _why in g.hidden:
        _arrow(ax, pos, boxes, e, HIDDEN_COLOUR, "--", 1.5, "")
    for e in g.edges:
        colour, ls, lw, word = EDGE_STYLE[e.kind]
        label = word + (f": {e.label}" if e.label and e.kind != "holds" else "")
        _arrow(ax, pos, boxes, e, colour, ls, lw, label)
    if g.loop_task:
        _loop(ax, pos[g.loop_task], boxes[g.loop_task], g.loop)
    if g.queue:
        _queue(ax, g.queue)
    if notes_of(g):
        ax.figure.text(0.015, 0.015, "\n".join(notes_of(g)), ha="left", va="bottom", fontsize=FONT - 2)
    ax.set_title("\n".join(textwrap.wrap(g.title, TITLE_WIDTH)), fontsize=FONT + 2, loc="left", fontweight="bold")


def notes_of(g: WaitFor) -> list[str]:
    """The lines under the picture: its note, then why each left-out kind of edge is left out."""
    lines = ([g.note] if g.note else []) + sorted({why for _, why in g.hidden})
    return [w for line in lines for w in textwrap.wrap(line, NOTE_WIDTH)]


def _arrow(ax, pos, boxes, e, colour, ls, lw, label) -> None:
    a, b = (e.dst, e.src) if e.kind == "holds" else (e.src, e.dst)
    start = _clip(pos[a], pos[b], boxes[a])
    end = _clip(pos[b], pos[a], boxes[b])
    ax.annotate("", xy=end, xytext=start, zorder=2,
                arrowprops={"arrowstyle": "-|>,head_length=0.8,head_width=0.4", "color": colour, "lw": lw,
                            "ls": ls, "shrinkA": 0, "shrinkB": 0})
    if label:  # beside the line, on the side away from the middle of the picture, never over the arrow
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        dx, dy = end[0] - start[0], end[1] - start[1]
        nx, ny = -dy, dx
        if nx * mx + ny * my < 0:
            nx, ny = -nx, -ny
        norm = math.hypot(nx, ny) or 1.0
        nx, ny = nx / norm, ny / norm
        ax.text(mx + 0.07 * nx, my + 0.07 * ny, label, fontsize=FONT - 2, color=colour, zorder=4,
                multialignment="center",
                ha="left" if nx > 0.3 else ("right" if nx < -0.3 else "center"),
                va="bottom" if ny > 0.3 else ("top" if ny < -0.3 else "center"),
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})


def _loop(ax, at, box, steps: list[str]) -> None:
    """A round arrow between the node at ``at`` and the middle of the picture, and in the middle, the
    steps of one round (the ring of nodes leaves the middle free)."""
    from matplotlib.patches import Arc

    x, y = at
    inward = -1 if y > 0 else 1
    cx, cy, r, squash = x, (box[3] if inward > 0 else box[1]) + inward * 0.33, 0.2, 1.3
    ax.add_patch(Arc((cx, cy), 2 * r, 2 * r * squash, theta1=50, theta2=300, color="#D55E00", lw=3, zorder=2))
    t = math.radians(300)  # the arc runs counterclockwise and ends here: the head carries it on
    tail = (cx + r * math.cos(t), cy + r * squash * math.sin(t))
    tip = (tail[0] - 0.12 * math.sin(t), tail[1] + 0.12 * squash * math.cos(t))
    ax.annotate("", xy=tip, xytext=tail, zorder=2,
                arrowprops={"arrowstyle": "-|>,head_length=0.8,head_width=0.45", "color": "#D55E00", "lw": 3})
    lines = ["round and round, never waiting:"] + [f"{i}. {step}" for i, step in enumerate(steps, 1)]
    ax.text(0.0, 0.16, "\n".join(lines), ha="center", va="center", fontsize=FONT - 2, color="#000000", zorder=4,
            multialignment="left", bbox={"boxstyle": "round,pad=0.35", "fc": "#FFF3E0", "ec": "#D55E00", "lw": 2})


def _queue(ax, items: list[str]) -> None:
    """A work queue, head first, at the bottom right."""
    ax.text(2.45, -1.0, "the worker's queue (head first):\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(items, 1)),
            ha="right", va="top", fontsize=FONT - 2, family="DejaVu Sans Mono", multialignment="left",
            bbox={"boxstyle": "square,pad=0.4", "fc": "#FFFFFF", "ec": "#000000", "lw": 1.5})


def figure(picture, *, size=None):
    """A new Figure with ``picture`` drawn on it (a ``WaitFor`` or a ``Sequence``)."""
    import matplotlib.pyplot as plt

    _style()
    if isinstance(picture, WaitFor):
        fig, ax = plt.subplots(figsize=size or (12, 7.5))
        title_lines = len(textwrap.wrap(picture.title, TITLE_WIDTH))
        fig.subplots_adjust(left=0.02, right=0.98, top=0.96 - 0.045 * title_lines,
                            bottom=0.04 + 0.045 * len(notes_of(picture)))
        draw_wait_for(ax, picture)
        return fig
    if isinstance(picture, Sequence):
        from .draw_sequence import draw_sequence, size_for

        fig, ax = plt.subplots(figsize=size or size_for(picture))
        draw_sequence(ax, picture)
        fig.tight_layout()
        return fig
    raise TypeError(f"picture: {type(picture).__name__} is neither a WaitFor nor a Sequence")
