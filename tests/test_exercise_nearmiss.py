"""Near-misses and hint levels (issue 18, "Exercises that make students think"): an answer right in substance but
written in another form is told the form expected, for every check that can meet one; a first wrong answer gets
a nudge, a repeated one a stronger hint; wrong answers get messages about themselves, not one fixed line.

Each near-miss message may echo what the student wrote, rewritten, but never a right value the student did not
give (the tests look for the other entries' right values in it)."""

from __future__ import annotations

import pytest

from ext4io_teach import exercises as ex
from ext4io_teach.exercises import Incorrect


@pytest.fixture(autouse=True)
def _fresh_hints():
    ex.reset_hints()
    yield
    ex.reset_hints()


def verdict(key, answer, **params) -> str:
    with pytest.raises(Incorrect) as info:
        ex.check(key, answer, **params)
    return str(info.value).split(" Hint: ")[0].split(" Stronger hint: ")[0]


def seeded(key, seed=1):
    p = ex.problem(key, seed)
    return p.params, p.answer


# ------------------------------------------------------------------------ flags (names) as one string
def test_flags_as_one_string_get_the_set_written_out():
    right = ex.answer_for("01-flags-on-list")
    msg = verdict("01-flags-on-list", {**right, 0: "UNWRITTEN|QUEUED|DIRECT"})
    assert "the value for 0: 'UNWRITTEN|QUEUED|DIRECT' is one string: write a set of names, " \
           "{'UNWRITTEN', 'QUEUED', 'DIRECT'}" in msg
    msg = verdict("01-flags-on-list", {**right, 2: "UNWRITTEN, DIRECT"})
    assert "{'UNWRITTEN', 'DIRECT'}" in msg and "the value for 2" in msg


@pytest.mark.parametrize("key, answer, written", [
    ("03-lockdep", "abf", "{'a', 'b', 'f'}"),
    ("03-lockdep", "a, b", "{'a', 'b'}"),
    ("09-punch-waits", "old+02d262df", "{'old+02d262df'}"),
    ("08-truncate-blind", "drain-one stage-c-unlocked", "{'drain-one', 'stage-c-unlocked'}"),
])
def test_a_set_written_as_one_string(key, answer, written):
    assert f"is one string: write a set of names, {written}" in verdict(key, answer)


def test_lock_names_as_one_string_in_a_dict_of_sets():
    right = ex.answer_for("05-stage-locks")
    msg = verdict("05-stage-locks", {**right, "B": "i_mutex"})
    assert "the value for 'B': 'i_mutex' is one string: write a set of names, {'i_mutex'}" in msg


def test_io_numbers_as_one_string():
    params, right = seeded("04-which-queued")
    msg = verdict("04-which-queued", ", ".join(f"io#{k}" for k in sorted(right)), **params)
    assert "is one string: write a set of io_end numbers, {" in msg


# ------------------------------------------------------------------------ livelock where a run outcome is asked
@pytest.mark.parametrize("key, design", [("03-outcomes", "old"), ("09-counterfactual", "old+02d262df")])
def test_livelock_is_the_explorers_word_a_run_says_running(key, design):
    right = ex.answer_for(key)
    msg = verdict(key, {**right, design: "livelock"})
    assert f"the value for {design!r}: 'livelock' is the explorer's verdict; a run reports a livelock as " \
           "'running'" in msg


def test_a_runs_word_where_the_explorer_is_asked():
    from ext4io_teach.exercises.nearmiss import VERDICTS, for_word
    assert "'running' is how a run ends" in for_word("running", VERDICTS)
    assert "it would say 'ok'" in for_word("completed", VERDICTS)


# ------------------------------------------------------------------------ choices in another case
@pytest.mark.parametrize("key, make", [
    ("03-outcomes", lambda r: {**r, "new": r["new"].capitalize()}),
    ("09-counterfactual", lambda r: {**r, "old": r["old"].upper()}),
    ("01-flags-on-list", lambda r: {**r, 1: {f.lower() for f in r[1]}}),
    ("05-stage-locks", lambda r: {**r, "A": {x.upper() for x in r["A"]}}),
    ("03-lockdep", lambda r: {x.upper() for x in r}),
    ("08-truncate-blind", lambda r: {x.title() for x in r}),
])
def test_a_choice_in_another_case_is_told_how_it_is_written(key, make):
    msg = verdict(key, make(ex.answer_for(key)))
    assert " is written '" in msg and "the choices are" in msg


def test_case_in_seeded_mappings():
    params, right = seeded("06-who-frees")
    msg = verdict("06-who-frees", {**right, 0: right[0].upper()}, **params)
    assert f"{right[0].upper()!r} is written {right[0]!r}" in msg
    params, right = seeded("05-possible", 1)
    assert right["blocked_by"] is not None
    msg = verdict("05-possible", {**right, "blocked_by": right["blocked_by"].upper()}, **params)
    assert f"is written {right['blocked_by']!r}" in msg
    params, right = seeded("08-first-broken", 3)
    msg = verdict("08-first-broken", {**right, "invariant": right["invariant"].upper()}, **params)
    assert f"is written {right['invariant']!r}" in msg


# ------------------------------------------------------------------------ "yes" / "no" for booleans
@pytest.mark.parametrize("word", ["yes", "No", "true", "FALSE", 1, 0])
def test_yes_and_no_where_true_or_false_is_asked(word):
    right = ex.answer_for("09-durable-designs")
    msg = verdict("09-durable-designs", {**right, "02d262df": word})
    assert "write True or False (a bool" in msg and "the value for '02d262df'" in msg
    assert "old+02d262df" not in msg.split(":", 1)[1]  # says nothing of the other entry


def test_yes_in_a_seeded_problem_and_none_as_a_word():
    params, right = seeded("05-possible", 1)
    msg = verdict("05-possible", {**right, "possible": "no"}, **params)
    assert "'no' is a word: write True or False" in msg
    params, right = seeded("05-possible", 7)
    assert right == {"possible": True, "blocked_by": None}
    msg = verdict("05-possible", {"possible": True, "blocked_by": "None"}, **params)
    assert "'None' is a word: write None (without quotes)" in msg


# ------------------------------------------------------------------------ "io#0" for 0
def test_io_labels_as_keys():
    right = ex.answer_for("01-flags-on-list")
    msg = verdict("01-flags-on-list", {f"io#{k}": v for k, v in right.items()})
    assert "the key 'io#0' is an io_end's label: key the dict by the io_end's number, 0" in msg
    params, right = seeded("06-who-frees")
    msg = verdict("06-who-frees", {f"io#{k}": v for k, v in right.items()}, **params)
    assert "key the dict by the io_end's number, 0" in msg and "worker" not in msg and "fsync" not in msg


def test_io_labels_in_a_set_of_numbers():
    params, right = seeded("04-which-queued")
    msg = verdict("04-which-queued", {f"io#{k}" for k in right}, **params)
    assert "is an io_end's label: write its number" in msg


# ------------------------------------------------------------------------ hints in two levels
def test_a_nudge_first_then_a_stronger_hint_and_back_after_a_right_answer(capsys):
    e = ex.get("03-outcomes")
    assert e.hint2 and e.hint2 != e.hint
    wrong = {"old": "running", "old-blocking": "deadlock", "new": "completed"}
    with pytest.raises(Incorrect) as first:
        ex.check("03-outcomes", wrong)
    assert f"Hint: {e.hint}" in str(first.value) and "Stronger" not in str(first.value)
    with pytest.raises(Incorrect) as second:
        ex.check("03-outcomes", wrong)
    assert f"Stronger hint: {e.hint2}" in str(second.value) and e.hint not in str(second.value)
    ex.check("03-outcomes", ex.answer_for("03-outcomes"))
    assert capsys.readouterr().out.startswith("Correct.")
    with pytest.raises(Incorrect) as again:
        ex.check("03-outcomes", wrong)
    assert f"Hint: {e.hint}" in str(again.value)


def test_the_placeholder_does_not_count_as_a_wrong_answer():
    for _ in range(3):
        with pytest.raises(ex.Unanswered):
            ex.check("02-requeues", ...)
    with pytest.raises(Incorrect) as info:
        ex.check("02-requeues", 0)
    assert "Hint: " in str(info.value)


def test_every_exercise_has_two_different_hints():
    for key, e in ex.REGISTRY.items():
        assert e.hint and e.hint2 and e.hint2 != e.hint, key
        assert ex.hint(key) == e.hint and ex.hint(key, level=2) == e.hint2


def test_wrong_answers_get_messages_about_themselves():
    """Never one fixed line for every wrong answer: different wrong answers, different verdicts."""
    right = ex.answer_for("02-requeues")
    assert len({verdict("02-requeues", a) for a in (right + 5, right - 5, "many", [right])}) == 4
    right = ex.answer_for("03-outcomes")
    msgs = {verdict("03-outcomes", a) for a in ({**right, "old": "deadlock"}, {**right, "new": "running"},
                                                 {**right, "old": "livelock"}, {"old": "completed"}, "all done")}
    assert len(msgs) == 5


# ------------------------------------------------------------------------ questions answered in words
def test_discuss_shows_the_model_answer_only_once_there_is_an_answer(capsys):
    ex.discuss("02-why-safe", ...)
    out = capsys.readouterr().out
    assert "still the placeholder" in out and "freed" not in out
    ex.discuss("05-why-unlocked", "it sleeps")
    out = capsys.readouterr().out
    assert "2 word(s)" in out and "[K31]" not in out
    ex.discuss("05-why-unlocked", "the conversion may sleep, so a spinlock cannot be held around it at all")
    out = capsys.readouterr().out
    assert "Compare it with the model answer" in out and "[K31]" in out and "A good answer says:" in out


def test_model_answers_in_words_read_their_facts_from_the_model(capsys):
    text = ex.reveal("02-why-safe")
    assert "fsync converted io#0" in text and "worker freed it" in text
    text = ex.reveal("05-why-unlocked")
    assert "i_completed_io_lock held in none of them" in text
    text = ex.reveal("04-lost-explain")
    assert "violation of nothing-lost" in text and "nonempty-list-has-worker" in text
    capsys.readouterr()
