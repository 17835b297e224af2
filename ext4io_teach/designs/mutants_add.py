"""Three variants of ``ext4_add_complete_io`` (28a535f9) that a reasonable person could write.

The real function, under ``i_completed_io_lock``: if the inode list is empty, mark this io_end
QUEUED and queue its work item; then add it to the list (``designs/new.py``). Each variant below
changes that one decision, registered in the same gallery as ``designs/mutants.py`` (imported from
there) and checked the same way: consequences only, property liveness, the smallest N found by the
explorer (``explore/gallery.py``).
"""

from __future__ import annotations

from ..model.flags import QUEUED, UNWRITTEN
from .mutants import Mutant, variant
from .table import step


# ---------------------------------------------------------------------------------------------- (add-a)
@variant
class EmptyTestedUnlocked(Mutant):
    name = "add-tests-empty-unlocked"
    change = "ext4_add_complete_io tests list_empty before it takes i_completed_io_lock"
    scenario = "truncate-vs-dio"
    smallest_n = 2
    expect = "no-deadlock"
    ADD_ENTRY = "add.peek"
    account = (
        "An 'optimisation': look at the list before taking the spinlock, and only queue work if it looked empty. "
        "Between the look and the lock the worker may run its stage A and splice the whole list away. The "
        "completion then adds its io_end to a list it believes has a worker coming, queues nothing, and nobody "
        "will ever drain it: no work item is pending and the worker that ran took the list before this entry "
        "arrived. The io_end is never converted, i_dio_count never reaches 0 and truncate sleeps in "
        "inode_dio_wait for ever (a deadlock: nothing is left that could run). Two io_ends are needed: the "
        "first, on the list with its work queued, is what the second completion sees. The test and the action "
        "on it must sit in one critical section; a list that looked non-empty is a promise only while the lock "
        "is held. (Every scenario has one completion task, so a list that looked empty stays empty until the "
        "lock is taken: that branch goes through the real test and is correct.)")

    @step("add.peek", "add_complete_io", "BUG_ON(!UNWRITTEN); empty = list_empty(&ei->i_completed_io_list)  "
          "[MUTANT: no lock held]", next=("add.lock", "add.lock_add"))
    def add_peek(self, w, t):
        io = w.use(t, t.io, "completes")
        if not io.flags & UNWRITTEN:
            w.fail("converts-only-unwritten", f"{t.name} adds io#{t.io}, which is not UNWRITTEN (BUG_ON)")
        empty = not w.inode.completed
        t.pc = "add.lock" if empty else "add.lock_add"
        return "read", f"io#{t.io} completes: the list looks {'empty' if empty else 'non-empty'} (no lock)", t.io

    @step("add.lock_add", "add_complete_io", "spin_lock(i_completed_io_lock); it looked non-empty: "
          "list_add_tail only  [MUTANT: no new test]", next=("add.add",))
    def add_lock_add(self, w, t):
        return self.take_spin(w, t, "add.add", t.io)


# ---------------------------------------------------------------------------------------------- (add-b)
@variant
class QueueEveryFlagFirst(Mutant):
    name = "queue-every-io-end"
    change = "ext4_add_complete_io queues work for every io_end but sets QUEUED only on the first of a batch"
    scenario = "completion-storm"
    smallest_n = 2
    expect = "not-freed-while-pending"
    account = (
        "Queue a work item for every completion, 'to be safe', but keep setting QUEUED only when the list was "
        "empty. QUEUED is what tells a drainer that an io_end's own work item may still run, so it must leave "
        "the free to that item. The first work item drains the whole batch; in stage C it finds the second "
        "io_end not QUEUED, moves it to to_free and frees it in stage D, while that io_end's own work item is "
        "still pending on dio_unwritten_wq: the worker will run a work item inside freed memory (the workqueue "
        "lifetime rule). A flusher does the same. One io_end cannot show it: the only io_end is the first, and "
        "QUEUED. Queueing and QUEUED must go together.")

    @step("add.test", "add_complete_io", "if the list is empty: io->flag |= QUEUED; queue_work either way  "
          "[MUTANT: every io_end queued]", next=("add.queue", "rmw.store"))
    def add_test(self, w, t):
        if not w.inode.completed:
            info, _ = self.rmw(w, t, t.io, "add.queue", set_bits=QUEUED, what="list empty: set QUEUED on")
            return info
        t.pc = "add.queue"
        return "read", f"list not empty: io#{t.io} stays without QUEUED, but its work is queued too", t.io


# ---------------------------------------------------------------------------------------------- (add-c)
@variant
class QueueAndFlagEvery(Mutant):
    name = "queue-flag-every-io-end"
    change = "ext4_add_complete_io marks every io_end QUEUED and queues its work item"
    scenario = "fsync-vs-worker"
    smallest_n = None
    checked_n = 3
    expect = "ok"
    equivalent = True
    account = (
        "Drop the empty-list test altogether: every completion marks its io_end QUEUED and queues its own work "
        "item, one per io_end as in v3.6. It looks like it must double-free or free under a pending item, but "
        "it is safe: every io_end that has a work item is QUEUED, so every drainer only unlinks it in stage C "
        "and leaves the free to its own work item, which puts it on to_free in its stage C (freed in stage D) "
        "once some drainer has converted it (or leaves it to the drainer that has it in hand, which by then "
        "sees QUEUED clear). The "
        "'second through stage C frees' rule holds per io_end. What is lost is the point of 28a535f9's add "
        "path: one work item per batch. Each completion costs a work item and each work item a pass over the "
        "spinlock twice, most of them finding an empty list. The explorer finds no consequence and no hang; "
        "the protocol rule queue-when-list-was-empty still turns red in the stepper.")

    @step("add.test", "add_complete_io", "io->flag |= QUEUED; queue_work  [VARIANT: every io_end, list empty "
          "or not]", next=("add.queue", "rmw.store"))
    def add_test(self, w, t):
        info, _ = self.rmw(w, t, t.io, "add.queue", set_bits=QUEUED, what="set QUEUED on")
        return info
