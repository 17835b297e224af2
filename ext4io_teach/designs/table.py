"""How a design is written: a table of steps, one per program counter.

A design is a class whose methods are the steps of the kernel functions it models. ``@step`` marks a
method as one scheduling point (one shared-memory action with the tests that guard it); ``@local``
marks purely local control flow (a loop test, an operation on a drainer's private list) that runs
at once after the preceding step, inside it. A step method performs its action through the World's
primitives, sets ``t.pc`` to one of the pcs it declares in ``next`` and returns ``(kind, text, io)``:
the cost-model kind (``designs/kinds.py``), what it did in words, and the io_end it touched.

``StepTable`` collects the decorated methods into ``table`` (pc -> spec and bound method) and gives
step methods their helpers: calls and returns, a flag read-modify-write that ``--split-rmw`` splits,
the spinlock and the 3.x mutex as one step each, and the listing of the steps a design can reach.
``designs/base.py`` builds the steps every design shares on it.

Broken variants subclass a design and override one method: the program counter stays, the
behaviour changes (see ``designs/mutants.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from ..model.flags import describe
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
    # each perhaps with a condition on the design's switches ("eio.clear if END_IO_CLEARS_UNWRITTEN");
    # None: not declared (a step written elsewhere, e.g. in a notebook), taken as "any pc of the table"
    next: tuple | None = None
    # why the step may sleep (a mutex, a wait, a journal handle), "" if it never does: a task that takes it
    # holding i_completed_io_lock breaks ``no-sleep-holding-spinlock`` (``step.step``)
    sleeps: str = ""


def step(pc: str, func: str | None, text: str, stage: str = "", guard=None, wait_text=None, activity=None,
         next: tuple | None = None, sleeps: str = ""):
    """Mark a method as the step at ``pc``. ``next`` declares every pc it may set (directly, through a
    helper such as ``take_mutex`` or ``call_flush``, or as a return pc it pushes); a pc reached by
    returning is declared by the step that pushed it. A step that declares nothing may go anywhere (the
    listings then hide nothing); every step of the package declares (tests/test_reach.py)."""
    def mark(fn):
        fn._spec = StepSpec(pc, func, stage, text, False, guard, wait_text, fn.__name__, activity,
                            None if next is None else tuple(next), sleeps=sleeps)
        return fn
    return mark


def local(pc: str, func: str | None = None, text: str = "", stage: str = "", next: tuple | None = None):
    def mark(fn):
        fn._spec = StepSpec(pc, func, stage, text, True, None, None, fn.__name__, None,
                            None if next is None else tuple(next))
        return fn
    return mark


def also_next(*pcs: str):
    """On a method that overrides a step without redeclaring it: the pcs it may go to besides the
    step's own ``next`` (a timed role's tail, ``timed/roles.py``)."""
    def mark(fn):
        fn._also_next = pcs
        return fn
    return mark


class StepTable:
    """The step table of a design and the helpers its step methods use."""

    ROLE_FUNCS: dict = {}  # (role, function) -> the name a step label gives it (``label_of``)
    _pcs: dict[str, StepSpec] = {}

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
            if extra and spec.next is not None:
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

    @step("mx.retry", None, "mutex_lock, woken by mutex_unlock: take i_mutex if still free, else sleep again", next=(),
          sleeps="mutex_lock(i_mutex) sleeps again if it is taken")
    def mx_retry(self, w, t):
        if w.mutex_retry(t):
            self.ret(t)
            return "mutex_lock", "woken: i_mutex is free, takes it", t.work_io
        holder = w.tasks[w.inode.i_mutex.holder].name
        return "mutex_lock", f"woken, but {holder} took i_mutex first: sleeps again", t.work_io

    def first_error(self, t, err: int) -> None:
        if err and not t.ret:
            t.ret = err

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
