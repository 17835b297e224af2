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


_MEMORY_PROBE = """
import json, os, resource, sys
sys.path.insert(0, {root!r})
{setup}
def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
start = rss_mib()
{work}
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"start_mib": start, "peak_mib": peak, "after_mib": rss_mib(), "result": globals().get("result")}}))
"""


def memory_of(setup: str, work: str) -> dict:
    """Memory of ``work`` (Python statements) run after ``setup`` in a fresh interpreter, in MiB:
    ``start_mib`` (resident after the setup), ``peak_mib`` (the process's peak resident size, the
    kernel's ``ru_maxrss``), ``after_mib`` (resident after the work, what it made still referenced),
    ``work_peak_mib`` = peak - start, and ``result``: what the work left in a variable named ``result``
    (JSON). Linux only (``/proc/self/statm``)."""
    import json
    import subprocess
    import sys
    import textwrap

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = _MEMORY_PROBE.format(root=root, setup=textwrap.dedent(setup), work=textwrap.dedent(work))
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=root)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    got["work_peak_mib"] = got["peak_mib"] - got["start_mib"]
    return got
