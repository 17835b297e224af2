"""Pictures made from the model, for the notebooks, the slides and ``docs/img/``.

Each picture is built in two parts: a plain data structure computed from the model (standard
library only, tested on what it says: the edges, the lanes, the boxes), and a matplotlib drawing of
that structure (matplotlib is imported inside the drawing functions, never at package import).

* ``waitfor``: the wait-for graph of a state: tasks and resources (``i_mutex``, the spinlock
  ``i_completed_io_lock``, ``i_dio_count``, work items) joined by "holds", "waits for", "needs" and
  "tries" (a trylock: no wait) edges; ``hang_views()`` gives notebook 03's three views (the old
  design's loop, ``old-blocking``'s frozen cycle, lockdep's view).
* ``sequence``: a sequence diagram of a run: one lane per task, the flush stages A-D as boxes,
  io_ends handed from task to task, flag changes, conversions and frees.
* ``reclaim``: the reclaim deadlock that brought the trylock (2581fdc8, 8c0bec21), a labelled
  schematic that is *not* computed from the model.
* ``draw``: the drawings; ``figure(...)`` for any of the three, sized and coloured for a projector.
* ``words``: ``describe(...)``, each picture in words, and ``show(...)``, a picture for a notebook cell
  (a PNG with the words as its text, shown once; words only where matplotlib is missing).
"""

from __future__ import annotations

from .reclaim import reclaim_deadlock
from .sequence import Sequence, sequence
from .waitfor import WaitFor, hang_views, lockdep_view, wait_for
from .words import describe, show

__all__ = ["WaitFor", "wait_for", "lockdep_view", "hang_views", "Sequence", "sequence", "reclaim_deadlock",
           "figure", "show", "describe"]


def figure(picture, **kw):
    """A matplotlib Figure of a ``WaitFor`` or a ``Sequence`` (matplotlib is imported now)."""
    from . import draw

    return draw.figure(picture, **kw)
