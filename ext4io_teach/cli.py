"""The ``ext4io-teach`` command.

Each subcommand lives in ``ext4io_teach/commands/<name>.py`` and exposes ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``main(args) -> int``; this module finds them, so adding a command
touches no other file.

Exit codes: 0 success (completed / ok), 1 a failure found (deadlock, violation, livelock), 2 bad input
(one line naming the parameter and what is allowed, no traceback), 3 undecided (step or state bound hit,
a schedule that ran out, Ctrl-C in a search, out of memory). Output into a pipe whose reader has gone
(``| head -1``) is dropped quietly; the exit code is still the verdict's.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import re
import sys

from . import commands
from .commands._common import EXIT_BAD_INPUT, EXIT_FOUND, EXIT_OK, EXIT_UNDECIDED  # noqa: F401 - re-exported

RESERVE = 8 << 20  # bytes held while a command runs and released when memory runs out


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse prints usage + error by default)
        # argparse quotes the value it refused in full: cut a long one (a 5,000-digit --ios) to one short line
        message = re.sub(r"'([^'\n]{40})[^'\n]{20,}'", lambda m: f"'{m.group(1)}...'", message)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {' '.join(message.split())}\n")


def _command_modules():
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"{commands.__name__}.{info.name}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ext4io-teach", description="Step through, break and prove ext4 commit 28a535f9.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for mod in _command_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_main=mod.main)
    return parser


def _flags_of(parser: argparse.ArgumentParser, command: str) -> dict[str, str]:
    """A subcommand's parameter names (``max_steps``) -> its flags (``--max-steps``)."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
    return {a.dest: a.option_strings[-1] for a in sub._actions if a.option_strings and a.dest != "help"}


def as_flags(message: str, flags: dict[str, str]) -> str:
    """``"max_steps: ..."`` -> ``"--max-steps: ..."``: a CLI message names the flag the user typed (the
    API's ValueError names the Python parameter)."""
    name, sep, rest = message.partition(": ")
    if not (sep and name in flags):
        return message
    return f"{flags[name]}{sep}{rest.replace(', or none', ', or leave the flag out')}"


class _QuietPipe:
    """``sys.stdout`` while a command runs: once the reader has gone (``... | head -1``), further output
    is dropped instead of raising BrokenPipeError, so the command finishes and exits with its verdict's
    code. The real stdout's file descriptor then points at /dev/null, so nothing fails at exit either."""

    def __init__(self, stream):
        self.stream = stream
        self.gone = False

    def _drop(self) -> None:
        self.gone = True
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())
        except (OSError, ValueError):  # no real file descriptor (a test's capture): nothing to redirect
            pass

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self.stream.write(text)
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._drop()

    def __getattr__(self, name):
        return getattr(self.stream, name)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    out = sys.stdout
    sys.stdout = _QuietPipe(out)
    try:
        code = _run(parser, args)
        sys.stdout.flush()  # the last buffered output, while a closed pipe is still quietly dropped
        return code
    finally:
        sys.stdout = out


def _run(parser, args) -> int:
    reserve = bytearray(RESERVE)  # freed on a MemoryError, to leave room for the one line that reports it
    try:
        return args._main(args)
    except ValueError as e:
        text = as_flags(str(e).splitlines()[0] if str(e) else repr(e), _flags_of(parser, args.command))
        print(f"ext4io-teach {args.command}: error: {text}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except MemoryError:  # like Ctrl-C: undecided, never "1" (which means a violation was found)
        del reserve
        print(f"ext4io-teach {args.command}: out of memory: undecided; ask for less (--max-states, --max-steps, "
              "--ios)", file=sys.stderr)
        return EXIT_UNDECIDED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
