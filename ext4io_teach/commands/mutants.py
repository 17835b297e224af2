"""``ext4io-teach mutants``: the gallery of broken variants, each explored on its own scenario."""

from __future__ import annotations

import textwrap

from ..cli import EXIT_FOUND, EXIT_OK
from ..explore import MAX_IOS
from ..explore.gallery import DEFAULT_IOS, row, variants
from ._common import print_json

NAME = "mutants"
HELP = "explore every broken variant of the new design (and the equivalent ones): verdict, consequence, smallest N"


def add_arguments(p) -> None:
    p.add_argument("--ios", type=int, default=DEFAULT_IOS, metavar="N",
                   help=f"try N = 1..N io_ends for each variant (default {DEFAULT_IOS}, at most {MAX_IOS})")
    p.add_argument("--json", action="store_true", help="print a JSON list of rows")
    p.add_argument("--accounts", action="store_true", help="print each variant's account under the table")
    p.epilog = ("Exit codes: 0 every variant behaves as its card says (each real one caught by its consequence at "
                "its smallest N, each equivalent one ok), 1 otherwise, 2 bad input.")


def main(args) -> int:
    rows = [row(name, args.ios) for name in variants()]
    good = all(r["as_expected"] for r in rows)
    for r in rows:
        r.pop("_result")
    if args.json:
        print_json(rows)
        return EXIT_OK if good else EXIT_FOUND
    print(f"# ext4io-teach mutants --ios {args.ios}")
    print("checked with the consequence invariants only (a protocol rule that restates the change is no catch), "
          "property liveness (hangs count)")
    head = f"{'variant':<24} {'scenario':<17} {'verdict':<10} {'consequence':<26} {'steps':>5} {'smallest N':>10}"
    print(head)
    print("-" * len(head))
    for r in rows:
        n = r["smallest_n"] if r["smallest_n"] is not None else f"none<={args.ios}"
        mark = "" if r["as_expected"] else "   << differs from its card"
        print(f"{r['name']:<24} {r['scenario']:<17} {r['verdict']:<10} {r['consequence'] or '-':<26} "
              f"{r['cex_length'] if r['cex_length'] is not None else '-':>5} {n:>10}{mark}")
    if args.accounts:
        for r in rows:
            print()
            tag = " (equivalent)" if r["equivalent"] else ""
            print(f"{r['name']}{tag}: {r['change']}")
            print(textwrap.fill(r["account"], width=100, initial_indent="  ", subsequent_indent="  "))
    return EXIT_OK if good else EXIT_FOUND
