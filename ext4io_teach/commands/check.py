"""``ext4io-teach check``: the exhaustive explorer on one scenario and design."""

from __future__ import annotations

from ..errors import bad_input, shown
from ..explore import DEFAULT_MAX_STATES, MAX_IOS, MAX_STATES_CAP, PROPERTIES, explore
from ._common import (
    EXIT_FOUND,
    EXIT_OK,
    EXIT_UNDECIDED,
    add_world_arguments,
    check_max_states,
    counterfactual_note,
    echo_command,
    print_json,
)

NAME = "check"
HELP = ("explore every schedule: safety, fair liveness, fsync-durable, punch-waits; print the verdict and the "
        "shortest counterexample")

EXIT_BY_VERDICT = {"ok": EXIT_OK, "violation": EXIT_FOUND, "deadlock": EXIT_FOUND, "livelock": EXIT_FOUND,
                   "bounded": EXIT_UNDECIDED}


def add_arguments(p) -> None:
    add_world_arguments(p)
    p.add_argument("--property", default="safety", metavar="P",
                   help=f"one of {', '.join(PROPERTIES)} (default safety)")
    p.add_argument("--max-states", type=int, default=DEFAULT_MAX_STATES, metavar="K",
                   help=f"stop after K states and report 'bounded' (default {DEFAULT_MAX_STATES:,}, at most "
                        f"{MAX_STATES_CAP:,}: about 580 bytes a state)")
    p.add_argument("--max-seconds", type=float, default=None, metavar="S",
                   help="stop after S seconds and report 'bounded' (default: no limit)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.epilog = f"N is capped at {MAX_IOS}. Exit codes: 0 ok, 1 violation/deadlock/livelock, 2 bad input, 3 bounded."


def main(args) -> int:
    if args.property not in PROPERTIES:
        raise bad_input("--property", f"unknown property {shown(args.property)}", ", ".join(PROPERTIES))
    check_max_states(args.max_states)
    if args.max_seconds is not None and not args.max_seconds > 0:
        raise bad_input("--max-seconds", f"{args.max_seconds} is not positive", "a number > 0")
    res = explore(args.scenario, args.design, args.ios, property=args.property, split_rmw=args.split_rmw,
                  fail_io=args.fail_io, workers=args.workers, max_states=args.max_states, max_seconds=args.max_seconds,
                  progress=False if (args.no_progress or args.json) else None)
    if args.json:
        obj = res.as_json()
        if note := counterfactual_note(args.design):
            obj["note"] = note
        print_json(obj)
        return EXIT_BY_VERDICT[res.verdict]
    extra = ["--property", args.property]
    if args.max_states != DEFAULT_MAX_STATES:
        extra += ["--max-states", str(args.max_states)]
    print(echo_command(NAME, res.inputs, extra))
    print("tasks: " + ", ".join(f"{i} {n}" for i, n in enumerate(res.tasks)))
    if note := counterfactual_note(res.inputs["design"]):
        print("note: " + note)
    print(f"explored: {res.states} states, {res.transitions} transitions, depth {res.depth}, {res.seconds:.2f} s")
    print(res.explain())
    if res.counterexample is not None:
        print("replay: ext4io-teach run " + echo_command("run", res.inputs)[len("# ext4io-teach run "):]
              + " --schedule " + ",".join(map(str, res.counterexample.schedule))
              + "".join(f" --property {p}" for p in res.properties))
    return EXIT_BY_VERDICT[res.verdict]
