#!/usr/bin/env python3
"""Build the notebooks from tools/nbsrc/*.md, generate the student versions, execute them all in place.

    .venv/bin/python tools/build_notebooks.py            # build + student versions + execute
    .venv/bin/python tools/build_notebooks.py 03 06      # only the sources whose name starts so
    .venv/bin/python tools/build_notebooks.py --no-run   # build and generate only
    .venv/bin/python tools/build_notebooks.py --check    # exit 1 if a committed notebook is out of date

Executing writes outputs in place (deterministic: the same inputs give the same files) and prints
each notebook's cell run time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtools  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("only", nargs="*", help="source name prefixes (e.g. 03 06_who)")
    ap.add_argument("--no-run", action="store_true", help="do not execute")
    ap.add_argument("--check", action="store_true", help="only compare committed notebooks with their sources")
    args = ap.parse_args(argv)
    srcs = [s for s in nbtools.sources() if not args.only or any(s.stem.startswith(p) for p in args.only)]
    stale = []
    to_run: list[Path] = []
    for src in srcs:
        path, nb = nbtools.build(src)
        targets = [(path, nb)]
        if path.parent.name == "solutions":
            targets.append((nbtools.student_path(path), nbtools.student_version(nb)))
        for p, fresh in targets:
            if args.check:
                if not p.exists():
                    stale.append(f"{p.relative_to(nbtools.ROOT)}: missing")
                else:
                    d = nbtools.same_cells(nbformat.read(p, as_version=4), fresh)
                    if d:
                        stale.append(f"{p.relative_to(nbtools.ROOT)}: {d[0]}")
                continue
            p.parent.mkdir(parents=True, exist_ok=True)
            if p.exists() and not nbtools.same_cells(nbformat.read(p, as_version=4), fresh) and args.no_run:
                continue  # unchanged: keep its outputs
            nbformat.write(fresh, p)
            to_run.append(p)
    if args.check:
        for s in stale:
            print("out of date:", s)
        return 1 if stale else 0
    if not args.no_run:
        for p in to_run:
            secs = nbtools.execute(p)
            print(f"{secs:6.2f} s  {p.relative_to(nbtools.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
