"""Each picture in words, and ``show``: a picture for a notebook cell.

``describe(picture)`` says what a picture draws, line by line: the edges of a wait-for graph, the
stages, events and hand-offs of each lane of a sequence diagram. A notebook stores it as the text
beside the PNG (what a screen reader, ``nbconvert --to markdown`` or a text-only front end gets), and
it is what a reader sees where matplotlib is missing (the browser site).

``show(picture)`` displays a picture once in a notebook: a PNG drawn by ``draw.figure`` (the figure
is closed at once, so the inline backend does not show it a second time) with ``describe`` as its
text; outside IPython it prints the words. Standard library only; matplotlib is imported when a PNG
is drawn.
"""

from __future__ import annotations

import io

from .sequence import Sequence
from .waitfor import WaitFor

DPI = 100  # pixels per inch of a shown PNG: a 12-inch wait-for picture is 1200 pixels wide


def _flat(label: str) -> str:
    return " ".join(label.split())


def _wait_for_words(g: WaitFor) -> list[str]:
    lab = {n.key: _flat(n.label) for n in g.nodes}
    lines = []
    for e in g.edges:
        what = f": {_flat(e.label)}" if e.label else ""
        lines.append(f"  {lab[e.src]} {e.kind} {lab[e.dst]}{what}")
    if g.loop:
        lines.append(f"  {lab[g.loop_task]} goes round and round, never waiting: " + "; ".join(g.loop))
    if g.queue:
        lines.append("  the worker's queue, head first: " + "; ".join(g.queue))
    for e, why in g.hidden:
        lines.append(f"  left out: {lab[e.src]} {e.kind} {lab[e.dst]} ({why})")
    if not g.edges:
        lines.append("  nothing holds, waits or needs")
    return lines + ([f"  {g.note}"] if g.note else [])


def _sequence_words(seq: Sequence) -> list[str]:
    lines = []
    for k, name in enumerate(seq.lanes):
        stages = [f"{b.stage} {b.first}-{b.last}" for b in seq.boxes if b.task == k]
        events = [f"{e.step} io#{e.io} {e.text}" if e.kind == "flag" else f"{e.step} {e.text} io#{e.io}"
                  for e in sorted(seq.events, key=lambda e: e.step) if e.task == k]
        waits = [f"between steps {x.first} and {x.last + 1} ({x.why})" for x in seq.waits if x.task == k]
        steps = sum(1 for _, t, _ in seq.steps if t == k)
        parts = [f"{steps} step(s)"] + (["stages " + ", ".join(stages)] if stages else []) + events
        parts += [f"cannot run {w}" for w in waits]
        lines.append(f"  {name}: " + "; ".join(parts))
    for h in seq.handoffs:
        verb = "takes" if h.what == "takes" else "frees"
        lines.append(f"  io#{h.io}: {seq.lanes[h.src]} -> {seq.lanes[h.dst]} ({seq.lanes[h.dst]} {verb} it "
                     f"at step {h.dst_step})")
    if seq.violation is not None:
        step, task, name, account = seq.violation
        lines.append(f"  BROKEN at step {step} by {seq.lanes[task]}: {name}: {account}")
    return lines


def describe(picture) -> str:
    """The picture in words: its title, then one line per edge (a ``WaitFor``) or per lane and
    hand-off (a ``Sequence``)."""
    if isinstance(picture, WaitFor):
        return "\n".join([picture.title] + _wait_for_words(picture))
    if isinstance(picture, Sequence):
        return "\n".join([picture.title] + _sequence_words(picture))
    raise TypeError(f"picture: {type(picture).__name__} is neither a WaitFor nor a Sequence")


class Shown:
    """A picture as a notebook shows it: ``_repr_png_`` draws it (None without matplotlib), and its
    text (``repr``) is ``describe(picture)``."""

    def __init__(self, picture, *, size=None, dpi: int = DPI):
        self.text = describe(picture)  # also rejects what is not a picture
        self.picture, self.size, self.dpi = picture, size, dpi

    def _repr_png_(self) -> bytes | None:
        from ..timed.committed import matplotlib_missing

        if matplotlib_missing():
            return None
        import matplotlib.pyplot as plt

        from .draw import figure

        fig = figure(self.picture, size=self.size)
        buf = io.BytesIO()
        try:
            fig.savefig(buf, format="png", dpi=self.dpi)
        finally:
            plt.close(fig)
        return buf.getvalue()

    def __repr__(self) -> str:
        return self.text


def show(picture, *, size=None, dpi: int = DPI) -> None:
    """Show ``picture`` (a ``WaitFor`` or a ``Sequence``) once: in a notebook, as a PNG with the picture
    in words as its text (words only where matplotlib is missing); elsewhere, print the words. To keep
    a matplotlib Figure (to save it, say), use ``figure``."""
    shown = Shown(picture, size=size, dpi=dpi)
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        from IPython.display import display

        display(shown)
    else:
        print(shown.text)
