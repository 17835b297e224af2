"""The design after 28a535f9 "ext4: completed_io locking cleanup", fs/ext4/page-io.c.

28a535f9 is a commit inside the 3.7 merge window, not the released v3.7: v3.7 also contains c278531d
(kernel-facts.md, section 2; design ``c278531d``).

* ``ext4_add_complete_io``: under ``i_completed_io_lock``, if the inode list is empty, mark this
  io_end QUEUED and queue its work; then add it to the list. One work item serves a whole batch.
* ``ext4_do_flush_completed_IO(inode, work_io)``, run by the worker (``work_io`` = the io_end whose
  work is running) and by flushers (fsync, truncate, punch hole, nolock DIO read; ``work_io`` NULL):
  A. under the spinlock, take the whole list onto a local ``unwritten`` list;
  B. without any lock, run ``ext4_end_io`` on each (convert, aio_complete, inode_dio_done,
     i_unwritten--) and move it to a local ``complete`` list;
  C. under the spinlock, clear UNWRITTEN on each; a QUEUED one is only unlinked (its worker frees
     it), any other moves to ``to_free``; a worker then clears QUEUED on its own io_end and frees it
     too if UNWRITTEN is already clear (some drainer has passed stage C for it);
  D. free everything on ``to_free``.
* ``ext4_end_io_work``: ``ext4_do_flush_completed_IO(io->inode, io)``. It never touches i_mutex.

``D02d262df`` adds 02d262df's punch hole (i_mutex, ``inode_dio_wait``). ``C278531d`` is the released
v3.7: c278531d's flush-and-wait under i_mutex for every caller, with 02d262df's punch hole.
"""

from __future__ import annotations

from ..model.flags import QUEUED, UNWRITTEN
from .base import Design
from .punch import PunchWaits
from .table import local, step


class NewDesign(Design):
    name = "new"
    family = "new"
    commit = "28a535f9"
    title = ("28a535f9 (in the 3.7 merge window): one work item per batch, four-stage flush, "
             "no i_mutex in the worker")
    summary = ("Completions go on the per-inode list; work is queued only when the list was empty; one flush "
               "drains the list in stages A-D and the QUEUED flag decides who frees.")

    # ------------------------------------------------------------ ext4_add_complete_io
    @step("add.lock", "add_complete_io", "BUG_ON(!UNWRITTEN); spin_lock(i_completed_io_lock)", next=("add.test",))
    def add_lock(self, w, t):
        io = w.use(t, t.io, "completes")
        if not io.flags & UNWRITTEN:
            w.fail("converts-only-unwritten", f"{t.name} adds io#{t.io}, which is not UNWRITTEN (BUG_ON)")
        return self.take_spin(w, t, "add.test", t.io, prefix=f"io#{t.io} completes: ")

    @step("add.test", "add_complete_io", "if the list is empty: io->flag |= QUEUED  (else: list_add_tail)",
          next=("add.queue", "add.unlock", "rmw.store"))
    def add_test(self, w, t):
        if not w.inode.completed:
            return self.mark_queued(w, t, "list empty: set QUEUED on")
        return self.add_only(w, t, "list not empty (work already queued)")

    def mark_queued(self, w, t, what: str):
        """The branch that queues: ``io->flag |= QUEUED``, then ``queue_work`` (``add.queue``) and
        ``list_add_tail`` (``add.add``). A helper so that a variant can send either branch elsewhere."""
        info, _ = self.rmw(w, t, t.io, "add.queue", set_bits=QUEUED, what=what)
        return info

    def add_only(self, w, t, why: str):
        """The branch that only adds: ``list_add_tail``, no work queued; then ``spin_unlock``."""
        w.list_add_tail(t, t.io, "inode")
        w.ios[t.io].added = True
        t.pc = "add.unlock"
        return "list", f"{why}: list_add_tail io#{t.io}", t.io

    @step("add.queue", "add_complete_io", "queue_work(dio_unwritten_wq, &io->work)", next=("add.add",))
    def add_queue(self, w, t):
        w.queue_work(t, t.io)
        t.pc = "add.add"
        return "queue_work", f"queue_work io#{t.io}", t.io

    @step("add.add", "add_complete_io", "list_add_tail(&io->list, &ei->i_completed_io_list)", next=("add.unlock",))
    def add_add(self, w, t):
        w.list_add_tail(t, t.io, "inode")
        w.ios[t.io].added = True
        t.pc = "add.unlock"
        return "list", f"list_add_tail io#{t.io}", t.io

    @step("add.unlock", "add_complete_io", "spin_unlock(i_completed_io_lock)", next=("dio.next",))
    def add_unlock(self, w, t):
        w.spin_unlock(t)
        t.pc = "dio.next"
        return "spin_unlock", "spin_unlock", t.io

    # ------------------------------------------------------------ stage A
    @step("A.lock", "flush", "spin_lock(i_completed_io_lock)", stage="A", next=("A.splice",))
    def a_lock(self, w, t):
        return self.take_spin(w, t, "A.splice")

    @step("A.splice", "flush", "list_replace_init(&ei->i_completed_io_list, &unwritten)", stage="A", next=("A.unlock",))
    def a_splice(self, w, t):
        taken = w.splice_inode_list(t, "unwritten")
        t.pc = "A.unlock"
        names = ", ".join([f"io#{k}" for k in taken]) or "nothing"
        return "list", f"take the whole list: {names}", (taken[0] if taken else None)

    @step("A.unlock", "flush", "spin_unlock(i_completed_io_lock)", stage="A", next=("B.loop",))
    def a_unlock(self, w, t):
        w.spin_unlock(t)
        t.pc = "B.loop"
        return "spin_unlock", "spin_unlock", None

    # ------------------------------------------------------------ stage B (no lock held)
    @local("B.loop", "flush", "for each io on unwritten: BUG_ON(!UNWRITTEN); list_del_init; ext4_end_io(io)",
           stage="B", next=("B.done", "C.lock", "eio.convert"))
    def b_loop(self, w, t):
        if not t.unwritten:
            t.pc = "C.lock"
            return
        k = t.unwritten[0]
        t.io = k
        io = w.use(t, k, "converts")
        if not io.flags & UNWRITTEN:
            w.fail("converts-only-unwritten", f"{t.name} finds io#{k} without UNWRITTEN in stage B (BUG_ON)")
        w.list_del_init(t, k)
        self.call(t, "eio.convert", "B.done")

    @local("B.done", "flush", "list_add_tail(&io->list, &complete)", stage="B", next=("B.loop",))
    def b_done(self, w, t):
        w.list_add_tail(t, t.io, f"{t.tid}.complete")
        t.pc = "B.loop"

    # ------------------------------------------------------------ stage C
    @step("C.lock", "flush", "spin_lock(i_completed_io_lock)", stage="C", next=("C.loop",))
    def c_lock(self, w, t):
        return self.take_spin(w, t, "C.loop")

    @local("C.loop", "flush", "for each io on complete:", stage="C", next=("C.clear", "C.own", "C.unlock"))
    def c_loop(self, w, t):
        if t.complete:
            t.io = t.complete[0]
            t.pc = "C.clear"
        else:
            t.io = None
            t.pc = "C.own" if t.work_io is not None else "C.unlock"

    @step("C.clear", "flush", "  io->flag &= ~UNWRITTEN", stage="C", next=("C.place", "rmw.store"))
    def c_clear(self, w, t):
        info, _ = self.rmw(w, t, t.io, "C.place", clear_bits=UNWRITTEN, what="clear UNWRITTEN on")
        return info

    @step("C.place", "flush", "  if QUEUED: list_del_init (its worker frees it) else: list_move to to_free",
          stage="C", next=("C.loop",))
    def c_place(self, w, t):
        k = t.io
        io = w.use(t, k, "places")
        if io.flags & QUEUED:
            w.list_del_init(t, k)
            text = (f"own io#{k} is QUEUED: unlink only; this worker settles it after the loop" if k == t.work_io
                    else f"io#{k} is QUEUED: unlink only; io#{k}'s own work item frees it")
        else:
            w.list_move(t, k, f"{t.tid}.to_free")
            text = f"io#{k} not QUEUED: move to to_free"
        t.pc = "C.loop"
        return "list", text, k

    @step("C.own", "flush", "worker only: work_io->flag &= ~QUEUED", stage="C", next=("C.own_free", "rmw.store"))
    def c_own(self, w, t):
        info, _ = self.rmw(w, t, t.work_io, "C.own_free", clear_bits=QUEUED, what="clear QUEUED on own")
        return info

    @step("C.own_free", "flush", "worker only: if !(work_io->flag & UNWRITTEN): list_add_tail to to_free",
          stage="C", next=("C.unlock",))
    def c_own_free(self, w, t):
        k = t.work_io
        io = w.use(t, k, "checks")
        if not io.flags & UNWRITTEN:
            w.list_add_tail(t, k, f"{t.tid}.to_free")
            text = f"own io#{k} is converted (UNWRITTEN clear): onto to_free, freed in stage D"
        else:
            text = f"own io#{k} still UNWRITTEN: the drainer converting it will free it"
        t.pc = "C.unlock"
        return "read", text, k

    @step("C.unlock", "flush", "spin_unlock(i_completed_io_lock)", stage="C", next=("D.loop",))
    def c_unlock(self, w, t):
        w.spin_unlock(t)
        t.pc = "D.loop"
        return "spin_unlock", "spin_unlock", None

    # ------------------------------------------------------------ stage D
    @local("D.loop", "flush", "for each io on to_free: list_del_init", stage="D", next=("D.free",))
    def d_loop(self, w, t):
        if not t.to_free:
            t.io = None
            self.ret(t)
            return
        k = t.to_free[0]
        t.io = k
        w.list_del_init(t, k)
        t.pc = "D.free"

    @step("D.free", "flush", "  ext4_free_io_end(io)", stage="D", next=("D.loop",))
    def d_free(self, w, t):
        k = t.io
        w.free(t, k)
        t.pc = "D.loop"
        return "free", f"free io#{k}", k


class D02d262df(PunchWaits, NewDesign):
    """28a535f9 plus 02d262df "punch_hole should wait for DIO writers": punch hole takes i_mutex, waits
    for DIO in flight (``inode_dio_wait``), then flushes (extents.c at 02d262df). Everything else is
    28a535f9's."""

    name = "02d262df"
    commit = "02d262df"
    title = "02d262df: 28a535f9, and punch hole takes i_mutex and waits for DIO before it flushes"
    summary = ("At 28a535f9 punch hole removed blocks while conversions were pending; 02d262df makes it hold "
               "i_mutex and wait in inode_dio_wait first.")
    TIMED_AS = "new"  # only punch hole differs, and no timed workload punches


class C278531d(PunchWaits, NewDesign):
    """28a535f9 plus c278531d "fix ext4_flush_completed_IO wait semantics", as in the released v3.7.

    * Every flush caller uses ``ext4_flush_unwritten_io``: flush, then ``ext4_unwritten_wait`` (sleep
      until ``i_unwritten == 0``); it warns unless the caller holds i_mutex (invariant
      ``flush-holds-i_mutex``).
    * The nolock DIO read (``ext4_ind_direct_IO``) flushes only when ``i_unwritten`` is non-zero, and
      then under i_mutex.
    * Punch hole is v3.7's: 02d262df (same merge window) put it under i_mutex with a DIO wait, and
      c278531d moved its flush before ``inode_dio_wait`` (``designs/punch.py``).
    """

    name = "c278531d"
    commit = "c278531d"
    title = "28a535f9 plus c278531d, as in the released v3.7: every flush waits for i_unwritten == 0 under i_mutex"
    summary = ("A flush returned while another drainer was still converting; c278531d makes the caller wait "
               "for i_unwritten == 0 after flushing, always under i_mutex (fsync, truncate, punch hole, the "
               "nolock DIO read).")
    FLUSH_WAITS_UNWRITTEN = True
    READER_TAKES_I_MUTEX = True
    READER_TESTS_UNWRITTEN = True
    PUNCH_FLUSH_FIRST = True
