"""What subcommands share: the exit codes, argument helpers, the echoed command line.

Exit codes (the CLI's contract, README "Exit codes"): ``EXIT_OK`` 0 success (completed / ok),
``EXIT_FOUND`` 1 a failure found (deadlock, violation, livelock), ``EXIT_BAD_INPUT`` 2 bad input,
``EXIT_UNDECIDED`` 3 undecided (a bound hit, a schedule that ran out, Ctrl-C in a search, out of memory).
They live here, below ``cli``, so that a command never imports the module that loads it.
"""

from __future__ import annotations

import argparse
import json
import shlex

from ..errors import bad_input

EXIT_OK, EXIT_FOUND, EXIT_BAD_INPUT, EXIT_UNDECIDED = 0, 1, 2, 3


def add_world_arguments(p: argparse.ArgumentParser, *, default_ios: int = 2) -> None:
    """SCENARIO --design --ios --split-rmw --fail-io --json: the inputs that build a World."""
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario name (see `ext4io-teach scenarios`)")
    p.add_argument("--design", default="new", help="a design name (see `ext4io-teach scenarios`); default: new")
    p.add_argument("--ios", type=int, default=default_ios, metavar="N",
                   help=f"number of io_ends (default {default_ios})")
    p.add_argument("--split-rmw", action="store_true", help="split every flag read-modify-write into load and store")
    p.add_argument("--fail-io", type=int, default=None, metavar="K", help="make io_end K's conversion fail (-EIO)")
    add_workers_argument(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def add_workers_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=int, default=1, metavar="W",
                   help="kworkers serving dio_unwritten_wq at once (max_active; default 1, the kernel's; "
                   "2 or 3: what if)")


def echo_command(name: str, inputs: dict, extra: list[str] = ()) -> str:
    """The command line that reproduces this output (printed first, like OSTEP's simulators)."""
    words = ["ext4io-teach", name, inputs["scenario"], "--design", inputs["design"], "--ios", str(inputs["ios"])]
    if inputs.get("split_rmw"):
        words.append("--split-rmw")
    if inputs.get("fail_io") is not None:
        words += ["--fail-io", str(inputs["fail_io"])]
    if inputs.get("workers", 1) != 1:
        words += ["--workers", str(inputs["workers"])]
    words += list(extra)
    return "# " + " ".join(shlex.quote(w) for w in words)


def counterfactual_note(design: str) -> str | None:
    """A line that says a design is a counterfactual (no kernel had it), or None for a real one."""
    from ..designs import get_design

    d = get_design(design)
    return f"{design} is a {d.title}" if d.counterfactual else None


def print_json(obj) -> None:
    print(json.dumps(obj, indent=2, sort_keys=False))


def check_max_states(value) -> None:
    """``--max-states``: a whole number in the explorer's range (``MAX_STATES_CAP``), before any output."""
    from ..explore import MAX_STATES_CAP

    if not 1 <= value <= MAX_STATES_CAP:
        raise bad_input("--max-states", f"{value} is out of range", f"1..{MAX_STATES_CAP:,}")
