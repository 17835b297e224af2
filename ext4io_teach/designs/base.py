"""How a design is written: a table of steps, one per program counter.

A design is a class whose methods are the steps of the kernel functions it models. ``@step`` marks a
method as one scheduling point (one shared-memory action with the tests that guard it); ``@local``
marks purely local control flow (a loop test, an operation on a drainer's private list) that runs
at once after the preceding step, inside it. A step method performs its action through the World's
primitives, sets ``t.pc`` to what comes next and returns ``(kind, text, io)``: the cost-model kind,
what it did in words, and the io_end it touched.

Broken variants subclass a design and override one method: the program counter stays, the
behaviour changes (see ``designs/mutants.py``).

This module also holds the parts both designs share: the completion task's loop, the worker's
``process_one_work``, truncate, fsync, punch hole and the nolock DIO reader, and ``ext4_end_io``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..model.flags import DIRECT, UNWRITTEN, describe
from .roles import ROLES


@dataclass
class StepSpec:
    pc: str
    func: str | None  # short kernel function name for labels; None = the caller's (ext4_end_io)
    stage: str  # A, B, C, D for the flush stages, "" otherwise
    text: str  # pseudo-code line for the stepper
    local: bool = False
    guard: Callable | None = None  # runnable only when guard(world, task)
    wait_text: Callable | None = None  # why not, in words
    method: str = ""
    # how a timed run colours the step (``kinds.ACTIVITIES``): a name, a function ``(world, task) -> name``
    # asked after the step, or None for the activity of the task's role
    activity: str | Callable | None = None
    # where the step may go (``designs/reach.py``): pcs, design constants naming a pc ("FLUSH_ENTRY"),
    # each perhaps with a condition on the design's switches ("eio.clear if END_IO_CLEARS_UNWRITTEN")
    next: tuple = ()


def step(pc: str, func: str | None, text: str, stage: str = "", guard=None, wait_text=None, activity=None,
         next: tuple = ()):
    """Mark a method as the step at ``pc``. ``next`` declares every pc it may set (directly, through a
    helper such as ``take_mutex`` or ``call_flush``, or as a return pc it pushes); a pc reached by
    returning is declared by the step that pushed it."""
    def mark(fn):
        fn._spec = StepSpec(pc, func, stage, text, False, guard, wait_text, fn.__name__, activity, tuple(next))
        return fn
    return mark


def local(pc: str, func: str | None = None, text: str = "", stage: str = "", next: tuple = ()):
    def mark(fn):
        fn._spec = StepSpec(pc, func, stage, text, True, None, None, fn.__name__, None, tuple(next))
        return fn
    return mark


def also_next(*pcs: str):
    """On a method that overrides a step without redeclaring it: the pcs it may go to besides the
    step's own ``next`` (a timed role's tail, ``timed/world.py``)."""
    def mark(fn):
        fn._also_next = pcs
        return fn
    return mark


def _idle_guard(w, t):
    return not w.wq.is_empty()


def _dio_guard(w, t):
    return w.inode.dio_count == 0


def _unwritten_guard(w, t):
    return w.inode.unwritten == 0


def _writeback_guard(w, t):
    return w.inode.writeback == 0


class Design:
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
    ROLE_FUNCS: dict = {}  # (role, function) -> the name a step label gives it (``label_of``)

    _pcs: dict[str, StepSpec] = {}

    @classmethod
    def credit(cls) -> str:
        """What the design stands for, in a few words: its commit id, or "counterfactual (no kernel)"."""
        return "counterfactual (no kernel)" if cls.counterfactual else cls.commit

    def __init_subclass__(cls, **kw):
        """Collect the step table: pc -> the StepSpec of the most derived decorated method. A subclass
        that overrides a method without the decorator keeps the base spec (pc, label, guard) and its
        own behaviour, since ``__init__`` binds the method by name (``spec.method``)."""
        super().__init_subclass__(**kw)
        pcs: dict[str, StepSpec] = {}
        for klass in reversed(cls.__mro__):
            for attr in vars(klass).values():
                spec = getattr(attr, "_spec", None)
                if spec is not None:
                    pcs[spec.pc] = spec
        for pc, spec in pcs.items():
            extra = getattr(getattr(cls, spec.method), "_also_next", ())
            if extra:
                pcs[pc] = replace(spec, next=spec.next + tuple(p for p in extra if p not in spec.next))
        cls._pcs = pcs

    def __init__(self):
        self.table = {pc: (spec, getattr(self, spec.method)) for pc, spec in self._pcs.items()}
        # configuration derived from the table, not state: what ``step.settle`` and ``World.can_run`` look up
        self.locals = {pc: method for pc, (spec, method) in self.table.items() if spec.local}
        self.guards = {pc: spec.guard for pc, (spec, _) in self.table.items()}

    # ---------------------------------------------------------------- naming and control flow
    def entry(self, role: str) -> str:
        """Where a task of ``role`` starts (``designs/roles.py``)."""
        return ROLES[role].entry

    def label_of(self, t) -> tuple[str, str]:
        """``(function, stage)`` that names the step task ``t`` is about to take (``step.where`` joins them)."""
        return self.label_at(t.pc, t.stack, t.loaded, t.role)

    def label_at(self, pc: str, stack: tuple, loaded, role: str) -> tuple[str, str]:
        """``label_of`` for a task that stood at ``pc`` with this return stack, loaded flag word and role.
        A helper routine (``ext4_end_io``) and a split store are named after the code they run for;
        ``ROLE_FUNCS`` renames a function a role runs inline in another."""
        spec = self.table[pc][0]
        if pc == "rmw.store" and loaded is not None:
            spec = self.table[loaded[6]][0]
        if spec.func is None:
            spec = self.table[stack[-1]][0] if stack else None
            if spec is None or spec.func is None:
                return "end_io", ""
        if self.ROLE_FUNCS:
            return self.ROLE_FUNCS.get((role, spec.func), spec.func), spec.stage
        return spec.func, spec.stage

    def call(self, t, entry: str, ret: str) -> None:
        t.stack = t.stack + (ret,)
        t.pc = entry

    def ret(self, t) -> None:
        t.pc = t.stack[-1]
        t.stack = t.stack[:-1]

    def rmw(self, w, t, k: int, next_pc: str, set_bits: int = 0, clear_bits: int = 0, what: str = ""):
        """A flag read-modify-write: one step, or with ``--split-rmw`` a load step now and a store step
        (pc ``rmw.store``) next. Returns the step's ``(kind, text, io)`` and the flags it read."""
        io = w.use(t, k, "reads the flags of")
        if w.split_rmw:
            t.loaded = (k, io.flags, set_bits, clear_bits, next_pc, what, t.pc)
            t.pc = "rmw.store"
            return ("flag", f"load flags of io#{k} ({what}: will store)", k), io.flags
        seen = io.flags
        w.change_flags(t, k, set_bits, clear_bits)
        t.pc = next_pc
        return ("flag", f"{what} io#{k}", k), seen

    @step("rmw.store", None, "store the flag word loaded earlier (--split-rmw)", next=())
    def rmw_store(self, w, t):
        k, base, set_bits, clear_bits, next_pc, what, _origin = t.loaded
        t.loaded = None
        new = w.change_flags(t, k, set_bits, clear_bits, base=base)
        t.pc = next_pc
        return "flag", f"store flags of io#{k} ({what}: now {describe(new)})", k

    def take_spin(self, w, t, next_pc: str, io: int | None = None, prefix: str = ""):
        """``spin_lock(i_completed_io_lock)`` as one step: taken, or queued behind the holder (FIFO)."""
        got = w.spin_lock(t)
        t.pc = next_pc
        return "spin_lock", prefix + "spin_lock" + ("" if got else ": held, spins"), io

    def take_mutex(self, w, t, next_pc: str, io: int | None = None):
        """``mutex_lock(i_mutex)`` as one step: taken, or the task sleeps on the mutex's wait list and,
        once ``mutex_unlock`` wakes it, tries again in the step ``mx.retry`` (the mutex is not handed over)."""
        if w.mutex_lock(t):
            t.pc = next_pc
            return "mutex_lock", "mutex_lock(i_mutex)", io
        self.call(t, "mx.retry", next_pc)
        return "mutex_lock", "mutex_lock(i_mutex): held, sleeps", io

    @step("mx.retry", None, "mutex_lock, woken by mutex_unlock: take i_mutex if still free, else sleep again", next=())
    def mx_retry(self, w, t):
        if w.mutex_retry(t):
            self.ret(t)
            return "mutex_lock", "woken: i_mutex is free, takes it", t.work_io
        holder = w.tasks[w.inode.i_mutex.holder].name
        return "mutex_lock", f"woken, but {holder} took i_mutex first: sleeps again", t.work_io

    def first_error(self, t, err: int) -> None:
        if err and not t.ret:
            t.ret = err

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
          guard=_idle_guard, wait_text=lambda w, t: "idle: no work item is pending", next=("WORKER_ENTRY", "wq.return"))
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
                "eio.dio_done if not END_IO_CLEARS_UNWRITTEN", "eio.unwritten if not END_IO_CLEARS_UNWRITTEN"))
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
          next=())
    def uw_wait(self, w, t):
        self.ret(t)
        return "wait", "i_unwritten is 0: every conversion has finished", None

    # truncate: ext4_setattr (i_mutex held by do_truncate) -> inode_dio_wait -> ext4_truncate
    @step("tr.lock", "truncate", "do_truncate: mutex_lock(i_mutex)", next=("mx.retry", "tr.dio_wait"))
    def tr_lock(self, w, t):
        return self.take_mutex(w, t, "tr.dio_wait")

    @step("tr.dio_wait", "truncate", "ext4_setattr: inode_dio_wait (sleep until i_dio_count == 0)",
          guard=_dio_guard, wait_text=lambda w, t: f"waits for i_dio_count == 0 (now {w.inode.dio_count})",
          next=("FLUSH_ENTRY", "tr.blocks", "uw.wait if FLUSH_WAITS_UNWRITTEN"))
    def tr_dio_wait(self, w, t):
        self.call_flush(w, t, "tr.blocks")
        return "wait", "inode_dio_wait returns: i_dio_count is 0", None

    @step("tr.blocks", "truncate", "ext4_truncate: remove the blocks past the new size", next=("tr.unlock",))
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
          "io_end(s) still under writeback", next=("fs.call", "mx.retry"))
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
          next=("ph.unlock if PUNCH_HOLDS_I_MUTEX",))
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

    @step("rd.lock", "dio_read", "mutex_lock(i_mutex) (v3.6; c278531d)", next=("mx.retry", "rd.call"))
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

    # ---------------------------------------------------------------- listing for the stepper
    def reachable(self, roles=None) -> frozenset:
        """The pcs a task of these roles (default: every role) can reach (``designs.reach``)."""
        from .reach import reachable

        if roles is None:  # every role a scenario has (a timed design's own roles are not listed)
            roles = [r for r in ROLES if not ROLES[r].timed]
        return reachable(self, [self.entry(r) for r in roles])

    def listing(self, roles=None) -> list[StepSpec]:
        """The steps and locals this design can take (a task of ``roles``, default every role can), in
        program order. The table holds more: a pc a class constant rules out (``eio.clear`` outside
        v3.6, the v3.6 reader's i_mutex steps) is left out."""
        keep = self.reachable(roles)
        return [spec for spec, _ in self.table.values() if spec.pc in keep]
