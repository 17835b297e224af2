"""One step of one task: the routine the stepper, the explorer and the timed runs all call.

``step(world, tid)`` runs the design's step at task ``tid``'s program counter, then the local control
flow after it (``settle``), then, unless told not to, the ``state`` invariants on what the step
touched. A step declared ``sleeps=...`` (``designs/table.py``) taken by a task that holds
``i_completed_io_lock`` breaks ``no-sleep-holding-spinlock`` first, as the kernel's ``might_sleep()``
would report it. It returns a ``StepOutcome``; an invariant the step breaks is in ``outcome.violation``, not
raised. Whether the task may run at all is ``World.can_run``, asked by the caller first: the
scheduler refuses a blocked task, the explorer counts it as blocked, a timed run puts it to sleep.

Around it, ``sched.Run`` adds the final invariants and a trace record, the explorer a memo
(``explore.memo``) and the timed engine CPU and time bookkeeping. A step is named in one place:
``Design.label_at`` gives its function and flush stage from where the task stood before it ran,
``where`` joins them, and ``StepOutcome.label`` (like ``trace.StepRecord.label``) adds what it did.
"""

from __future__ import annotations

from collections import namedtuple

from .errors import InvariantViolation


def where(func: str, stage: str) -> str:
    """``flush.B`` for a flush stage, else the function alone: the first word of every step label."""
    return f"{func}.{stage}" if stage else func


_FIELDS = "spec design task pc stack loaded kind text io touched returned violation"


class StepOutcome(namedtuple("StepOutcome", _FIELDS)):
    """What one step did: ``kind`` (its cost kind), ``text`` (in words), ``io`` (the io_end it names),
    ``touched`` (the io_end the state checks looked at), ``returned`` (the task has finished: its
    program counter is ``done``; an idle worker also counts as finished for ``World.finished``),
    ``violation`` (or None). ``spec`` is the step's StepSpec; ``func`` and ``stage`` name the step
    (``Design.label_at``, from where the task stood before it: its ``pc``, return ``stack`` and
    ``loaded`` flag word; asked only when someone reads them). A tuple: a timed run makes a million."""

    __slots__ = ()

    @property
    def func(self) -> str:
        return self.design.label_at(self.pc, self.stack, self.loaded, self.task.role)[0]

    @property
    def stage(self) -> str:
        return self.design.label_at(self.pc, self.stack, self.loaded, self.task.role)[1]

    @property
    def label(self) -> str:
        return f"{where(*self.design.label_at(self.pc, self.stack, self.loaded, self.task.role))} {self.text}"


_outcome = tuple.__new__  # StepOutcome's fields as one tuple (the generated __new__ is a Python call more)


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
    pc, stack, loaded = t.pc, t.stack, t.loaded  # where it stood: what names the step
    spec, method = design.table[pc]
    world.touched = None
    try:
        if spec.sleeps and world.inode.lock.holder == t.tid:  # might_sleep() in atomic context
            world.check("no-sleep-holding-spinlock", False, f"{t.name} holds i_completed_io_lock (a spinlock) and "
                        f"calls code that may sleep: {spec.sleeps} (BUG: scheduling while atomic)")
        kind, text, io = method(world, t)
        if t.pc in design.locals:
            settle(world, t)
        touched = world.touched
        # the state checks look at the io_end the step touched and at a non-empty inode list: with
        # neither there is nothing they could find (incremental checks, invariants.state_checker)
        check = world.check_state
        if checks and (touched is not None and check.per_io or check.list_check and world.inode.completed):
            check(touched)
    except InvariantViolation as v:
        return _outcome(StepOutcome, (spec, design, t, pc, stack, loaded, "violation", v.message, None, world.touched,
                                      False, v))
    return _outcome(StepOutcome, (spec, design, t, pc, stack, loaded, kind, text, io, touched, t.pc == "done", None))
