"""Generate the explorer's verdict tables for docs/explorer.md (not a test).

Runs ``explore`` on truncate-vs-dio and fsync-vs-worker for the designs old, old-blocking, new and
c278531d, N = 1..4, every property that applies, plus the --split-rmw rows of fsync-vs-worker, and
writes the Markdown table between the ``verdict-table`` markers of docs/explorer.md; the gaps table
(fsync-vs-writeback, punch-hole-error and mixed with the designs that close the gaps, N = 1..3) between
the ``gap-table`` markers; and the mutant gallery between the ``mutant-gallery`` markers (or prints them
with ``--print``). Every invariant of the design's family is checked; each run is bounded by
``--max-seconds`` (a bounded run shows as ``bounded``).

    .venv/bin/python benchmarks/verdict_table.py [--max-ios 4] [--max-seconds 300] [--print]
    .venv/bin/python benchmarks/verdict_table.py --gaps-only [--gap-ios 3]
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

from ext4io_teach.explore import applicable_properties, explore

DESIGNS = ("old", "old-blocking", "new", "c278531d")
SCENARIOS = ("truncate-vs-dio", "fsync-vs-worker")
GAPS = (("fsync-vs-writeback", DESIGNS),
        ("punch-hole-error", ("old", "new", "02d262df", "c278531d", "old+02d262df")),
        ("mixed", DESIGNS))
DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "explorer.md"


def cell(res) -> str:
    v = res.verdict
    if res.violation and v in ("violation", "livelock"):
        v += f" ({res.violation['invariant']})"
    return f"{v}; {res.states} states; {res.seconds:.2f} s"


def table(max_ios: int, max_seconds: float, scenarios=tuple((s, DESIGNS) for s in SCENARIOS)) -> str:
    lines = []
    for scenario, designs in scenarios:
        props = applicable_properties(scenario)
        rows = [(d, False) for d in designs]
        if scenario == "fsync-vs-worker":
            rows += [("old", True), ("new", True)]
        lines.append(f"\n#### {scenario}\n")
        lines.append("| design | N | " + " | ".join(props) + " |")
        lines.append("|---|---|" + "---|" * len(props))
        for design, split in rows:
            for n in range(1, max_ios + 1):
                cells = []
                for p in props:
                    res = explore(scenario, design, n, property=p, split_rmw=split, max_seconds=max_seconds,
                                  progress=False)
                    cells.append(cell(res))
                    print(scenario, design, "split" if split else "", n, p, cells[-1], file=sys.stderr)
                name = design + (" --split-rmw" if split else "")
                lines.append(f"| {name} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def gallery() -> str:
    """The mutant gallery: a table, then each variant's account."""
    from ext4io_teach.explore.gallery import row, variants

    rows = []
    for name, cls in variants().items():
        rows.append(row(name, cls.checked_n if cls.equivalent else max(2, cls.smallest_n)))
        print("mutant", name, rows[-1]["verdict"], file=sys.stderr)
    out = ["| variant | change | scenario | verdict | consequence | shortest counterexample (steps) | smallest N |",
           "|---|---|---|---|---|---|---|"]
    for r in rows:
        n = r["smallest_n"] if r["smallest_n"] is not None else f"none up to {r['ios']}"
        out.append(f"| `{r['name']}` | {r['change']} | {r['scenario']} | {r['verdict']} | {r['consequence'] or '-'} | "
                   f"{r['cex_length'] if r['cex_length'] is not None else '-'} | {n} |")
    out.append("")
    for r in rows:
        tag = " (equivalent: the explorer finds nothing)" if r["equivalent"] else ""
        out.append(f"**`{r['name']}`**{tag}. {r['account']}")
        out.append("")
    return "\n".join(out)


def replace(doc: str, marker: str, text: str) -> str:
    new, n = re.subn(rf"(<!-- {marker}:start -->\n).*?(<!-- {marker}:end -->)",
                     lambda m: m.group(1) + text + m.group(2), doc, flags=re.S)
    if n != 1:
        sys.exit(f"{DOC}: the {marker} markers are missing")
    return new


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-ios", type=int, default=4)
    ap.add_argument("--max-seconds", type=float, default=300.0)
    ap.add_argument("--print", action="store_true", help="print the tables instead of updating docs/explorer.md")
    ap.add_argument("--gallery-only", action="store_true", help="regenerate only the mutant gallery")
    ap.add_argument("--gaps-only", action="store_true", help="regenerate only the gaps table")
    ap.add_argument("--gap-ios", type=int, default=3, help="largest N of the gaps table (default 3)")
    args = ap.parse_args()
    text = gaps = gal = None
    if not args.gallery_only and not args.gaps_only:
        text = table(args.max_ios, args.max_seconds)
    if not args.gallery_only:
        gaps = table(args.gap_ios, args.max_seconds, GAPS)
    if not args.gaps_only:
        gal = gallery()
    if args.print:
        for part in (text, gaps, gal):
            print(part or "")
        return
    doc = DOC.read_text()
    for marker, part in (("verdict-table", text), ("gap-table", gaps), ("mutant-gallery", gal and gal + "\n")):
        if part is not None:
            doc = replace(doc, marker, part)
    DOC.write_text(doc)


if __name__ == "__main__":
    main()
