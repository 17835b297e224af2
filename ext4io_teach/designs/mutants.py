"""Broken variants of the new design (28a535f9), one small named change each, and the equivalent ones.

Every variant is a subclass of ``NewDesign`` that overrides one step (one variant, ``stage-c-unlocked``,
overrides the lock and the unlock of the same critical section) and is registered as a design, so
the scheduler, the CLI and the stepper accept its name. Each carries:

* ``account``: one paragraph on what changed and what goes wrong;
* ``scenario`` and ``smallest_n``: where the explorer shows it, and the fewest io_ends it needs;
* ``expect``: the consequence the explorer reports (an invariant of kind ``consequence``, or
  ``no-deadlock`` / a liveness goal for a hang), or ``"ok"`` for an equivalent variant.

A variant counts as caught only by a consequence (a double free, a use after free, a free while on a
list, QUEUED, UNWRITTEN or pending, list corruption, a lost or doubled conversion) or a hang, never by
a protocol rule of the new design that merely restates the change: the gallery runs the explorer with
``checks=invariants.CONSEQUENCES``. In the stepper the variants keep the new design's full invariant
set, so the protocol cards turn red early, which is the teaching point of those cards.
"""

from __future__ import annotations

from ..model.flags import QUEUED, UNWRITTEN
from . import register
from .new import NewDesign
from .table import local, step


class Mutant(NewDesign):
    family = "new"
    commit = "28a535f9 (broken)"
    account = ""
    scenario = "fsync-vs-worker"
    smallest_n: int | None = 1  # the fewest io_ends that show the bug (None: an equivalent variant)
    checked_n = 0  # equivalent variants: the explorer finds nothing up to this N
    expect = ""
    equivalent = False

    @classmethod
    def _init_title(cls) -> None:
        cls.title = f"variant of 28a535f9: {cls.change}"
        cls.summary = cls.account


VARIANTS: dict[str, type[Mutant]] = {}


def variant(cls):
    cls._init_title()
    VARIANTS[cls.name] = cls
    return register(cls)


# ---------------------------------------------------------------------------------------------- (a)
@variant
class WorkerFreesUnwritten(Mutant):
    name = "worker-frees-unwritten"
    change = "in stage C the worker puts its own io_end on to_free without checking UNWRITTEN"
    expect = "not-freed-while-unwritten"
    account = (
        "ext4_do_flush_completed_IO, stage C, worker side: after clearing QUEUED on its own io_end the worker "
        "puts it on to_free without the test of UNWRITTEN. But a flusher (fsync) may have drained that io_end in "
        "its stage A and be converting it in stage B right now: it has unlinked it from its private list and is "
        "inside ext4_end_io, and UNWRITTEN is still set. The worker frees it under the flusher's feet: "
        "ext4_free_io_end's BUG_ON(UNWRITTEN) fires (without it, the flusher would go on to convert, complete "
        "and link freed memory). The real rule: whoever reaches stage C second frees; an UNWRITTEN own io_end "
        "means the other drainer has not reached its stage C yet, and it will free the io_end there.")

    @step("C.own_free", "flush", "worker only: list_add_tail(&work_io->list, &to_free)  [MUTANT: no UNWRITTEN test]",
          stage="C", next=("C.unlock",))
    def c_own_free(self, w, t):
        k = t.work_io
        w.use(t, k, "checks")
        w.list_add_tail(t, k, f"{t.tid}.to_free")
        t.pc = "C.unlock"
        return "read", f"own io#{k}: onto to_free, freed in stage D (without looking at UNWRITTEN)", k


# ---------------------------------------------------------------------------------------------- (b)
@variant
class FlusherFreesQueued(Mutant):
    name = "flusher-frees-queued"
    change = "a flusher frees every io_end it converted, QUEUED or not (a reconstruction of the V2 bug)"
    expect = "not-freed-while-pending"
    account = (
        "Stage C of a flusher (fsync, truncate, punch hole, nolock read: work_io NULL) moves every converted "
        "io_end to to_free, ignoring QUEUED. An io_end is QUEUED when its own work item was queued for the batch; "
        "the flusher then frees it while that work item is still pending on dio_unwritten_wq, and the worker "
        "later runs a work item inside freed memory (or, if it already started, touches the freed io_end in its "
        "stage C). The changelog of 28a535f9 says a use-after-free from truncate racing the end_io worker was "
        "fixed after V2; no archived copy of V1 or V2 is known, so this is a plausible reconstruction, not the "
        "historical code. In this model truncate flushes only after inode_dio_wait, when every conversion is "
        "done, so the race shows with the flushers that do not wait: fsync here, punch hole and the nolock read "
        "too. QUEUED and work_io exist to prevent exactly this: a flusher only unlinks a QUEUED io_end and "
        "leaves the free to its worker.")

    @step("C.place", "flush", "  if (QUEUED && work_io): list_del_init else: list_move to to_free  "
          "[MUTANT: a flusher ignores QUEUED]", stage="C", next=("C.loop",))
    def c_place(self, w, t):
        k = t.io
        io = w.use(t, k, "places")
        if io.flags & QUEUED and t.work_io is not None:
            w.list_del_init(t, k)
            text = (f"own io#{k} is QUEUED: unlink only; this worker settles it after the loop" if k == t.work_io
                    else f"io#{k} is QUEUED: unlink only; io#{k}'s own work item frees it")
        else:
            w.list_move(t, k, f"{t.tid}.to_free")
            text = f"io#{k}: move to to_free" + (" although it is QUEUED" if io.flags & QUEUED else "")
        t.pc = "C.loop"
        return "list", text, k


# ---------------------------------------------------------------------------------------------- (c)
@variant
class StageCUnlocked(Mutant):
    name = "stage-c-unlocked"
    change = "stage C runs without i_completed_io_lock"
    expect = "list-integrity"
    account = (
        "Stage C decides who frees an io_end from two flags: the flusher clears UNWRITTEN and then tests QUEUED, "
        "the worker clears QUEUED on its own io_end and then tests UNWRITTEN. Under the spinlock each pair is "
        "atomic, so exactly one side sees the other's clear and frees. Without the lock they interleave: the "
        "worker clears QUEUED (UNWRITTEN still set, so far so good), the flusher clears UNWRITTEN but has not yet "
        "placed the io_end, and the worker, seeing UNWRITTEN clear, links the io_end onto its to_free list while "
        "it still sits on the flusher's complete list: both lists are corrupt, and each side would free it.")

    @step("C.lock", "flush", "[MUTANT: no spin_lock]", stage="C", next=("C.loop",))
    def c_lock(self, w, t):
        t.pc = "C.loop"
        return "read", "stage C without taking the spinlock", None

    @step("C.unlock", "flush", "[MUTANT: no spin_unlock]", stage="C", next=("D.loop",))
    def c_unlock(self, w, t):
        t.pc = "D.loop"
        return "read", "end of stage C (no lock to drop)", None


# ---------------------------------------------------------------------------------------------- (d)
@variant
class FreeWithoutUnlink(Mutant):
    name = "free-without-unlink"
    change = "stage D frees an io_end without list_del_init"
    scenario = "completion-storm"
    expect = "not-freed-while-listed"
    account = (
        "Stage D walks the private to_free list and frees each io_end, but skips list_del_init first. The "
        "io_end's list link still points into to_free when it is freed: ext4_free_io_end's check that the link "
        "is empty fires (in the kernel, the next step of the walk would read freed memory). One io_end and no "
        "race at all are enough: this is a plain sequential bug, found by the first run.")

    @local("D.loop", "flush", "for each io on to_free:  [MUTANT: no list_del_init]", stage="D", next=("D.free",))
    def d_loop(self, w, t):
        if not t.to_free:
            t.io = None
            self.ret(t)
            return
        t.io = t.to_free[0]
        t.pc = "D.free"


# ---------------------------------------------------------------------------------------------- own variants
@variant
class DrainOne(Mutant):
    name = "drain-one"
    change = "stage A takes only the first io_end off the list instead of splicing the whole list"
    scenario = "truncate-vs-dio"
    smallest_n = 2
    expect = "no-deadlock"
    account = (
        "Stage A moves only the first entry of i_completed_io_list to the private list. Work is queued only "
        "when the list goes from empty to non-empty, so one work item must drain everything that was added "
        "behind the first entry. With two completions in one batch the second io_end stays on the list with no "
        "work item left to drain it: it is never converted, i_dio_count never reaches 0 and truncate sleeps in "
        "inode_dio_wait forever. One io_end cannot show it (the only entry is the first one).")

    @step("A.splice", "flush", "list_move(first entry, &unwritten)  [MUTANT: only one entry]", stage="A",
          next=("A.unlock",))
    def a_splice(self, w, t):
        if not w.inode.completed:
            t.pc = "A.unlock"
            return "list", "take the first entry: nothing", None
        k = w.inode.completed[0]
        w.list_move(t, k, f"{t.tid}.unwritten")
        t.pc = "A.unlock"
        return "list", f"take the first entry only: io#{k}", k


@variant
class QueuedTestOnWorkIo(Mutant):
    name = "queued-test-on-work-io"
    change = "stage C of the worker tests QUEUED on work_io instead of on the io_end at hand"
    scenario = "completion-storm"
    smallest_n = 2
    expect = "nothing-lost"
    account = (
        "A one-word slip in stage C: the worker tests work_io->flag & QUEUED where it should test io->flag. "
        "Its own io_end is QUEUED, so every io_end of the batch looks QUEUED and is only unlinked, never moved to "
        "to_free; their own work items were never queued (only the first completion of a batch queues), so "
        "nobody frees them: a leak, caught when all tasks have finished (nothing-lost) and by the liveness goal "
        "'every io_end is eventually freed'. With one io_end the slip is harmless: work_io is that io_end.")

    @step("C.place", "flush", "  if (work_io ? work_io->flag : io->flag) & QUEUED: list_del_init else: to_free  "
          "[MUTANT: tests work_io]", stage="C", next=("C.loop",))
    def c_place(self, w, t):
        k = t.io
        io = w.use(t, k, "places")
        tested = w.ios[t.work_io] if t.work_io is not None else io
        if tested.flags & QUEUED:
            w.list_del_init(t, k)
            text = f"io#{k}: work_io is QUEUED, so unlink only"
        else:
            w.list_move(t, k, f"{t.tid}.to_free")
            text = f"io#{k} not QUEUED: move to to_free"
        t.pc = "C.loop"
        return "list", text, k


@variant
class ClearUnwrittenInStageB(Mutant):
    name = "clear-unwritten-in-b"
    change = "the drainer clears UNWRITTEN right after converting, in stage B, without the lock"
    expect = "list-integrity"
    account = (
        "An 'optimisation': clear UNWRITTEN as soon as the extent is converted, in stage B, instead of in the "
        "locked stage C. But UNWRITTEN is also the signal the worker reads in its stage C: a clear UNWRITTEN on "
        "its own io_end means 'a drainer has passed stage C, free it yourself'. A flusher in stage B now "
        "clears it early; the worker sees it, links its own io_end onto to_free while it still sits on the "
        "flusher's private list (list corruption) and frees it while the flusher still holds it.")

    @step("eio.unwritten", None, "i_unwritten--; io->flag &= ~UNWRITTEN  [MUTANT: stage B, no lock]",
          activity="converting", next=())
    def eio_unwritten(self, w, t):
        w.unwritten_dec(t, t.io)
        w.change_flags(t, t.io, clear_bits=UNWRITTEN)
        self.ret(t)
        return "unwritten", f"i_unwritten-- io#{t.io} and clear UNWRITTEN at once", t.io


@variant
class WorkerClearsQueuedInStageA(Mutant):
    name = "queued-cleared-in-a"
    change = "the worker clears QUEUED on its own io_end in stage A (under the lock) instead of stage C"
    scenario = "completion-storm"
    expect = "list-integrity"
    account = (
        "The worker clears QUEUED on its own io_end while it splices the list in stage A: still under the lock "
        "and still by the owner, so the lock rule and the owner rule both hold. But when the worker drained "
        "its own io_end, stage C now finds it not QUEUED and moves it to to_free as any other; then the worker's "
        "own-io_end step sees UNWRITTEN clear and links it onto to_free a second time: list corruption, and a "
        "double free after it. QUEUED must stay set until the worker has placed every io_end it converted.")

    @step("A.splice", "flush", "list_replace_init(..., &unwritten); worker: work_io->flag &= ~QUEUED  "
          "[MUTANT: clear QUEUED in stage A]", stage="A", next=("A.unlock",))
    def a_splice(self, w, t):
        taken = w.splice_inode_list(t, "unwritten")
        if t.work_io is not None:
            w.change_flags(t, t.work_io, clear_bits=QUEUED)
        t.pc = "A.unlock"
        names = ", ".join(f"io#{k}" for k in taken) or "nothing"
        return "list", f"take the whole list: {names}" + ("; clear own QUEUED" if t.work_io is not None else ""), \
            (taken[0] if taken else None)


@variant
class WorkerKeepsOwn(Mutant):
    name = "worker-never-frees-own"
    change = "in stage C the worker never puts its own io_end on to_free, trusting the drainer to free it"
    expect = "nothing-lost"
    account = (
        "The worker clears QUEUED on its own io_end but never puts it on to_free, on the theory that whoever "
        "converted it will free it. When a flusher converted it first, the flusher saw QUEUED in its stage C "
        "and only unlinked it, leaving the free to the worker: now nobody frees it. The io_end leaks "
        "(nothing-lost when all tasks finish; i_ioend_count never returns to 0, so inode eviction would wait "
        "forever). The handoff needs both halves: unlink-only on one side, free-if-converted on the other.")

    @step("C.own_free", "flush", "worker only: (nothing)  [MUTANT: never frees its own io_end]", stage="C",
          next=("C.unlock",))
    def c_own_free(self, w, t):
        k = t.work_io
        w.use(t, k, "checks")
        t.pc = "C.unlock"
        return "read", f"own io#{k}: leave it (someone else will free it?)", k


# ---------------------------------------------------------------------------------------------- equivalent ones
@variant
class QueueBeforeFlag(Mutant):
    name = "queue-before-flag"
    change = "ext4_add_complete_io queues the work item before it sets QUEUED"
    scenario = "fsync-vs-worker"
    smallest_n = None
    checked_n = 3
    expect = "ok"
    equivalent = True
    account = (
        "Looks dangerous: the work item is on the queue, and the worker may start, while the io_end does not "
        "say QUEUED yet, so a drainer could take it for an unqueued io_end and free it under the worker. It is "
        "equivalent: QUEUED is read only in stage C, under i_completed_io_lock, and the completion holds that "
        "lock from the empty-list test until after it has set QUEUED and linked the io_end. The worker can "
        "dequeue the item meanwhile, but its first action on shared state is stage A's spin_lock, so it cannot "
        "observe the gap; no flusher can either. The explorer finds nothing, in every scenario tried.")

    @step("add.test", "add_complete_io", "if the list is empty: queue_work(...) then io->flag |= QUEUED  "
          "[VARIANT: order swapped]", next=("add.flag", "add.unlock"))
    def add_test(self, w, t):
        if not w.inode.completed:
            w.queue_work(t, t.io)
            t.pc = "add.flag"
            return "queue_work", f"list empty: queue_work io#{t.io} (QUEUED not set yet)", t.io
        w.list_add_tail(t, t.io, "inode")
        w.ios[t.io].added = True
        t.pc = "add.unlock"
        return "list", f"list not empty (work already queued): list_add_tail io#{t.io}", t.io

    @step("add.flag", "add_complete_io", "io->flag |= QUEUED  [VARIANT: after queue_work]",
          next=("add.add", "rmw.store"))
    def add_flag(self, w, t):
        info, _ = self.rmw(w, t, t.io, "add.add", set_bits=QUEUED, what="set QUEUED on")
        return info


@variant
class ListIsSingular(Mutant):
    name = "add-then-test-singular"
    change = "ext4_add_complete_io links the io_end first, then queues if the list holds exactly that one entry"
    scenario = "fsync-vs-worker"
    smallest_n = None
    checked_n = 3
    expect = "ok"
    equivalent = True
    account = (
        "Looks like a change of protocol: the io_end is published on the list before QUEUED is set and before "
        "its work is queued, so a drainer could splice it in between and see it unqueued. Equivalent, because "
        "the link, the test (list_is_singular) and the QUEUED set all happen in one critical section of "
        "i_completed_io_lock: nobody can splice in between, and 'the list holds exactly my entry after the add' "
        "is the same test as 'the list was empty before it'.")

    @step("add.test", "add_complete_io", "list_add_tail; if list_is_singular: io->flag |= QUEUED  "
          "[VARIANT: add first]", next=("add.requeue", "add.unlock"))
    def add_test(self, w, t):
        w.list_add_tail(t, t.io, "inode")
        w.ios[t.io].added = True
        if w.inode.completed == [t.io]:
            w.change_flags(t, t.io, set_bits=QUEUED)
            t.pc = "add.requeue"
            return "list", f"list_add_tail io#{t.io}; it is the only entry: set QUEUED", t.io
        t.pc = "add.unlock"
        return "list", f"list_add_tail io#{t.io}; not the only entry (work already queued)", t.io

    @step("add.requeue", "add_complete_io", "queue_work(dio_unwritten_wq, &io->work)  [VARIANT: after the add]",
          next=("add.unlock",))
    def add_requeue(self, w, t):
        w.queue_work(t, t.io)
        t.pc = "add.unlock"
        return "queue_work", f"queue_work io#{t.io}", t.io


from . import mutants_add  # noqa: E402,F401,I001  (registers the three add-path variants after these)
from . import mutants_sleep  # noqa: E402,F401  (registers stage B under the spinlock)

__all__ = ["VARIANTS", "Mutant"]
