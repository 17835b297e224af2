"""``ext4io-teach play``: the stepper in a terminal; you are the scheduler.

It drives the widget's own logic (``widgets.StepperController``: the same step, Undo, Next stage
and Show me) and prints the text panel (``textview.controller_text``) after every action. Keys,
one per line: a task number steps that task; Enter takes one step (the loaded schedule's next entry,
else round robin, as the widget's Next); ``u`` undo; ``n`` next stage; ``s`` show me (the explorer's
shortest way to the challenge, or to any failure, loaded for replay with Enter); ``c`` the crash view
(``crash.py``: what a read after a crash would return for each io_end now); ``h`` help; ``q``
quit (so does the end of the input). Anything else gets a one-line hint. It reads lines, so a test
or a pipe can drive it (``printf '2\\nu\\nq\\n' | ext4io-teach play truncate-vs-dio --design old``).
"""

from __future__ import annotations

import sys

from ..errors import shown
from ..sched import MAX_TASK_ID_DIGITS
from ..widgets import challenges
from ._common import add_workers_argument, echo_command

NAME = "play"
HELP = "step a scenario by hand in the terminal (task number, Enter next, u undo, n next stage, s show me, q quit)"
KEYS = ("a task number steps it, Enter the next step, u undo, n next stage, s show me, c crash view, h help, "
        "q quit")
SEARCH_LIMIT_S = 20.0  # Show me: the explorer's time limit (as in the widget)


def add_arguments(p) -> None:
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario name (see `ext4io-teach scenarios`)")
    p.add_argument("--design", default="new", help="a design name (see `ext4io-teach scenarios`); default: new")
    p.add_argument("--ios", type=int, default=2, metavar="N", help="number of io_ends (default 2)")
    p.add_argument("--split-rmw", action="store_true", help="split every flag read-modify-write into load and store")
    p.add_argument("--fail-io", type=int, default=None, metavar="K", help="make io_end K's conversion fail (-EIO)")
    add_workers_argument(p)
    p.add_argument("--challenge", default=None, choices=list(challenges.CHALLENGES),
                   help="play a challenge: win by reaching the failure it names")
    p.add_argument("--schedule", default=None, help="replay these task ids first, e.g. 2,0,0")


def hint(ctrl, key: str) -> str:
    """One line for a key that does nothing here."""
    runnable = ", ".join(f"{b['tid']} {b['name']}" for b in ctrl.buttons() if b["runnable"]) or "none"
    return f"{shown(key)} is not a key here; runnable tasks: {runnable}; keys: {KEYS}"


def blocked_hint(ctrl, tid: int) -> str:
    """One line for a task number that names no task, or a task that cannot run now."""
    bs = ctrl.buttons()
    runnable = ", ".join(f"{b['tid']} {b['name']}" for b in bs if b["runnable"]) or "none (the run has ended)"
    if tid >= len(bs):
        return f"there is no task {tid}; runnable tasks: {runnable}"
    return f"task {tid} ({bs[tid]['name']}) cannot run now: {bs[tid]['why']}; runnable tasks: {runnable}"


def act(ctrl, key: str) -> tuple[str | None, bool]:
    """Do what ``key`` asks. Returns ``(hint, show_panel)``: a one-line hint for a key that did nothing
    (then the panel is not printed again), or None and whether to print the panel."""
    if key.isascii() and key.isdigit() and len(key) <= MAX_TASK_ID_DIGITS:  # '²' is a digit to isdigit()
        tid = int(key)
        bs = ctrl.buttons()
        if tid >= len(bs) or not bs[tid]["runnable"]:
            return blocked_hint(ctrl, tid), False
        ctrl.step(tid)
    elif key in ("", "n") and ctrl.outcome() is not None:
        return f"the run has ended ({ctrl.outcome()}): u undo, s show me or q quit", False
    elif key == "":
        ctrl.forward()
    elif key == "u":
        if not ctrl.schedule:
            return "nothing to undo: this is the start of the run", False
        ctrl.undo()
    elif key == "n":
        ctrl.run_to_next_stage()
    elif key == "s":
        ctrl.show_me(max_seconds=SEARCH_LIMIT_S, progress=False)
    elif key == "c":
        from ..crash import crash_view

        return str(crash_view(ctrl)), False
    elif key in ("h", "?", "help"):
        return f"keys: {KEYS}", False
    else:
        return hint(ctrl, key), False
    return None, True


def play(ctrl, lines, out) -> int:
    """The loop: read one key per line from ``lines``, act, print. Returns the exit code (0)."""
    from ..textview import controller_text

    interactive = getattr(lines, "isatty", lambda: False)()
    print(f"keys: {KEYS}", file=out)
    print(controller_text(ctrl), file=out)
    while True:
        print("> ", end="", file=out, flush=True)
        line = lines.readline()
        if not line:  # end of input
            print("" if interactive else "(end of input)", file=out)
            return 0
        key = line.strip().lower()
        if not interactive:
            print(key, file=out)  # a piped transcript shows what was typed
        if key == "q":
            return 0
        said, show = act(ctrl, key)
        if said:
            print(said, file=out)
        if show:
            if key == "s" and ctrl.explanation:
                print(ctrl.explanation, file=out)
            print(controller_text(ctrl), file=out)


def main(args) -> int:
    from ..widgets.controller import StepperController

    ctrl = StepperController(args.scenario, args.design, args.ios, split_rmw=args.split_rmw, fail_io=args.fail_io,
                             challenge=args.challenge, workers=args.workers)
    extra = ["--challenge", args.challenge] if args.challenge else []
    if args.schedule:
        ctrl.load(args.schedule)
        extra += ["--schedule", ctrl.schedule_text]
    print(echo_command(NAME, ctrl.inputs, extra))
    return play(ctrl, sys.stdin, sys.stdout)
