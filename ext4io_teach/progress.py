"""A progress bar for long work (a search, a large timed run): tqdm, imported only once the work has
run for about a second; text on stderr in a terminal, an ipywidgets bar in a notebook (``tqdm.auto``).

``progress=None`` (the default) shows the bar once the work has run for ``AFTER`` seconds; ``True``
shows it at once; ``False`` never (notebook cells checked by nbval must print the same output every
time); a callable is called instead of a bar, with the same two numbers a bar would show.
"""

from __future__ import annotations

import time

from .errors import bad_input, shown

AFTER = 1.0


class Progress:
    """``bar(done, extra)``: ``done`` of ``total`` units so far, and one more figure shown beside it
    under the name ``extra``; with a callable ``mode``, that is called instead. ``close()`` in any case."""

    def __init__(self, mode, total: int | None, desc: str, unit: str, extra: str):
        self.callback = mode if callable(mode) else None
        self.mode = mode
        self.total = total
        self.desc = desc
        self.unit = unit
        self.extra = extra
        self.bar = None
        self.t0 = time.perf_counter()
        self.last = 0

    def __call__(self, done: int, extra) -> None:
        if self.callback is not None:
            self.callback(done, extra)
            return
        if self.mode is False:
            return
        if self.bar is None:
            if self.mode is not True and time.perf_counter() - self.t0 < AFTER:
                return
            from tqdm.auto import tqdm  # lazy; in a notebook kernel, an ipywidgets bar instead of text on stderr

            self.bar = tqdm(total=self.total, desc=self.desc, unit=self.unit, leave=False)
        self.bar.update(done - self.last)
        self.last = done
        self.bar.set_postfix({self.extra: extra}, refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def progress_for(progress, total: int | None, desc: str, unit: str, extra: str):
    """The ``Progress`` a ``progress=`` argument asks for (a bar, none, or the caller's callable)."""
    if not callable(progress) and progress not in (None, True, False):
        raise bad_input("progress", f"{shown(progress)} is not a progress setting",
                        f"None (a bar after about {AFTER:g} s), True, False, or a callable f({unit}, {extra})")
    return Progress(progress, total, desc, unit, extra)
