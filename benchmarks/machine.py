"""What machine a benchmark ran on: cores, CPU model, Python, and the load at the start."""

from __future__ import annotations

import os
import platform


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
