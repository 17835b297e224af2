"""The steps every design shares, on the step table of ``designs/table.py``.

``Design`` holds the completion task's loop (``dio``/``wb``), the worker's ``process_one_work``,
``ext4_end_io``, and the flush callers: truncate, fsync, punch hole and the nolock DIO reader. Its class
constants are the switches a design sets to pick a branch of these shared steps (``FLUSH_ENTRY``,
``END_IO_CLEARS_UNWRITTEN``, ...); a step's ``next`` may name them (``designs/reach.py``).

The rule for design authors (what the explorer's step memo, ``explore/memo.py``, relies on): a step
keeps its state only in the World's components (io_ends, inode fields, workqueue, tasks), reaches io_ends
and tasks only through ``world.ios`` / ``world.tasks`` by index (no stored references), and reads no
more of them than it needs: the memo files a step under exactly what it read, so a step that walks every
task or io_end depends on all of them and is run again for each combination. ``verify=True`` (the
tests) finds a step that breaks the rule.
"""

from __future__ import annotations

from ..model.flags import DIRECT, UNWRITTEN
from .table import StepTable, local, step


def _idle_guard(w, t):
    if len(w.worker_tids) == 1:  # the kernel's max_active 1: the one question is "is anything pending"
        return not w.wq.is_empty()
    return w.wq.takeable(w.running_elsewhere(t))


def _dio_guard(w, t):
    return w.inode.dio_count == 0


def _unwritten_guard(w, t):
    return w.inode.unwritten == 0


def _writeback_guard(w, t):
    return w.inode.writeback == 0


class Design(StepTable):
    """Shared machinery and the roles both designs have in common."""

    name = "base"
    family = "new"
    commit = ""  # the kernel commit the design is; "" for a counterfactual
    counterfactual = False  # True: no kernel ever had this design (its docstring says what it is built from)
    title = ""
    summary = ""
    # behaviour switches the shared roles read
    END_IO_CHECKS_UNWRITTEN = False  # v3.6 ext4_end_io_nolock: BUG_ON(!UNWRITTEN) (82e54229)
    END_IO_CLEARS_UNWRITTEN = False  # v3.6 ext4_end_io_nolock clears UNWRITTEN itself (under i_mutex)
    PUNCH_CHECKS_ERROR = True  # 28a535f9: ext4_ext_punch_hole returns the flush's error
    READER_TAKES_I_MUTEX = False  # v3.6 and c278531d: the nolock DIO read takes i_mutex around the flush
    READER_TESTS_UNWRITTEN = False  # c278531d: the nolock DIO read flushes only if i_unwritten != 0
    PUNCH_HOLDS_I_MUTEX = False  # 02d262df: punch hole runs under i_mutex (designs/punch.py)
    FLUSH_ENTRY = "A.lock"
    FLUSH_WAITS_UNWRITTEN = False  # c278531d: flush, then ext4_unwritten_wait
    ADD_ENTRY = "add.lock"
    WORKER_ENTRY = "A.lock"
    PRE_DRAIN_PCS = frozenset({"A.lock", "A.splice"})
    TIMED_AS = None  # a design that differs from this named one only in roles no timed workload runs

    @classmethod
    def credit(cls) -> str:
        """What the design stands for, in a few words: its commit id, or "counterfactual (no kernel)"."""
        return "counterfactual (no kernel)" if cls.counterfactual else cls.commit

    # ---------------------------------------------------------------- completions (dio and wb tasks)
    @local("dio.next", "end_io_dio", "next completion", next=("ADD_ENTRY", "wb.end"))
    def dio_next(self, w, t):
        t.io = 0 if t.io is None else t.io + 1
        if t.io >= len(w.ios):
            t.pc = "done"
        else:
            t.pc = "wb.end" if t.role == "wb" else self.ADD_ENTRY

    @step("wb.end", "end_bio", "ext4_end_bio: end_page_writeback(io's pages); then the add path's spin_lock",
          next=("ADD_ENTRY",))
    def wb_end(self, w, t):
        """``ext4_end_bio`` for a buffered writeback bio: its pages end writeback (``put_io_page`` ->
        ``end_page_writeback``) *before* the io_end goes on the completed list and its conversion is queued
        (v3.6 inline, 28a535f9 via ``ext4_add_complete_io``). Then the design's add path runs as for a DIO
        completion.

        SIMPLIFICATION: ``end_page_writeback`` and the add path's ``spin_lock`` are one step. In the
        kernel a few instructions with no lock held separate them; a fsync that ran entirely inside that
        window would miss the io_end in every design before c278531d (whose message names io submitted
        but not yet added to the list). Merged, the fsync gap the model shows is the one 28a535f9
        opened: an io_end another drainer holds."""
        w.end_page_writeback(t, t.io)
        kind, text, io = self.table[self.ADD_ENTRY][1](w, t)
        return kind, f"end_page_writeback io#{t.io}; {text}", io

    # ---------------------------------------------------------------- the worker (process_one_work)
    @step("wq.idle", "wq", "process_one_work: take the next work item, clear its pending bit",
          guard=_idle_guard, wait_text=lambda w, t: "idle: no work item is pending", next=("WORKER_ENTRY", "wq.return"),
          sleeps="an idle kworker sleeps until a work item is queued")
    def wq_idle(self, w, t):
        k = w.take_work(t)
        t.work_io = k
        t.io = k
        t.ret = 0
        self.start_work(w, t, k)
        return "dequeue", f"run ext4_end_io_work(io#{k})", k

    def start_work(self, w, t, k: int) -> None:
        """``ext4_end_io_work`` at 28a535f9: ``ext4_do_flush_completed_IO(inode, io)``."""
        self.call(t, self.WORKER_ENTRY, "wq.return")

    @local("wq.return", "wq", "the work function returns", next=("wq.idle",))
    def wq_return(self, w, t):
        t.work_io = None
        t.io = None
        t.ret = 0
        t.was_queued = False
        t.pc = "wq.idle"

    # ---------------------------------------------------------------- ext4_end_io / ext4_end_io_nolock
    @step("eio.convert", None, "ext4_convert_unwritten_extents(io)", activity="converting",
          next=("eio.clear if END_IO_CLEARS_UNWRITTEN", "eio.aio if not END_IO_CLEARS_UNWRITTEN",
                "eio.dio_done if not END_IO_CLEARS_UNWRITTEN", "eio.unwritten if not END_IO_CLEARS_UNWRITTEN"),
          sleeps="ext4_convert_unwritten_extents: a journal handle and i_data_sem")
    def eio_convert(self, w, t):
        k = t.io
        io = w.use(t, k, "converts")
        if self.END_IO_CHECKS_UNWRITTEN and not io.flags & UNWRITTEN:
            w.fail("converts-only-unwritten", f"{t.name} runs ext4_end_io_nolock on io#{k}, which is not UNWRITTEN "
                   "(BUG_ON)")
        err = w.convert(t, k)
        self.first_error(t, err)
        t.pc = "eio.clear" if self.END_IO_CLEARS_UNWRITTEN else self._after_convert(io)
        return "convert", f"convert io#{k}" + (" FAILED -EIO (logged: potential data loss)" if err else ""), k

    @staticmethod
    def _after_convert(io) -> str:
        """``if (io->iocb) aio_complete``; ``if (DIRECT) inode_dio_done``; then ``i_unwritten--``."""
        if io.iocb:
            return "eio.aio"
        return "eio.dio_done" if io.flags & DIRECT else "eio.unwritten"

    @step("eio.clear", None, "io->flag &= ~UNWRITTEN (v3.6: protected by i_mutex only)", activity="converting",
          next=("eio.aio", "eio.dio_done", "eio.unwritten", "rmw.store"))
    def eio_clear(self, w, t):
        info, _ = self.rmw(w, t, t.io, self._after_convert(w.ios[t.io]), clear_bits=UNWRITTEN,
                           what="clear UNWRITTEN on")
        return info

    @step("eio.aio", None, "if iocb: aio_complete(iocb)", activity="converting", next=("eio.dio_done", "eio.unwritten"))
    def eio_aio(self, w, t):
        w.aio_complete(t, t.io)
        t.pc = "eio.dio_done" if w.ios[t.io].flags & DIRECT else "eio.unwritten"
        return "aio", f"aio_complete io#{t.io}", t.io

    @step("eio.dio_done", None, "if DIRECT: inode_dio_done(inode)  (i_dio_count--)", activity="converting",
          next=("eio.unwritten",))
    def eio_dio_done(self, w, t):
        w.inode_dio_done(t, t.io)
        t.pc = "eio.unwritten"
        return "dio_done", f"inode_dio_done io#{t.io} (i_dio_count={w.inode.dio_count})", t.io

    @step("eio.unwritten", None, "i_unwritten--, wake ext4_ioend_wq waiters at 0", activity="converting", next=())
    def eio_unwritten(self, w, t):
        w.unwritten_dec(t, t.io)
        self.ret(t)
        return "unwritten", f"i_unwritten-- io#{t.io} (i_unwritten={w.inode.unwritten})", t.io

    # ---------------------------------------------------------------- flush callers
    def call_flush(self, w, t, ret: str) -> None:
        """Callers of ``ext4_flush_completed_IO`` (c278531d: ``ext4_flush_unwritten_io``)."""
        t.ret = 0
        if self.FLUSH_WAITS_UNWRITTEN:
            if w.inode.i_mutex.holder != t.tid:
                w.check("flush-holds-i_mutex", False, f"{t.name} calls ext4_flush_unwritten_io without holding "
                        "i_mutex (c278531d warns: WARN_ON_ONCE)")
            self.call(t, "uw.wait", ret)
            self.call(t, self.FLUSH_ENTRY, "uw.wait")
        else:
            self.call(t, self.FLUSH_ENTRY, ret)

    @step("uw.wait", "flush_unwritten_io", "ext4_unwritten_wait: sleep until i_unwritten == 0 (c278531d)",
          guard=_unwritten_guard, wait_text=lambda w, t: f"waits for i_unwritten == 0 (now {w.inode.unwritten})",
          next=(), sleeps="ext4_unwritten_wait sleeps until i_unwritten is 0")
    def uw_wait(self, w, t):
        self.ret(t)
        return "wait", "i_unwritten is 0: every conversion has finished", None

    # truncate: ext4_setattr (i_mutex held by do_truncate) -> inode_dio_wait -> ext4_truncate
    @step("tr.lock", "truncate", "do_truncate: mutex_lock(i_mutex)", next=("mx.retry", "tr.dio_wait"),
          sleeps="mutex_lock(i_mutex) sleeps while another task holds it")
    def tr_lock(self, w, t):
        return self.take_mutex(w, t, "tr.dio_wait")

    @step("tr.dio_wait", "truncate", "ext4_setattr: inode_dio_wait (sleep until i_dio_count == 0)",
          guard=_dio_guard, wait_text=lambda w, t: f"waits for i_dio_count == 0 (now {w.inode.dio_count})",
          next=("FLUSH_ENTRY", "tr.blocks", "uw.wait if FLUSH_WAITS_UNWRITTEN"),
          sleeps="inode_dio_wait sleeps until i_dio_count is 0")
    def tr_dio_wait(self, w, t):
        self.call_flush(w, t, "tr.blocks")
        return "wait", "inode_dio_wait returns: i_dio_count is 0", None

    @step("tr.blocks", "truncate", "ext4_truncate: remove the blocks past the new size", next=("tr.unlock",),
          sleeps="ext4_truncate starts a journal handle and takes i_data_sem")
    def tr_blocks(self, w, t):
        t.pc = "tr.unlock"
        t.result = "truncated"
        return "blocks", "ext4_truncate removes the blocks", None

    @step("tr.unlock", "truncate", "mutex_unlock(i_mutex); return", next=())
    def tr_unlock(self, w, t):
        w.mutex_unlock(t)
        t.pc = "done"
        return "mutex_unlock", "mutex_unlock(i_mutex): truncate returns", None

    # fsync: ext4_sync_file waits for page writeback, then holds i_mutex around the flush (all versions)
    @step("fs.lock", "fsync", "ext4_sync_file: filemap_write_and_wait_range (sleep while a page is under "
          "writeback); mutex_lock(i_mutex)", guard=_writeback_guard,
          wait_text=lambda w, t: f"waits for page writeback (filemap_write_and_wait_range): {w.inode.writeback} "
          "io_end(s) still under writeback", next=("fs.call", "mx.retry"),
          sleeps="filemap_write_and_wait_range waits for writeback; mutex_lock(i_mutex) may sleep")
    def fs_lock(self, w, t):
        return self.take_mutex(w, t, "fs.call")

    @local("fs.call", "fsync", "flush the completed list",
          next=("FLUSH_ENTRY", "fs.flushed", "uw.wait if FLUSH_WAITS_UNWRITTEN"))
    def fs_call(self, w, t):
        if "fsync-durable" in w.checks:  # what fsync owes (a ghost, kept only when the property is checked)
            t.must = tuple(io.id for io in w.ios if io.writeback_ended or io.aio)
        self.call_flush(w, t, "fs.flushed")

    @local("fs.flushed", "fsync", "the flush returned", next=("fs.unlock",))
    def fs_flushed(self, w, t):
        t.pc = "fs.unlock"

    @step("fs.unlock", "fsync", "mutex_unlock(i_mutex); return", next=())
    def fs_unlock(self, w, t):
        """fsync returns. Property ``fsync-durable``: fsync owes every io_end whose write the application
        was told is done before fsync's flush began: a buffered io_end once its page writeback has ended
        (fsync's ``filemap_write_and_wait_range`` waits for exactly that), an AIO direct write only once
        ``aio_complete`` has run, which happens after its conversion. So on AIO direct writes the property
        cannot fail: an fsync that returns while their conversion is pending owes them nothing yet."""
        if "fsync-durable" in w.checks:
            lost = [k for k in t.must if not w.ios[k].conv]
            if lost:
                k = lost[0]
                holder = self._holder(w, k)
                w.fail("fsync-durable", f"fsync returns, but io#{k}, whose page writeback had ended before fsync's "
                       f"flush began, is not converted yet: {holder}")
        w.mutex_unlock(t)
        t.pc = "done"
        t.result = "synced" if not t.ret else f"error {t.ret}"
        return "mutex_unlock", "mutex_unlock(i_mutex): fsync returns", None

    @staticmethod
    def _holder(w, k: int) -> str:
        """Who has io#k, in words (for the fsync-durable message)."""
        for task in w.tasks:
            if k in task.unwritten or (task.io == k and task.stack):
                return f"{task.name} has taken it off the completed list and not converted it yet"
        return "it is still on the completed list" if w.ios[k].where == "inode" else "no drainer has converted it"

    # punch hole at 28a535f9: no i_mutex, no inode_dio_wait (02d262df and v3.7: designs/punch.py)
    @local("ph.call", "punch_hole", "ext4_ext_punch_hole: flush the completed list",
          next=("FLUSH_ENTRY", "ph.check", "uw.wait if FLUSH_WAITS_UNWRITTEN"))
    def ph_call(self, w, t):
        self.call_flush(w, t, "ph.check")

    @local("ph.check", "punch_hole", "if the flush failed: return its error (28a535f9)", next=("ph.blocks",))
    def ph_check(self, w, t):
        if self.PUNCH_CHECKS_ERROR and t.ret:
            t.result = f"error {t.ret}: removed nothing"
            t.pc = "done"
        else:
            t.pc = "ph.blocks"

    @step("ph.blocks", "punch_hole", "remove the blocks in the hole (under i_data_sem)",
          next=("ph.unlock if PUNCH_HOLDS_I_MUTEX",), sleeps="punch hole starts a journal handle and takes i_data_sem")
    def ph_blocks(self, w, t):
        if "punch-waits" in w.checks:
            pending = [io.id for io in w.ios if not io.conv]
            if pending:
                w.fail("punch-waits", f"punch hole removes the blocks while io#{pending[0]}'s conversion is still "
                       "pending: the conversion will later mark freed (or reused) blocks as written")
        t.pc = "ph.unlock" if self.PUNCH_HOLDS_I_MUTEX else "done"
        t.result = "removed blocks" + (f" (flush error {t.ret} ignored)" if t.ret else "")
        return "blocks", "punch hole removes the blocks", None

    # nolock DIO read (ext4_ind_direct_IO with dioread_nolock)
    @step("rd.check", "dio_read", "if the completed list is not empty (c278531d: if i_unwritten != 0): flush it",
          next=("rd.lock if READER_TAKES_I_MUTEX", "FLUSH_ENTRY if not READER_TAKES_I_MUTEX",
                "rd.done if not READER_TAKES_I_MUTEX", "uw.wait if FLUSH_WAITS_UNWRITTEN and not READER_TAKES_I_MUTEX"))
    def rd_check(self, w, t):
        if self.READER_TESTS_UNWRITTEN:
            n = w.inode.unwritten
            if not n:
                t.pc = "done"
                t.result = "nothing to flush"
                return "read", "i_unwritten is 0: read", None
            what = f"i_unwritten is {n}: flush (and wait) under i_mutex before reading"
        elif not w.inode.completed:
            t.pc = "done"
            t.result = "nothing to flush"
            return "read", "the completed list is empty: read", None
        else:
            what = "the completed list is not empty: flush before reading"
        if self.READER_TAKES_I_MUTEX:
            t.pc = "rd.lock"
        else:
            self.call_flush(w, t, "rd.done")
        return "read", what, None

    @step("rd.lock", "dio_read", "mutex_lock(i_mutex) (v3.6; c278531d)", next=("mx.retry", "rd.call"),
          sleeps="mutex_lock(i_mutex) sleeps while another task holds it")
    def rd_lock(self, w, t):
        return self.take_mutex(w, t, "rd.call")

    @local("rd.call", "dio_read", "flush the completed list",
          next=("FLUSH_ENTRY", "rd.unlock", "uw.wait if FLUSH_WAITS_UNWRITTEN"))
    def rd_call(self, w, t):
        self.call_flush(w, t, "rd.unlock")

    @step("rd.unlock", "dio_read", "mutex_unlock(i_mutex); read", next=())
    def rd_unlock(self, w, t):
        w.mutex_unlock(t)
        t.pc = "done"
        t.result = "read"
        return "mutex_unlock", "mutex_unlock(i_mutex)", None

    @local("rd.done", "dio_read", "read", next=())
    def rd_done(self, w, t):
        t.pc = "done"
        t.result = "read"
