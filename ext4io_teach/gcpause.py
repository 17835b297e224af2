"""Pausing Python's cyclic garbage collector around the explorer's search.

A search makes millions of small tuples and lists (state keys, memo nodes) that stay alive until it
ends and never form a reference cycle. With the collector on, it scans them again and again as they
age through its generations: at fsync-vs-worker, old design, N = 6 (2.8 million states) the search
took 13.1 s with the collector on and 9.6 s with it paused (one run each, same minutes; issue 15).
``collector_paused()`` switches it off for the block and restores the caller's setting.

Timed runs do not pause it: at 100,000 IOs the run took the same time with and without (6.9-7.5 s
either way, within this machine's noise).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def collector_paused():
    """``with collector_paused(): ...`` runs the block with the collector off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
