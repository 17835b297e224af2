"""The design before 28a535f9 (v3.6; page-io.c at 82e54229, fsync.c at v3.6).

* Completion (``ext4_end_io_dio`` / ``ext4_end_bio``): under the spinlock add the io_end to the
  inode list, then queue *that io_end's own* work item: one work item per io_end.
* ``ext4_end_io_work(io)``, under the spinlock: if IN_FSYNC is set (the old fsync flush is
  converting it), requeue; if the io_end is already off the list (a flusher converted it), unlock and
  free it; otherwise ``mutex_trylock(i_mutex)``. If that fails: remember whether QUEUED was set, set
  QUEUED, unlock, queue itself again, ``yield()`` only if it had been queued before, and return. If
  it succeeds: unlink, unlock, ``ext4_end_io_nolock`` (convert, clear UNWRITTEN, aio_complete,
  inode_dio_done, i_unwritten--), ``mutex_unlock``, free.
* Old ``ext4_flush_completed_IO`` (fsync.c; the caller holds i_mutex): under the spinlock pop the
  first io_end, set IN_FSYNC, unlock, convert it, relock, clear IN_FSYNC; repeat until empty. It
  never frees: the io_end's own work item, still queued, finds it off the list and frees it.

In this design QUEUED is never cleared and io_ends are freed with it set: correct here.

``OldBlocking`` is a **counterfactual**, not a kernel: v3.6 with the worker's ``mutex_trylock`` turned
back into a sleeping ``mutex_lock(i_mutex)``, taken before the spinlock: the seed's deadlock diagram
taken literally. Against truncate it is a true deadlock. No released kernel had it (kernel-facts.md,
section 2): until 8c0bec21 (v3.1 era) the worker did sleep in ``mutex_lock(i_mutex)``, but truncate's
wait for direct IO did not then wait for the conversion; 8c0bec21 made the sleep a trylock to fix the
reclaim deadlock that 2581fdc8's i_mutex-taking flush in ``ext4_evict_inode`` had opened; and only
266991b1, which moved ``inode_dio_done`` after the conversion, made truncate wait for the worker. The
model keeps the counterfactual to set the real v3.6 livelock against a deadlock.
"""

from __future__ import annotations

from ..model.flags import IN_FSYNC, QUEUED
from .base import Design
from .punch import PunchWaits
from .table import step


def _checked(w, t) -> str:
    """The activity of the worker's check (``ow.check``): a requeue when it decided to requeue, else
    bookkeeping."""
    return "requeue" if t.pc in ("ow.rq_set", "ow.rq_unlock") else "bookkeeping"


class OldDesign(Design):
    name = "old"
    family = "old"
    commit = "82e54229"
    title = "v3.6 (82e54229): one work item per io_end; the worker trylocks i_mutex, requeues and yields"
    summary = ("Each completion queues its own work item; the worker converts only if mutex_trylock(i_mutex) "
               "succeeds, else it requeues itself and yields.")
    END_IO_CHECKS_UNWRITTEN = True
    END_IO_CLEARS_UNWRITTEN = True
    PUNCH_CHECKS_ERROR = False
    READER_TAKES_I_MUTEX = True
    FLUSH_ENTRY = "of.lock"
    WORKER_ENTRY = "ow.lock"
    PRE_DRAIN_PCS = frozenset()

    # the v3.6 add path is inline in each completion: a writeback task runs it inside ext4_end_bio
    ROLE_FUNCS = {("wb", "end_io_dio"): "end_bio"}

    # ------------------------------------------------------------ completion (old ext4_end_io_dio / ext4_end_bio)
    @step("add.lock", "end_io_dio", "spin_lock(i_completed_io_lock)", next=("add.add",))
    def add_lock(self, w, t):
        w.use(t, t.io, "completes")
        return self.take_spin(w, t, "add.add", t.io, prefix=f"io#{t.io} completes: ")

    @step("add.add", "end_io_dio", "list_add_tail(&io->list, &ei->i_completed_io_list)", next=("add.unlock",))
    def add_add(self, w, t):
        w.list_add_tail(t, t.io, "inode")
        w.ios[t.io].added = True
        t.pc = "add.unlock"
        return "list", f"list_add_tail io#{t.io}", t.io

    @step("add.unlock", "end_io_dio", "spin_unlock(i_completed_io_lock)", next=("add.queue",))
    def add_unlock(self, w, t):
        w.spin_unlock(t)
        t.pc = "add.queue"
        return "spin_unlock", "spin_unlock", t.io

    @step("add.queue", "end_io_dio", "queue_work(dio_unwritten_wq, &io->work)  (one work item per io_end)",
          next=("dio.next",))
    def add_queue(self, w, t):
        w.queue_work(t, t.io)
        t.pc = "dio.next"
        return "queue_work", f"queue_work io#{t.io}", t.io

    # ------------------------------------------------------------ ext4_end_io_work (v3.6)
    @step("ow.lock", "end_io_work", "spin_lock(i_completed_io_lock)", next=("ow.check",))
    def ow_lock(self, w, t):
        w.use(t, t.work_io, "runs the work of")
        return self.take_spin(w, t, "ow.check", t.work_io)

    @step("ow.check", "end_io_work",
          "if IN_FSYNC: requeue; else if list_empty(&io->list): unlock, free; else mutex_trylock(i_mutex)",
          activity=_checked, next=("ow.del", "ow.free", "ow.rq_set", "ow.rq_unlock", "rmw.store"))
    def ow_check(self, w, t):
        k = t.work_io
        io = w.use(t, k, "checks")
        if io.flags & IN_FSYNC:
            info, seen = self.rmw(w, t, k, "ow.rq_unlock", set_bits=QUEUED, what="IN_FSYNC set: requeue, set QUEUED on")
            t.was_queued = bool(seen & QUEUED)
            w.stats["requeue_in_fsync"] += 1
            return info
        if io.where is None:
            w.spin_unlock(t)
            t.pc = "ow.free"
            return "spin_unlock", f"io#{k} is off the list (a flusher converted it): spin_unlock", k
        if w.mutex_trylock(t):
            t.pc = "ow.del"
            return "mutex_trylock", "mutex_trylock(i_mutex) succeeded", k
        t.pc = "ow.rq_set"
        return "mutex_trylock", "mutex_trylock(i_mutex) failed", k

    @step("ow.rq_set", "end_io_work", "requeue: was_queued = QUEUED; io->flag |= QUEUED", activity="requeue",
          next=("ow.rq_unlock", "rmw.store"))
    def ow_rq_set(self, w, t):
        info, seen = self.rmw(w, t, t.work_io, "ow.rq_unlock", set_bits=QUEUED, what="requeue: set QUEUED on")
        t.was_queued = bool(seen & QUEUED)
        return info

    @step("ow.rq_unlock", "end_io_work", "spin_unlock(i_completed_io_lock)", activity="requeue", next=("ow.rq_queue",))
    def ow_rq_unlock(self, w, t):
        w.spin_unlock(t)
        t.pc = "ow.rq_queue"
        return "spin_unlock", "spin_unlock", t.work_io

    @step("ow.rq_queue", "end_io_work", "queue_work(wq, &io->work)  (requeue itself)", activity="requeue",
          next=("ow.yield",))
    def ow_rq_queue(self, w, t):
        w.queue_work(t, t.work_io)
        w.stats["requeues"] += 1
        if t.was_queued:
            t.pc = "ow.yield"
        else:
            self.ret(t)
        return "queue_work", f"requeue io#{t.work_io}" + ("" if t.was_queued else ", return"), t.work_io

    @step("ow.yield", "end_io_work", "if was_queued: yield(); return", activity="yield", next=(),
          sleeps="yield() calls schedule()")
    def ow_yield(self, w, t):
        w.stats["yields"] += 1
        self.ret(t)
        return "yield", "yield() and return (the worker stays runnable)", t.work_io

    @step("ow.del", "end_io_work", "list_del_init(&io->list)", next=("ow.unlock",))
    def ow_del(self, w, t):
        w.list_del_init(t, t.work_io)
        t.pc = "ow.unlock"
        return "list", f"list_del_init io#{t.work_io}", t.work_io

    @step("ow.unlock", "end_io_work", "spin_unlock; ext4_end_io_nolock(io)", next=("eio.convert", "ow.mutex_unlock"))
    def ow_unlock(self, w, t):
        w.spin_unlock(t)
        t.io = t.work_io
        self.call(t, "eio.convert", "ow.mutex_unlock")
        return "spin_unlock", "spin_unlock", t.work_io

    @step("ow.mutex_unlock", "end_io_work", "mutex_unlock(i_mutex)", next=("ow.free",))
    def ow_mutex_unlock(self, w, t):
        w.mutex_unlock(t)
        t.pc = "ow.free"
        return "mutex_unlock", "mutex_unlock(i_mutex)", t.work_io

    @step("ow.free", "end_io_work", "ext4_free_io_end(io)", next=())
    def ow_free(self, w, t):
        w.free(t, t.work_io)
        self.ret(t)
        return "free", f"free io#{t.work_io}", t.work_io

    # ------------------------------------------------------------ old ext4_flush_completed_IO (fsync.c)
    @step("of.lock", "flush_completed_IO", "spin_lock(i_completed_io_lock)", next=("of.pop",))
    def of_lock(self, w, t):
        return self.take_spin(w, t, "of.pop")

    @step("of.pop", "flush_completed_IO", "if the list is empty: unlock, return; else list_del_init(first)",
          next=("of.set",))
    def of_pop(self, w, t):
        if not w.inode.completed:
            w.spin_unlock(t)
            t.io = None
            self.ret(t)
            return "spin_unlock", "the list is empty: spin_unlock, return", None
        k = w.inode.completed[0]
        t.io = k
        w.list_del_init(t, k)
        t.pc = "of.set"
        return "list", f"pop io#{k}", k

    @step("of.set", "flush_completed_IO", "io->flag |= IN_FSYNC", next=("of.unlock", "rmw.store"))
    def of_set(self, w, t):
        info, _ = self.rmw(w, t, t.io, "of.unlock", set_bits=IN_FSYNC, what="set IN_FSYNC on")
        return info

    @step("of.unlock", "flush_completed_IO", "spin_unlock; ext4_end_io_nolock(io)", next=("eio.convert", "of.relock"))
    def of_unlock(self, w, t):
        w.spin_unlock(t)
        self.call(t, "eio.convert", "of.relock")
        return "spin_unlock", "spin_unlock", t.io

    @step("of.relock", "flush_completed_IO", "spin_lock(i_completed_io_lock)", next=("of.clear",))
    def of_relock(self, w, t):
        return self.take_spin(w, t, "of.clear", t.io)

    @step("of.clear", "flush_completed_IO", "io->flag &= ~IN_FSYNC; loop (never frees: the work item does)",
          next=("of.pop", "rmw.store"))
    def of_clear(self, w, t):
        info, _ = self.rmw(w, t, t.io, "of.pop", clear_bits=IN_FSYNC, what="clear IN_FSYNC on")
        return info


class OldBlocking(OldDesign):
    """A counterfactual (no kernel had it): v3.6 with the worker's ``mutex_trylock`` (8c0bec21) turned
    back into a sleeping ``mutex_lock(i_mutex)``. See the module docstring for why no kernel had it."""

    name = "old-blocking"
    commit = ""
    counterfactual = True
    title = ("counterfactual (no kernel had it): v3.6 with the worker's trylock turned back into "
             "mutex_lock(i_mutex): against truncate, a true deadlock")
    summary = ("Not a kernel version: the seed's deadlock diagram taken literally. The worker blocks on i_mutex "
               "before taking the spinlock; truncate holds i_mutex and waits for DIO.")
    WORKER_ENTRY = "ob.mutex"

    @step("ob.mutex", "end_io_work", "mutex_lock(i_mutex)  (sleeps; never while holding the spinlock)",
          next=("mx.retry", "ob.lock"), sleeps="mutex_lock(i_mutex) sleeps while another task holds it")
    def ob_mutex(self, w, t):
        w.use(t, t.work_io, "runs the work of")
        return self.take_mutex(w, t, "ob.lock", t.work_io)

    @step("ob.lock", "end_io_work", "spin_lock(i_completed_io_lock)", next=("ob.check",))
    def ob_lock(self, w, t):
        return self.take_spin(w, t, "ob.check", t.work_io)

    @step("ob.check", "end_io_work", "if IN_FSYNC: unlock both, requeue; if off the list: unlock, free; "
          "else list_del_init", next=("ob.rq_mutex", "ow.mutex_unlock", "ow.unlock"))
    def ob_check(self, w, t):
        k = t.work_io
        io = w.use(t, k, "checks")
        if io.flags & IN_FSYNC:
            w.spin_unlock(t)
            t.pc = "ob.rq_mutex"
            return "spin_unlock", f"io#{k} IN_FSYNC: spin_unlock, requeue", k
        if io.where is None:
            w.spin_unlock(t)
            t.pc = "ow.mutex_unlock"
            return "spin_unlock", f"io#{k} is off the list: spin_unlock", k
        w.list_del_init(t, k)
        t.pc = "ow.unlock"
        return "list", f"list_del_init io#{k}", k

    @step("ob.rq_mutex", "end_io_work", "mutex_unlock(i_mutex); requeue", activity="requeue", next=("ow.rq_queue",))
    def ob_rq_mutex(self, w, t):
        w.mutex_unlock(t)
        t.was_queued = False
        t.pc = "ow.rq_queue"
        return "mutex_unlock", "mutex_unlock(i_mutex)", t.work_io


class OldWith02d262dfPunch(PunchWaits, OldDesign):
    """Counterfactual: the v3.6 design with 02d262df's punch hole (i_mutex, ``inode_dio_wait``, then the
    flush). No kernel had this combination: 02d262df landed after 28a535f9. Punch holds i_mutex and
    waits for ``i_dio_count``, which drops only after a conversion, and the v3.6 worker converts only
    after ``mutex_trylock(i_mutex)`` succeeds: punch hangs exactly as truncate does. That is why the
    cleanup had to land before punch hole could wait for DIO."""

    name = "old+02d262df"
    commit = ""
    title = ("counterfactual: v3.6's worker with 02d262df's punch hole (never released): punch waits for DIO "
             "under i_mutex and hangs like truncate")
    summary = ("Composes v3.6 with the punch hole 02d262df added after 28a535f9, to show why the cleanup had to "
               "come first.")
    TIMED_AS = "old"  # only punch hole differs, and no timed workload punches
