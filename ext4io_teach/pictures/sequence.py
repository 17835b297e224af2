"""A sequence diagram of a run: one lane per task, time (the step number) left to right.

Built from a run's step records (``Run.trace``) and, for what a record does not carry, from the model
itself: the run's schedule is replayed on a fresh ``Run`` and each step's effect on the io_ends is
read off the state before and after it. What the diagram holds:

* ``boxes``: a flush stage A-D of one task, from the first to the last step it takes in that stage
  (steps of other tasks may lie in between: the stage is still open, e.g. while it spins);
* ``events``: flag changes (``+QUEUED``, ``-UNWRITTEN``), conversions and frees, each at its step;
* ``handoffs``: an io_end passing from one task to another: a drainer taking it off the inode list
  that a completion put it on, or freeing one that another task last unlinked (who frees, and why);
* ``waits``: the stretches in which a started, unfinished task could not run, and why (it sleeps on
  ``i_mutex`` or a counter, or spins on the spinlock); an idle worker does not count;
* ``violation``: the step that broke an invariant, if one did.

A long run makes a wide picture (about a third of an inch per step): ``sequence(run, steps=(a, b))``
or ``Sequence.part(a, b)`` keeps only steps a..b, with the boxes and waits cut to that window and an
io_end handed over from before it drawn from the window's left edge.

Standard library only; drawing is in ``draw.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..errors import InvariantViolation, bad_input
from ..model.flags import NAMES


@dataclass(frozen=True)
class Box:
    task: int
    stage: str  # A, B, C or D
    first: int  # step numbers, inclusive
    last: int


@dataclass(frozen=True)
class Event:
    step: int
    task: int
    kind: str  # flag | convert | free
    io: int
    text: str  # "+QUEUED", "-UNWRITTEN", "convert", "free"


@dataclass(frozen=True)
class HandOff:
    io: int
    src: int  # task that had it
    src_step: float  # the step at which it got it (or put it where the other takes it from); in a part of a
    # run, first - 0.5 for one it got before the window
    dst: int
    dst_step: int
    what: str  # "takes" (off a list the other put it on) | "frees" (what the other unlinked)


@dataclass(frozen=True)
class Wait:
    task: int
    first: int  # the step after which it could no longer run
    last: int  # the last step during which it still could not
    why: str  # "waits for i_dio_count == 0", "waits for i_mutex held by fsync", ...


@dataclass
class Sequence:
    title: str
    lanes: list[str]  # task names, task id order
    steps: list[tuple[int, int, str]]  # (step, task, label) of every step
    boxes: list[Box] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    handoffs: list[HandOff] = field(default_factory=list)
    waits: list[Wait] = field(default_factory=list)
    violation: tuple[int, int, str, str] | None = None  # (step, task, invariant, the model's account)
    window: tuple[int, int] | None = None  # (first, last) step shown, when only part of the run is
    total: int = 0  # how many steps the whole run has

    def lane_of(self, name: str) -> int:
        return self.lanes.index(name)

    @property
    def first_step(self) -> int:
        return self.window[0] if self.window else 0

    def part(self, first: int, last: int) -> Sequence:
        """The same diagram cut to steps ``first..last`` (inclusive; ``last`` beyond the run means its
        end): boxes and waits are cut to the window, events and the violation outside it left out, and
        an io_end handed over from a step before the window is drawn from the window's left edge."""
        end = self.total - 1
        for name, v in (("first", first), ("last", last)):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise bad_input("steps", f"{name} step {v!r} is not a whole number >= 0", f"(first, last), 0..{end}")
        if first > last or first > end:
            raise bad_input("steps", f"({first}, {last}) shows none of the run's steps", f"first <= last, 0..{end}")
        last = min(last, end)

        def inside(step: int) -> bool:
            return first <= step <= last

        def cut(x, lo: str, hi: str):
            return replace(x, **{lo: max(getattr(x, lo), first), hi: min(getattr(x, hi), last)})

        return replace(
            self, title=f"{self.title} (steps {first}-{last} of 0-{end})",
            steps=[s for s in self.steps if inside(s[0])],
            boxes=[cut(b, "first", "last") for b in self.boxes if b.first <= last and b.last >= first],
            events=[e for e in self.events if inside(e.step)],
            handoffs=[replace(h, src_step=max(h.src_step, first - 0.5)) for h in self.handoffs if inside(h.dst_step)],
            waits=[cut(x, "first", "last") for x in self.waits if x.first <= last and x.last >= first],
            violation=self.violation if self.violation and inside(self.violation[0]) else None,
            window=(first, last))


def _io_state(w):
    return [(io.where, io.flags, io.freed, io.conv) for io in w.ios]


def _flag_texts(before: int, after: int) -> list[str]:
    out = [f"+{name}" for bit, name in NAMES.items() if after & bit and not before & bit]
    return out + [f"-{name}" for bit, name in NAMES.items() if before & bit and not after & bit]


def sequence(run, *, title: str | None = None, steps: tuple[int, int] | None = None) -> Sequence:
    """The sequence diagram of ``run`` (a ``sched.Run`` or a ``RunResult``) up to its last step;
    ``steps=(first, last)`` keeps only that window (``Sequence.part``)."""
    run = getattr(run, "run", None) or run
    i = run.inputs
    r = run.fresh()
    seq = Sequence(title or f"{i['scenario']} · {i['design']} · {i['ios']} io_end(s)", list(r.task_names), [])
    custody: dict[int, tuple[int, int]] = {}  # io -> (task, step) that last placed or took it
    open_box: dict[int, Box] = {}
    waiting: dict[int, Wait] = {}
    for n, tid in enumerate(run.schedule):
        before = _io_state(r.world)
        try:
            rec = r.step(tid)
        except InvariantViolation as v:
            seq.violation = (n, tid, v.invariant, v.message)
            seq.steps.append((n, tid, f"broke {v.invariant}"))
            break
        seq.steps.append((n, tid, rec.label))
        stage = rec.stage
        box = open_box.get(tid)
        if stage and box is not None and box.stage == stage:
            open_box[tid] = Box(tid, stage, box.first, n)
        else:
            if box is not None:
                seq.boxes.append(box)
            open_box.pop(tid, None)
            if stage:
                open_box[tid] = Box(tid, stage, n, n)
        for k, ((w0, f0, fr0, c0), io) in enumerate(zip(before, r.world.ios)):
            seq.events += [Event(n, tid, "flag", k, t) for t in _flag_texts(f0, io.flags)]
            if io.conv > c0:
                seq.events.append(Event(n, tid, "convert", k, "convert"))
            if io.freed > fr0:
                seq.events.append(Event(n, tid, "free", k, "free"))
                _hand(seq, custody, k, tid, n, "frees")
            elif io.where != w0:  # only the stepping task changes a link (list_add, splice, move, del)
                _hand(seq, custody, k, tid, n, "takes")
        _note_waits(seq, r, n, waiting)
    seq.boxes += open_box.values()
    seq.boxes.sort(key=lambda b: (b.first, b.task))
    seq.waits += waiting.values()
    seq.waits.sort(key=lambda x: (x.first, x.task))
    seq.total = len(seq.steps)
    if steps is None:
        return seq
    if not isinstance(steps, (tuple, list)) or len(steps) != 2:
        raise bad_input("steps", f"{steps!r} is not a pair", "(first, last): the first and last step to draw")
    return seq.part(*steps)


def _note_waits(seq: Sequence, r, n: int, waiting: dict) -> None:
    """After step ``n``: extend, open or close each task's stretch of waiting."""
    w = r.world
    started = {t for _, t, _ in seq.steps}
    for t in w.tasks:
        why = w.blocked_reason(t) if t.tid in started and not w.finished(t) else None
        why = why.split(" (now")[0] if why else None
        cur = waiting.get(t.tid)
        if cur is not None and cur.why == why:
            waiting[t.tid] = Wait(t.tid, cur.first, n, why)
            continue
        if cur is not None:
            seq.waits.append(waiting.pop(t.tid))
        if why and not why.startswith("idle"):
            waiting[t.tid] = Wait(t.tid, n, n, why)


def _hand(seq: Sequence, custody: dict, k: int, tid: int, n: int, what: str) -> None:
    """Task ``tid`` moved or freed io#k at step ``n``: a hand-off if another task had it."""
    had = custody.get(k)
    if had is not None and had[0] != tid:
        seq.handoffs.append(HandOff(k, had[0], had[1], tid, n, what))
    custody[k] = (tid, n)
