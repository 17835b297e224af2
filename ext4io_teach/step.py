"""One step of one task: the routine the stepper, the explorer and the timed runs all call.

``step(world, tid)`` runs the design's step at task ``tid``'s program counter, then the local control
flow after it (``settle``), then, unless told not to, the ``state`` invariants on what the step
touched. It returns a ``StepOutcome``; an invariant the step breaks is in ``outcome.violation``, not
raised. Whether the task may run at all is ``World.can_run``, asked by the caller first: the
scheduler refuses a blocked task, the explorer counts it as blocked, a timed run puts it to sleep.

Around it, ``sched.Run`` adds the final invariants and a trace record, the explorer a memo
(``explore.memo``) and the timed engine CPU and time bookkeeping. A step is named in one place:
``Design.label_of`` gives its function and flush stage before it runs, ``where`` joins them, and
``StepOutcome.label`` (like ``trace.StepRecord.label``) adds what it did.
"""

from __future__ import annotations

from .errors import InvariantViolation


def where(func: str, stage: str) -> str:
    """``flush.B`` for a flush stage, else the function alone: the first word of every step label."""
    return f"{func}.{stage}" if stage else func


class StepOutcome:
    """What one step did: ``kind`` (its cost kind), ``text`` (in words), ``io`` (the io_end it names),
    ``touched`` (the io_end the state checks looked at), ``finished`` (the task has finished),
    ``violation`` (or None), and ``func``/``stage``, which name it. ``spec`` is the step's StepSpec."""

    __slots__ = ("spec", "func", "stage", "kind", "text", "io", "touched", "finished", "violation")

    def __init__(self, spec, func, stage, kind, text, io, touched, finished, violation):
        self.spec, self.func, self.stage, self.kind, self.text = spec, func, stage, kind, text
        self.io, self.touched, self.finished, self.violation = io, touched, finished, violation

    @property
    def label(self) -> str:
        return f"{where(self.func, self.stage)} {self.text}"


def settle(world, t) -> None:
    """Run the local control flow (``@local`` methods) until task ``t`` stands at a step, waits for a
    lock or has finished."""
    locals_ = world.design.locals
    while t.waits_for is None:
        method = locals_.get(t.pc)
        if method is None:
            return
        method(world, t)


def step(world, tid: int, *, checks: bool = True) -> StepOutcome:
    """Task ``tid`` takes its next step (it must be able to run: ``world.can_run``). ``checks=False``
    leaves the ``state`` invariants to the caller (the explorer memoizes them apart)."""
    t = world.tasks[tid]
    design = world.design
    func, stage = design.label_of(t)
    spec, method = design.table[t.pc]
    world.touched = None
    try:
        kind, text, io = method(world, t)
        settle(world, t)
        if checks:
            world.check_state(world.touched)
    except InvariantViolation as v:
        return StepOutcome(spec, func, stage, "violation", v.message, None, world.touched, False, v)
    return StepOutcome(spec, func, stage, kind, text, io, world.touched, world.finished(t), None)
