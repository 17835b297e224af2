"""``exercises.print_steps``, the trace table of the notebooks: it prints whole texts and says what it hides.

A reader of a filtered table could not tell that steps were left out (the step numbers jump, nothing
else said so); the walk-through of issue 18 found that in notebooks 01, 03, 05, 06 and 09.
"""

from __future__ import annotations

import pytest

import ext4io_teach as e4
from ext4io_teach import exercises as ex


@pytest.fixture(scope="module")
def storm():
    s = ex.priority_schedule("completion-storm", "new", 2, ["dio", "worker"])
    return e4.run("completion-storm", "new", 2, schedule=s).steps


def lines(capsys) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_all_steps_no_note(storm, capsys):
    ex.print_steps(storm, columns=())
    out = lines(capsys)
    assert out[0].split() == ["step", "task", "action"] and len(out) == 1 + len(storm)


def test_a_filter_says_how_many_steps_it_hides_and_which_it_keeps(storm, capsys):
    ex.print_steps(storm, kinds={"convert", "free"}, columns=())
    out = lines(capsys)
    kept = [r for r in storm if r.kind in ("convert", "free")]
    assert out[0] == (f"{len(kept)} of {len(storm)} steps shown (only kinds convert, free); "
                      f"the other {len(storm) - len(kept)} are hidden")
    assert len(out) == 2 + len(kept)


def test_stage_task_io_and_text_filters(storm, capsys):
    ex.print_steps(storm, tasks={"worker"}, stages={"C"}, text="QUEUED", columns=())
    out = lines(capsys)
    kept = [r for r in storm if r.name == "worker" and r.stage == "C" and "QUEUED" in r.label]
    assert kept and out[0].startswith(f"{len(kept)} of {len(storm)} steps shown "
                                      "(only task worker, stage C, steps whose text has 'QUEUED')")
    ex.print_steps(storm, ios={0}, columns=())
    out = lines(capsys)
    assert "(only io#0)" in out[0] and len(out) == 2 + sum(r.io == 0 for r in storm)


def test_first_and_last_say_where_the_cut_is(storm, capsys):
    ex.print_steps(storm, last=3, columns=())
    out = lines(capsys)
    assert out[0] == f"3 of {len(storm)} steps shown (the last 3); the other {len(storm) - 3} are hidden"
    assert [int(ln.split()[0]) for ln in out[2:]] == [r.i for r in storm[-3:]]
    ex.print_steps(storm, tasks={"worker"}, first=2, columns=())
    assert lines(capsys)[0].startswith(f"2 of {len(storm)} steps shown (only task worker; the first 2)")


def test_whole_texts_are_printed(capsys):
    r = e4.run("fsync-vs-worker", "new", 2, seed=3)
    longest = max(r.steps, key=lambda rec: len(rec.label))
    assert len(longest.label) > 60
    ex.print_steps(r.steps, columns=())
    assert any(line.endswith(longest.label) for line in lines(capsys))
