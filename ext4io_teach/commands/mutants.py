"""``ext4io-teach mutants``: the gallery of broken variants, each explored on its own scenario.

Rows are printed as each variant is decided. A search that a bound or Ctrl-C stops is undecided: its
row says so (never "none<=N") and the command exits 3. Ctrl-C stops the whole command: the rows decided
so far stay, the interrupted one says so, and the variants not reached are listed.
"""

from __future__ import annotations

import sys
import textwrap

from ..explore import DEFAULT_MAX_STATES, MAX_IOS
from ..explore.gallery import DEFAULT_IOS, row, variants
from ._common import EXIT_FOUND, EXIT_OK, EXIT_UNDECIDED, check_max_states, print_json

NAME = "mutants"
HELP = "explore every broken variant of the new design (and the equivalent ones): verdict, consequence, smallest N"
HEAD = f"{'variant':<24} {'scenario':<17} {'verdict':<10} {'consequence':<26} {'steps':>5} {'smallest N':>10}"


def add_arguments(p) -> None:
    p.add_argument("--ios", type=int, default=DEFAULT_IOS, metavar="N",
                   help=f"try N = 1..N io_ends for each variant (default {DEFAULT_IOS}, at most {MAX_IOS})")
    p.add_argument("--max-states", type=int, default=DEFAULT_MAX_STATES, metavar="K",
                   help=f"bound of each search (default {DEFAULT_MAX_STATES:,}); a search that hits it is undecided")
    p.add_argument("--json", action="store_true", help="print a JSON list of rows")
    p.add_argument("--accounts", action="store_true", help="print each variant's account under the table")
    p.epilog = ("Exit codes: 0 every variant behaves as its card says (each real one caught by its consequence at "
                "its smallest N, each equivalent one ok), 1 a variant differs from its card, 2 bad input, "
                "3 undecided (a search hit --max-states or was interrupted; nothing differed before it).")


def _n_cell(r: dict, ios: int) -> str:
    if r["smallest_n"] is not None:
        return str(r["smallest_n"])
    if r["undecided_n"] is not None:
        return f"? (N={r['undecided_n']})"
    return f"none<={ios}"


def _print_row(r: dict, ios: int) -> None:
    verdict = "interrupted" if r["stopped"] == "interrupted" else r["verdict"]
    if r["as_expected"] is None:
        why = "Ctrl-C" if r["stopped"] == "interrupted" else f"--max-states {r['states']:,} hit"
        mark = f"   << undecided at N={r['undecided_n']} ({why})" + (
            f"; nothing found up to N={r['decided_n']}" if r["decided_n"] else "")
    else:
        mark = "" if r["as_expected"] else "   << differs from its card"
    steps = r["cex_length"] if r["cex_length"] is not None else "-"
    print(f"{r['name']:<24} {r['scenario']:<17} {verdict:<10} {r['consequence'] or '-':<26} {steps:>5} "
          f"{_n_cell(r, ios):>10}{mark}", flush=True)


def main(args) -> int:
    check_max_states(args.max_states)
    names = list(variants())
    if not args.json:
        print(f"# ext4io-teach mutants --ios {args.ios}"
              + (f" --max-states {args.max_states}" if args.max_states != DEFAULT_MAX_STATES else ""))
        print("checked with the consequence invariants only (a protocol rule that restates the change is no catch), "
              "property liveness (hangs count)")
        print(HEAD)
        print("-" * len(HEAD), flush=True)
    rows: list[dict] = []
    try:
        for name in names:
            r = row(name, args.ios, max_states=args.max_states)
            r.pop("_result")
            rows.append(r)
            if not args.json:
                _print_row(r, args.ios)
            if r["stopped"] == "interrupted":  # Ctrl-C inside a search: the explorer reports it bounded
                break
    except KeyboardInterrupt:  # Ctrl-C anywhere else
        pass
    left = names[len(rows):]
    interrupted = bool(left) or any(r["stopped"] == "interrupted" for r in rows)
    differs = any(r["as_expected"] is False for r in rows)
    undecided = interrupted or any(r["as_expected"] is None for r in rows)
    code = EXIT_FOUND if differs else EXIT_UNDECIDED if undecided else EXIT_OK
    if args.json:
        print_json(rows)
        if interrupted:
            print(f"interrupted: {len(rows)} of {len(names)} variants reached", file=sys.stderr)
        return code
    if args.accounts:
        for r in rows:
            print()
            tag = " (equivalent)" if r["equivalent"] else ""
            print(f"{r['name']}{tag}: {r['change']}")
            print(textwrap.fill(r["account"], width=100, initial_indent="  ", subsequent_indent="  "))
    if interrupted:
        done = sum(1 for r in rows if r["as_expected"] is not None)
        print(f"interrupted (Ctrl-C): {done} of {len(names)} variants decided"
              + (f"; not checked: {', '.join(left)}" if left else ""))
    elif undecided:
        print(f"undecided: {sum(1 for r in rows if r['as_expected'] is None)} variant(s) hit --max-states; "
              "raise it (each state costs about 0.5 KB) or lower --ios")
    return code
