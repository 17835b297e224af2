#!/usr/bin/env python3
"""Build the notebooks from tools/nbsrc/*.md, generate the student versions, execute them all in place.

    .venv/bin/python tools/build_notebooks.py            # build + student versions + execute
    .venv/bin/python tools/build_notebooks.py 03 06      # only the sources whose name starts so
    .venv/bin/python tools/build_notebooks.py --no-run   # build and generate only
    .venv/bin/python tools/build_notebooks.py --check    # exit 1 if a committed notebook is out of date
    .venv/bin/python tools/build_notebooks.py --to-source notebooks/03_hang.ipynb   # notebook -> its source

Sources are MyST Markdown notebooks read by jupytext; the student versions are nbgrader's
``generate_assignment`` output (``tools/nbtools.py`` says what the build adds to each). Executing writes
outputs in place (deterministic: the same inputs give the same files) and prints each notebook's cell run
time. ``--to-source`` writes an edited notebook back to its source (cells and their options; outputs are
not kept), for whoever changed a notebook in JupyterLab rather than its source.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbtools  # noqa: E402


def targets(srcs: list[Path]) -> list[tuple[Path, nbformat.NotebookNode]]:
    """(path, fresh notebook) for every notebook the sources make: theirs, and the student versions of the
    solution notebooks among them (one nbgrader run for all)."""
    built = [nbtools.build(src) for src in srcs]
    solutions = {path.name: nb for path, nb in built if path.parent.name == "solutions"}
    students = nbtools.student_versions(solutions) if solutions else {}
    return built + [(nbtools.student_path(Path(name)), nb) for name, nb in students.items()]


def source_of(notebook: Path) -> Path:
    """The source that builds ``notebook`` (a new notebook of the main path gets ``tools/nbsrc/<name>.md``)."""
    notebook = notebook.resolve()
    for src in nbtools.sources():
        if nbtools.NOTEBOOKS / nbtools.read_source(src.read_text(), src.stem)[0] == notebook:
            return src
    if notebook.parent != nbtools.NOTEBOOKS:
        raise SystemExit(f"no source in tools/nbsrc builds {notebook}; only main notebooks get a new one")
    return nbtools.NBSRC / f"{notebook.stem}.md"


def to_source(paths: list[Path]) -> int:
    for p in paths:
        src = source_of(p)
        target = str(p.resolve().relative_to(nbtools.NOTEBOOKS))
        src.write_text(nbtools.to_source(nbformat.read(p, as_version=4), target))
        print(f"{p} -> {src.relative_to(nbtools.ROOT)}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("only", nargs="*", help="source name prefixes (e.g. 03 06_who)")
    ap.add_argument("--no-run", action="store_true", help="do not execute")
    ap.add_argument("--check", action="store_true", help="only compare committed notebooks with their sources")
    ap.add_argument("--to-source", nargs="+", type=Path, metavar="NOTEBOOK",
                    help="write these notebooks back to their sources instead")
    args = ap.parse_args(argv)
    if args.to_source:
        return to_source(args.to_source)
    srcs = [s for s in nbtools.sources() if not args.only or any(s.stem.startswith(p) for p in args.only)]
    stale = []
    to_run: list[Path] = []
    for p, fresh in targets(srcs):
        if args.check:
            if not p.exists():
                stale.append(f"{p.relative_to(nbtools.ROOT)}: missing")
            elif d := nbtools.same_cells(nbformat.read(p, as_version=4), fresh):
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
