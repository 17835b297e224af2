"""A progress bar for long searches: tqdm, imported only when a search runs longer than about a second.

``progress=None`` (the default) shows the bar once a search has run for ``AFTER`` seconds;
``True`` shows it at once; ``False`` never (notebook cells checked by nbval must print the same
output every time).
"""

from __future__ import annotations

import time

AFTER = 1.0


class Progress:
    def __init__(self, mode, total: int | None, desc: str):
        self.mode = mode
        self.total = total
        self.desc = desc
        self.bar = None
        self.t0 = time.perf_counter()
        self.last = 0

    def __call__(self, states: int, expanded: int) -> None:
        if self.mode is False:
            return
        if self.bar is None:
            if self.mode is not True and time.perf_counter() - self.t0 < AFTER:
                return
            from tqdm import tqdm  # lazy: only searches that take a while pay for the import

            self.bar = tqdm(total=self.total, desc=self.desc, unit="states", leave=False)
        self.bar.update(states - self.last)
        self.last = states
        self.bar.set_postfix(expanded=expanded, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
