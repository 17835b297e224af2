"""The text stepper: ``print(run)`` / ``run.show()`` and ``ext4io-teach play`` driven through stdin."""

from __future__ import annotations

import io
import re

import pytest

from ext4io_teach import panel
from ext4io_teach.cli import main
from ext4io_teach.explore import explore
from ext4io_teach.model.flags import describe
from ext4io_teach.sched import Run, run
from ext4io_teach.widgets import StepperController


def state_row(text: str, key: str) -> str:
    m = re.search(rf"^  {re.escape(key)} +(.*)$", text, re.M)
    assert m, f"no state row {key!r} in\n{text}"
    return m.group(1)


def task_line(text: str, tid: int) -> str:
    m = re.search(rf"^[ *] {tid} \S+ +(.*)$", text, re.M)
    assert m, f"no line for task {tid} in\n{text}"
    return m.group(1)


# ------------------------------------------------------------------ print(run)
@pytest.mark.parametrize("scenario, design, seed, cut", [
    ("truncate-vs-dio", "old", 0, 9), ("fsync-vs-worker", "new", 3, 22), ("fsync-vs-worker", "new", 5, 30),
    ("punch-hole-error", "new", 1, 12), ("truncate-vs-dio", "old-blocking", 2, 15),
])
def test_print_run_shows_the_widgets_facts(scenario, design, seed, cut):
    sched = run(scenario, design, 2, seed=seed, max_steps=cut).schedule[:cut]
    r = Run(scenario, design, 2)
    r.replay(sched)
    ctrl = StepperController(scenario, design, 2)
    ctrl.load(",".join(map(str, sched)))
    text = str(r)
    w = r.world
    assert f"step {len(sched)}: {r.outcome() or 'running'}" in text.splitlines()[0]
    assert state_row(text, "i_mutex") == panel.holder_text(w, w.inode.i_mutex)
    assert state_row(text, "completed list") == panel.ids_text(w.inode.completed)
    assert state_row(text, "i_dio_count").split()[0] == str(w.inode.dio_count)
    for io_end in w.ios:
        line = re.search(rf"^  io#{io_end.id}  (\S+)  (.*)$", text, re.M)
        assert line.group(1) == describe(io_end.flags).replace("-", "no flags")
        assert ("FREED by" in line.group(2)) == bool(io_end.freed)
    for b in ctrl.buttons():  # the same verdict per task as the widget's task buttons
        got = task_line(text, b["tid"])
        assert got.startswith("can run; next: ") if b["runnable"] else got == b["why"]
    for t in w.tasks:  # a task's next step is its design's pseudo-code line
        if t.pc != "done" and not w.finished(t):
            assert w.design.table[t.pc][0].text.strip() in text
    for tk in w.tasks:
        if panel.local_lists(w, tk) is not None:
            assert f"{tk.name} locals" in text


def test_show_prints_the_same_text(capsys):
    r = Run("truncate-vs-dio", "old", 1)
    r.replay([2, 0, 0, 0, 0, 1, 1, 1])
    r.show()
    out = capsys.readouterr().out
    assert out == str(r) + "\n"
    assert state_row(out, "i_mutex") == "truncate"
    assert task_line(out, 2) == "waits for i_dio_count == 0 (now 1)"
    assert "last step: 7 worker: end_io_work mutex_trylock(i_mutex) failed" in out


def test_a_violation_is_spelled_out_with_its_rule():
    res = next(r for s in range(200) if (r := run("fsync-vs-worker", "flusher-frees-queued", 2, seed=s)).outcome
               == "violation")
    text = str(res.run)
    assert "BROKEN" in text and f"BROKEN {res.violation.invariant}: {res.violation.message}" in text
    assert all(task_line(text, t.tid) == "stopped: an invariant broke" for t in res.run.world.tasks)


def test_text_is_plain_ascii():
    r = Run("fsync-vs-worker", "new", 2)
    r.replay(run("fsync-vs-worker", "new", 2, seed=4).schedule[:25])
    assert str(r).isascii()


# ------------------------------------------------------------------ ext4io-teach play
def play(monkeypatch, capsys, keys: str, *argv):
    monkeypatch.setattr("sys.stdin", io.StringIO(keys))
    code = main(["play", *argv])
    out = capsys.readouterr().out
    # each answer follows its prompt: "> KEY\n" then what it printed (its last newline goes with the split)
    parts = out.split("\n> ")
    return code, parts[0], [(p.split("\n", 1)[0], p.split("\n", 1)[1] if "\n" in p else "") for p in parts[1:]]


def test_play_undo_next_stage_show_me_and_quit(monkeypatch, capsys):
    code, start, turns = play(monkeypatch, capsys, "2\nu\nn\ns\n\n\nq\n", "truncate-vs-dio", "--design", "old",
                              "--ios", "1")
    assert code == 0
    assert start.splitlines()[0] == "# ext4io-teach play truncate-vs-dio --design old --ios 1"
    assert "schedule: (none yet)" in start
    keys = [k for k, _ in turns]
    assert keys == ["2", "u", "n", "s", "", "", "q"]
    after = dict(enumerate(a for _, a in turns))
    assert state_row(after[0], "i_mutex") == "truncate" and "schedule: 2\n" in after[0]
    assert "schedule: (none yet)" in after[1] and "Undid step 0 (truncate)" in after[1]
    # next stage: round robin after the undone step's replay, until a task enters a new function
    sched = re.search(r"^schedule: ([\d,]+)$", after[2], re.M).group(1).split(",")
    assert len(sched) > 1 and "entered" in after[2]
    # show me: the explorer's shortest livelock, loaded at the start; Enter replays it step by step
    cex = explore("truncate-vs-dio", "old", 1, property="liveness").counterexample.schedule
    assert "shortest counterexample: livelock" in after[3] and "schedule: (none yet)" in after[3]
    assert "Press Enter to replay it" in after[3]
    assert f"schedule: {cex[0]}\n" in after[4]
    assert f"schedule: {cex[0]},{cex[1]}\n" in after[5]
    assert after[6] == ""  # q prints nothing more


def test_play_bad_keys_get_a_one_line_hint(monkeypatch, capsys):
    code, _, turns = play(monkeypatch, capsys, "x\n2\n2\n7\nu\nu\n", "truncate-vs-dio", "--design", "new",
                          "--ios", "1")
    assert code == 0
    answers = [a for _, a in turns]
    assert "\n" not in answers[0] and answers[0].startswith("'x' is not a key here; runnable tasks: 0 dio, "
                                                                 "2 truncate; keys: ")
    assert "schedule: 2\n" in answers[1]
    assert answers[2] == ("task 2 (truncate) cannot run now: waits for i_dio_count == 0 (now 1); "
                          "runnable tasks: 0 dio")
    assert answers[3] == "there is no task 7; runnable tasks: 0 dio"
    assert "schedule: (none yet)" in answers[4]
    assert answers[5] == "nothing to undo: this is the start of the run"
    assert turns[6] == ("(end of input)", "")  # the input ended without q: a clean exit


@pytest.mark.parametrize("key", ["\u00b2", "\u2460", "\u0663", "9" * 400])
def test_play_takes_only_ascii_task_ids(monkeypatch, capsys, key):
    """'²' and '①' are digits to str.isdigit but no task id: a one-line hint, and the session goes on."""
    code, _, turns = play(monkeypatch, capsys, f"{key}\nq\n", "truncate-vs-dio", "--design", "new", "--ios", "1")
    assert code == 0
    answer = turns[0][1]
    assert "\n" not in answer and "runnable tasks: 0 dio" in answer and "Traceback" not in answer


def test_play_after_the_end_and_from_a_schedule(monkeypatch, capsys):
    done = run("truncate-vs-dio", "new", 1).schedule
    code, start, turns = play(monkeypatch, capsys, "\nn\nh\nq\n", "truncate-vs-dio", "--ios", "1", "--schedule",
                              ",".join(map(str, done)))
    assert code == 0 and "--schedule " + ",".join(map(str, done)) in start.splitlines()[0]
    assert f"step {len(done)}: completed" in start
    assert turns[0][1] == "the run has ended (completed): u undo, s show me or q quit"
    assert turns[1][1] == turns[0][1]
    assert turns[2][1].startswith("keys: a task number steps it")


def test_play_challenge_and_bad_input(monkeypatch, capsys):
    code, start, turns = play(monkeypatch, capsys, "2\nq\n", "truncate-vs-dio", "--design", "old", "--ios", "1",
                              "--challenge", "hang")
    assert code == 0 and "challenge: Make truncate hang" in start
    monkeypatch.setattr("sys.stdin", io.StringIO("q\n"))
    assert main(["play", "truncate-vs-dio", "--ios", "1", "--schedule", "2,2"]) == 2
    assert "cannot run" in capsys.readouterr().err
    assert main(["play", "no-such-scenario"]) == 2
