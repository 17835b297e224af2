"""Why stage B runs without the lock: the variant that converts holding ``i_completed_io_lock``.

28a535f9's flush (``ext4_do_flush_completed_IO``) drops the spinlock after stage A and takes it again for
stage C [K42], because stage B converts: ``ext4_convert_unwritten_extents`` starts a journal handle and
takes ``i_data_sem`` and may sleep [K31], and a task holding a spinlock runs in atomic context, where
sleeping is a kernel BUG [K68]. The variant below keeps the lock from stage A to the end of stage C. No
list, flag or free goes wrong (the lock only protects more), so every other consequence holds; what
catches it is ``no-sleep-holding-spinlock``, checked at every step declared ``sleeps=`` (``step.step``).
"""

from __future__ import annotations

from .mutants import Mutant, variant
from .table import also_next, step


@variant
class StageBLocked(Mutant):
    name = "stage-b-locked"
    change = "the flush keeps i_completed_io_lock from stage A through stage B (converting under the spinlock)"
    scenario = "completion-storm"
    expect = "no-sleep-holding-spinlock"
    account = (
        "Why unlock after stage A only to lock again for stage C? Keep the spinlock and the list cannot change "
        "under the drainer. But stage B calls ext4_end_io, which converts the extent: "
        "ext4_convert_unwritten_extents starts a journal handle and takes i_data_sem, and either may sleep. A "
        "spinlock holder runs with preemption off (and here, irqsave, with interrupts off too); sleeping there is a "
        "kernel BUG (scheduling while atomic), and every completion on another CPU would spin on the lock for as "
        "long as the holder sleeps. The "
        "model finds nothing else wrong: no list, flag or free breaks, because holding the lock longer only "
        "protects more. The step declarations say which steps may sleep, and the invariant "
        "no-sleep-holding-spinlock fires at the first conversion, with one io_end.")

    @step("A.unlock", "flush", "keep i_completed_io_lock  [MUTANT: stage B runs under the spinlock]", stage="A",
          next=("B.loop",))
    def a_unlock(self, w, t):
        t.pc = "B.loop"
        return "read", "keeps i_completed_io_lock for stage B", None

    @also_next("C.loop")
    def b_loop(self, w, t):
        """Stage B as 28a535f9's, but at its end the lock is still held: straight into stage C's loop."""
        super().b_loop(w, t)
        if t.pc == "C.lock":
            t.pc = "C.loop"
