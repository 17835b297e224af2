"""``ext4io-teach problemset``: one student notebook per seed, problem cells run, answer cells blank, checks not
run (``ext4io_teach/problemset.py`` says why papermill cannot do it).

    ext4io-teach problemset 06 --seeds 1-30 --out handout/

writes ``handout/seed-1/06_who_frees_exercises.ipynb`` ... ``handout/seed-30/...``: hand out one directory per
student. Every input is checked before the first kernel starts."""

from __future__ import annotations

import time

from .. import problemset as ps
from ._common import EXIT_OK

NAME = "problemset"
HELP = "one student notebook per seed: problem cells run, answers blank, checks not run"


def add_arguments(p) -> None:
    p.add_argument("notebook", metavar="NOTEBOOK",
                   help="a student notebook with a SEED parameter, by its number or name (e.g. 06)")
    p.add_argument("--seeds", required=True, metavar="SEEDS", help="the seeds, e.g. 1-30 or 3,7,9 (one per student)")
    p.add_argument("--out", required=True, metavar="DIR", help="write DIR/seed-<seed>/<notebook>.ipynb")
    p.add_argument("--from", dest="source", default=None, metavar="DIR",
                   help="the student notebooks (default: notebooks/exercises of this checkout)")


def main(args) -> int:
    source = args.source if args.source is not None else ps.SOURCE
    seeds = ps.parse_seeds(args.seeds)
    notebook = ps.find_notebook(args.notebook, source)
    out = ps.check_out(args.out)
    print(f"# ext4io-teach problemset {notebook.stem} --seeds {args.seeds} --out {out}")
    t0 = time.perf_counter()
    for seed in seeds:
        print(ps.make(notebook, seed, out))
    print(f"{len(seeds)} notebook(s) in {time.perf_counter() - t0:.1f} s: problem cells run, answer cells "
          "blank, checks not run")
    return EXIT_OK
