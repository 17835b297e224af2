"""Benchmark (not a test): each notebook's run time after a restart, against the 10 s budget.

Every notebook is copied to a temporary folder and executed top to bottom in a fresh kernel of this
interpreter (``tools/nbtools.execute``: seconds from the kernel start to the last cell). Usage:
    .venv/bin/python benchmarks/bench_notebooks.py [--out benchmarks/results_notebooks.md]
The unit tests check that re-execution reproduces every stored output; the time lives here, because
a timed assertion flakes on a loaded machine.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nbtools  # noqa: E402
import run_notebooks  # noqa: E402
from machine import describe  # noqa: E402  (benchmarks/machine.py)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in nbtools.all_notebooks():
            rel = path.relative_to(ROOT / "notebooks")
            copy = Path(tmp) / rel
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, copy)
            secs = nbtools.execute(copy)
            rows.append((str(rel), secs))
            print(f"{secs:6.2f} s  {rel}", flush=True)
    over = [r for r in rows if r[1] > run_notebooks.BUDGET_S]
    lines = ["# Notebook run times (benchmarks/bench_notebooks.py)", "",
             f"Machine: {describe()}. Seconds from the kernel start to the last cell, each notebook in a fresh "
             "kernel.", "",
             f"Budget: {run_notebooks.BUDGET_S:.0f} s per notebook. Over budget: {len(over)} of {len(rows)}.", "",
             "| notebook | seconds |", "|---|---:|"]
    lines += [f"| `{name}` | {secs:.2f} |" for name, secs in rows]
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text)
    print(text)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
