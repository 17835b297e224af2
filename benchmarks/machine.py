"""What machine a benchmark ran on: cores, CPU model, Python, and the load at the start."""

from __future__ import annotations

import os
import platform
import time


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def describe(load: bool = True) -> str:
    """``nproc 2, <CPU>, Python 3.11.7 (CPython, Linux)[, load average at start 1.2]``."""
    text = (f"nproc {os.cpu_count()}, {cpu_model()}, Python {platform.python_version()} "
            f"({platform.python_implementation()}, {platform.system()})")
    if load and hasattr(os, "getloadavg"):
        text += f", load average at start {os.getloadavg()[0]:.1f}"
    return text


def speed_reference_ms(repeat: int = 5) -> float:
    """CPU milliseconds of a fixed allocation-heavy loop (tuples built, copied, hashed and looked up
    in a dict, as the explorer's search and the timed engine do), the best of ``repeat``. This
    virtual machine's speed for such code swings by up to about 2x within minutes with nothing
    visible in the guest; printed beside a benchmark's figures it says which phase they came from
    (lower is faster)."""
    best = float("inf")
    for _ in range(repeat):
        c0 = time.process_time()
        seen: dict = {}
        for i in range(100_000):
            key = (i, i & 7, i >> 3, i % 11, 5, 6, 7, 8, 9, 10, 11, 12)
            nk = [*key]
            nk[1] = 3
            nk = tuple(nk)
            seen[nk] = seen.get(key, 0) + 1
        best = min(best, time.process_time() - c0)
    return best * 1000
