#!/usr/bin/env python3
"""Re-execute committed notebooks in place, deterministically, against the current package.

    .venv/bin/python tools/run_notebooks.py                 # every notebook we own
    .venv/bin/python tools/run_notebooks.py notebooks/03_hang.ipynb
    .venv/bin/python tools/run_notebooks.py --twice         # run twice, fail if text outputs differ

Each notebook runs top to bottom in a fresh ``python3`` kernel of this interpreter; the cell run
time is printed (from the kernel start to the last cell) and checked against the 10 s budget.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtools  # noqa: E402

BUDGET_S = 10.0


def text_outputs(path: Path) -> list:
    nb = nbformat.read(path, as_version=4)
    out = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            data = o.get("data", {})
            out.append((c.get("id"), o.get("text"), data.get("text/plain"), data.get("text/html"),
                        o.get("ename"), o.get("evalue")))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--twice", action="store_true", help="run a second time and compare text outputs")
    args = ap.parse_args(argv)
    paths = [p.resolve() for p in args.paths] or nbtools.all_notebooks()
    bad = 0
    for p in paths:
        secs = nbtools.execute(p)
        flag = "" if secs <= BUDGET_S else f"  OVER the {BUDGET_S:.0f} s budget"
        bad += bool(flag)
        line = f"{secs:6.2f} s  {p.relative_to(nbtools.ROOT)}{flag}"
        if args.twice:
            first = text_outputs(p)
            nbtools.execute(p)
            same = first == text_outputs(p)
            bad += not same
            line += "  identical twice" if same else "  DIFFERS on the second run"
        print(line, flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
