"""``mutants`` never shows an unfinished search as a proof (issue 14, item 2): a bounded or interrupted N
is reported as undecided (exit 3), Ctrl-C stops the whole command and prints what was decided, and the
documented maximum ``--ios`` finishes within the gallery's state bound."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ext4io_teach import cli
from ext4io_teach.designs.mutants import VARIANTS
from ext4io_teach.explore import MAX_IOS, gallery

EQUIVALENT = [n for n, c in VARIANTS.items() if c.equivalent]


def test_a_bounded_search_is_undecided_not_none(capsys):
    """A bound hit at some N: the row says undecided at that N, never 'none<=N', and the command exits 3."""
    assert cli.main(["mutants", "--ios", "3", "--max-states", "300"]) == 3
    out = capsys.readouterr().out
    for name in EQUIVALENT:  # their searches need more than 300 states by N = 3
        line = next(ln for ln in out.splitlines() if ln.startswith(name + " "))
        assert "none<=" not in line and "undecided" in line, line
    assert "undecided" in out.splitlines()[-1]


def test_row_of_a_bounded_search_records_where_it_stopped():
    name = EQUIVALENT[0]
    r = gallery.row(name, 3, max_states=300)
    assert r["verdict"] == "bounded" and r["smallest_n"] is None
    assert r["undecided_n"] is not None and 1 <= r["undecided_n"] <= 3 and r["stopped"] == "max_states"
    assert r["decided_n"] == r["undecided_n"] - 1
    assert r["as_expected"] is None  # unknown, neither as its card says nor differing


def test_json_rows_say_undecided(capsys):
    assert cli.main(["mutants", "--ios", "2", "--max-states", "50", "--json"]) == 3
    rows = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in rows} == set(VARIANTS)
    assert any(r["undecided_n"] is not None for r in rows)
    for r in rows:
        if r["undecided_n"] is not None:
            assert r["as_expected"] is None and r["smallest_n"] is None


def test_an_interrupt_inside_a_search_stops_the_whole_command(capsys, monkeypatch):
    """Ctrl-C inside the third variant's search: the two decided rows are printed, the third says
    interrupted, the rest are listed as not checked, exit 3 (the explorer turns Ctrl-C into 'bounded')."""
    real = gallery.explore
    calls = []

    def explore(*a, **kw):
        calls.append(a[1])
        if len(set(calls)) == 3:
            def stop(states, expanded):
                raise KeyboardInterrupt
            kw["progress"] = stop
            kw["max_states"] = None
        return real(*a, **kw)

    monkeypatch.setattr(gallery, "explore", explore)  # the engine calls progress at its first state
    code = cli.main(["mutants", "--ios", "2"])
    out = capsys.readouterr().out
    names = list(VARIANTS)
    assert code == 3
    third = next(ln for ln in out.splitlines() if ln.startswith(names[2] + " "))
    assert "interrupted" in third and "none<=" not in third
    assert "not checked: " + ", ".join(names[3:]) in out
    assert len(set(calls)) == 3, "nothing runs after Ctrl-C"


def test_the_documented_maximum_finishes(capsys):
    """``--ios MAX_IOS`` (6): every search ends within the gallery's bound; nothing is bounded."""
    assert cli.main(["mutants", "--ios", str(MAX_IOS), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(r["undecided_n"] is None and r["as_expected"] for r in rows), rows


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs SIGINT")
def test_real_ctrl_c_prints_what_was_decided_and_exits_3():
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    # Ctrl-C's default action in the child, whatever this process inherited: a shell starts a background
    # job with SIGINT ignored, and an ignored signal stays ignored across exec (Python then installs no
    # KeyboardInterrupt handler), so under `make test &` the SIGINT below would be lost.
    proc = subprocess.Popen([sys.executable, "-m", "ext4io_teach.cli", "mutants", "--ios", str(MAX_IOS)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    first = list(VARIANTS)[0]
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith(first + " "):
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=120)
    out = "".join(lines) + out
    assert proc.returncode == 3, (out, err)
    assert "Traceback" not in err
    assert "interrupted" in out.splitlines()[-1]
    for ln in out.splitlines():
        if "interrupted" in ln and not ln.startswith("interrupted"):
            assert "none<=" not in ln
