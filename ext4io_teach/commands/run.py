"""``ext4io-teach run``: one run of a scenario under a design, stepped by a policy or a schedule."""

from __future__ import annotations

import json
import sys

from .. import sched
from ..errors import bad_input
from ._common import EXIT_FOUND, EXIT_OK, EXIT_UNDECIDED, add_world_arguments, counterfactual_note, echo_command

NAME = "run"
HELP = "run a scenario step by step and print every step and the outcome"

RUN_PROPERTIES = ("fsync-durable", "punch-waits")  # checked on request (ext4io_teach.invariants)
EXIT_BY_OUTCOME = {"completed": EXIT_OK, "deadlock": EXIT_FOUND, "violation": EXIT_FOUND,
                   "running": EXIT_UNDECIDED, "stopped": EXIT_UNDECIDED, "out-of-memory": EXIT_UNDECIDED}


def add_arguments(p) -> None:
    add_world_arguments(p)
    p.add_argument("--seed", type=int, default=None, metavar="S",
                   help=f"seeded random schedule (a private random.Random(S); {sched.SEED_MIN}..{sched.SEED_MAX})")
    p.add_argument("--schedule", default=None, help="task ids to step, e.g. 0,1,1,2")
    p.add_argument("--policy", default=None, choices=sched.POLICIES, help="round-robin (default) or random")
    p.add_argument("--max-steps", type=int, default=sched.DEFAULT_MAX_STEPS, metavar="K",
                   help=f"stop after K steps (default {sched.DEFAULT_MAX_STEPS}, at most {sched.MAX_STEPS_CAP:,}: "
                        "about 290 bytes a step) and report 'running'")
    p.add_argument("--property", action="append", default=[], choices=RUN_PROPERTIES, metavar="P",
                   help="also check a property: " + ", ".join(RUN_PROPERTIES) + " (repeatable)")


def write_json(res: sched.RunResult, out, note: str | None = None) -> None:
    """The JSON of ``res.as_json()``, written piece by piece: as one object and one string the document
    would cost about 1,850 bytes a step (18 GB at 10 million steps); so it costs only the kept trace
    (about 285 bytes a step). The schedule is one line, each step record one line."""
    obj = res.as_json(steps=False)
    if note:
        obj["note"] = note
    out.write("{")
    for n, (key, value) in enumerate(obj.items()):
        out.write(("," if n else "") + f"\n  {json.dumps(key)}: ")
        if key == "schedule":
            out.write("[")
            for k in range(0, len(value), 4096):
                out.write((", " if k else "") + json.dumps(value[k:k + 4096])[1:-1])
            out.write("]")
        elif key == "steps":
            out.write("[")
            for k, r in enumerate(res.steps):
                out.write(("," if k else "") + "\n    " + json.dumps(r.as_json()))
            out.write("\n  ]" if res.steps else "]")
        else:
            out.write(json.dumps(value, indent=2).replace("\n", "\n  "))
    out.write("\n}\n")


def main(args) -> int:
    chosen = [f"--{n}" for n, v in (("seed", args.seed), ("schedule", args.schedule), ("policy", args.policy))
              if v is not None]
    if len(chosen) > 1:
        raise bad_input(chosen[1], f"given together with {chosen[0]}", "one of --seed, --schedule, --policy")
    schedule = sched.parse_schedule(args.schedule) if args.schedule is not None else None
    res = sched.run(args.scenario, args.design, args.ios, schedule=schedule, policy=args.policy, seed=args.seed,
                    max_steps=args.max_steps, split_rmw=args.split_rmw, fail_io=args.fail_io, workers=args.workers,
                    properties=tuple(dict.fromkeys(args.property)))
    if args.json:
        write_json(res, sys.stdout, note=counterfactual_note(args.design))
        return EXIT_BY_OUTCOME[res.outcome]
    extra = []
    if schedule is not None:
        extra = ["--schedule", ",".join(map(str, schedule))]
    elif args.seed is not None:
        extra = ["--seed", str(args.seed)]
    else:
        extra = ["--policy", args.policy or "round-robin"]
    if schedule is None:
        extra += ["--max-steps", str(args.max_steps)]
    for prop in dict.fromkeys(args.property):
        extra += ["--property", prop]
    print(echo_command(NAME, res.inputs, extra))
    print("tasks: " + ", ".join(f"{i} {n}" for i, n in enumerate(res.tasks)))
    if note := counterfactual_note(res.inputs["design"]):
        print("note: " + note)
    print(f"{'step':>5}  {'task':<9} action")
    for r in res.steps:
        print(f"{r.i:>5}  {r.name:<9} {r.label}")
    print("outcome: " + res.describe())
    interesting = {k: res.stats[k] for k in ("work_items_queued", "requeues", "yields", "trylock_failed",
                                             "lock_acquisitions", "conversions") if res.stats.get(k)}
    if interesting:
        print("counts: " + ", ".join(f"{k}={v}" for k, v in interesting.items()))
    if res.violation is not None:
        print("schedule: " + ",".join(map(str, res.schedule)))
    return EXIT_BY_OUTCOME[res.outcome]


