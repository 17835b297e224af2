"""Pausing Python's cyclic garbage collector around bulk work (an exhaustive search, a timed run).

Both make hundreds of thousands to millions of small tuples and lists that stay alive until the work
ends and never form a reference cycle. With the collector on, it would scan them again and again as
they age through its generations; when it comes back on after a pause, the first allocation would
scan everything made meanwhile as young objects at once. ``collector_paused()`` switches it off for
the work and then moves what was made straight to the oldest generation (``gc.freeze()`` then
``gc.unfreeze()``), which is scanned only in full collections. The caller's on/off setting is
restored; if the caller has frozen objects of its own, nothing is moved (``unfreeze`` would release
theirs too). The cost: other young objects of the process also wait for the next full collection.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """``with collector_paused(): ...`` runs the block with the collector off (see the module docstring)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()
