"""``ext4io-teach scenarios``: the scenarios and the designs every one of them runs under.

Each design is shown with its title, which names the kernel commit it is or says "counterfactual" for a
design no kernel had (``old-blocking``); ``--json`` gives ``commit`` ("" for a counterfactual),
``counterfactual`` and ``credit`` (the commit, or "counterfactual (no kernel)")."""

from __future__ import annotations

from ..designs import DESIGNS, design_names
from ..scenarios import SCENARIOS
from ._common import print_json

NAME = "scenarios"
HELP = "list the scenarios and the designs"


def add_arguments(p) -> None:
    p.add_argument("--json", action="store_true", help="print JSON")


def main(args) -> int:
    names = design_names()
    if args.json:
        print_json({"scenarios": [{"name": s.name, "tasks": s.task_names, "story": s.story, "expect_new": s.expect_new,
                                   "expect_old": s.expect_old} for s in SCENARIOS.values()],
                    "designs": [{"name": n, "commit": DESIGNS[n].commit, "counterfactual": DESIGNS[n].counterfactual,
                                 "credit": DESIGNS[n].credit(), "title": DESIGNS[n].title} for n in names]})
        return 0
    print("scenarios:")
    for s in SCENARIOS.values():
        print(f"  {s.name:<18} tasks: {', '.join(s.task_names)}")
        print(f"  {'':<18} new: {s.expect_new}; old: {s.expect_old}")
    print("designs (a counterfactual is a design no kernel had):")
    for n in names:
        print(f"  {n:<18} {DESIGNS[n].title}")
    return 0
