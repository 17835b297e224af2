"""Committed figures in place of live plots when matplotlib is not installed (the browser site).

``plot.timeline_figure`` and ``plot.scaling_figure`` draw with matplotlib. Without it they return a
``CommittedFigure``: the figure committed with the package for the same workload (``figures/*.png``,
copies of ``docs/img``: the classroom case at 12 IOs, the seed case at 100,000 IOs, the seed's scaling
curve), under a one-line note saying that it is the committed figure and not the run just made, and
how to draw the live one. A workload without a committed figure gets the note alone.
"""

from __future__ import annotations

import base64
import html
from importlib import resources

# (kind, workload name) -> (file in figures/, what it shows)
FIGURES = {
    ("timeline", "classroom"): ("timeline_classroom.png", "the classroom workload at 12 IOs, old above new"),
    ("timeline", "seed"): ("timeline_seed_100k.png", "the seed workload at 100,000 IOs, old above new"),
    ("scaling", "seed"): ("scaling_seed.png", "the seed workload, cost and latency against the number of IOs"),
}
INSTALL = "install ext4io-teach with matplotlib on your own machine (README: Installing) to draw this run"


def matplotlib_missing() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return True
    return False


class CommittedFigure:
    """A note and, when one exists, a committed PNG; displays as HTML, PNG or text in a notebook."""

    def __init__(self, kind: str, workload: str):
        self.kind, self.workload = kind, workload
        found = FIGURES.get((kind, workload))
        self.file = found[0] if found else None
        if found:
            self.note = (f"matplotlib is not installed (as in the browser), so this is the committed figure of "
                         f"{found[1]}, not of this run; {INSTALL}.")
        else:
            self.note = (f"matplotlib is not installed (as in the browser) and no {kind} figure of the "
                         f"{workload!r} workload is committed; {INSTALL}.")

    def png(self) -> bytes | None:
        if self.file is None:
            return None
        return resources.files("ext4io_teach").joinpath("figures", self.file).read_bytes()

    def _repr_html_(self) -> str:
        note = f'<p class="e4-committed-note"><em>{html.escape(self.note)}</em></p>'
        data = self.png()
        if data is None:
            return note
        b64 = base64.b64encode(data).decode("ascii")
        return (f'{note}<img src="data:image/png;base64,{b64}" alt="committed {self.kind} figure: '
                f'{html.escape(self.workload)}" style="max-width:100%">')

    def __repr__(self) -> str:
        return self.note


def instead_of_plot(kind: str, workload: str) -> CommittedFigure | None:
    """A ``CommittedFigure`` when matplotlib is missing, else None (then the caller draws)."""
    return CommittedFigure(kind, workload) if matplotlib_missing() else None
