"""The named invariants, each tagged with the design families it holds for.

Two kinds:

* ``consequence``: something that goes wrong for real (a double free, a use after free, a free
  while still linked, list corruption, a lost or doubled conversion, a kernel BUG_ON). Every design
  must keep these; the explorer counts a broken variant as caught only by one of them (or a hang).
* ``invariant``: a rule of the new design's protocol (the list at the end of kernel-facts.md).
  They explain *why* the new design is safe and turn red early in the stepper. The old design breaks
  several of them on purpose and correctly (it queues work per io_end, frees io_ends with QUEUED set,
  changes UNWRITTEN under i_mutex only, trylocks i_mutex in the worker, leaves the list non-empty while
  its worker runs), so those are checked for the new family only. Three hold for the old family as
  well, and are checked for both: ``inode-list-unwritten``, ``unwritten-cleared-after-conversion`` and
  ``queued-cleared-by-owner`` (the old design never clears QUEUED). The explorer shows it: with every
  flag update atomic they hold for old and old-blocking in every scenario at N = 1..3; with
  ``--split-rmw`` the old design's lost update breaks one of the last two *at the store that loses
  it* (docs/model.md, "Invariants"), 13 steps before the free-time BUG_ON would catch it.

Scopes: ``action`` checks run inside the step that would break them (like a BUG_ON); ``state``
checks run after every step; ``final`` checks run when every task has finished; a ``property`` is
checked only when asked for (``fsync-durable``, ``punch-waits``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .model.flags import DIRECT, UNWRITTEN

BOTH = frozenset({"old", "new"})
NEW = frozenset({"new"})


@dataclass(frozen=True)
class Invariant:
    name: str
    kind: str  # "consequence" | "invariant" | "property"
    scope: str  # "action" | "state" | "final" | "property"
    families: frozenset
    stage: str  # where the stepper shows its card: add, A, B, C, D, worker, any
    summary: str
    kernel: str = ""  # kernel-facts.md invariant number or the BUG_ON it models


REGISTRY: dict[str, Invariant] = {}


def _add(*args, **kw) -> None:
    inv = Invariant(*args, **kw)
    REGISTRY[inv.name] = inv


# -- consequences: every design ------------------------------------------------------------
_add("freed-once", "consequence", "action", BOTH, "D", "An io_end is freed at most once.", "10")
_add("no-use-after-free", "consequence", "action", BOTH, "any",
     "Nothing touches an io_end (or runs its work item) after it was freed.", "10, 11")
_add("not-freed-while-listed", "consequence", "action", BOTH, "D",
     "An io_end is never freed while its list link is on a list.", "BUG_ON(!list_empty) in ext4_free_io_end")
_add("not-freed-while-unwritten", "consequence", "action", BOTH, "D",
     "An io_end is never freed while UNWRITTEN is set.", "BUG_ON(UNWRITTEN) in ext4_free_io_end")
_add("not-freed-while-pending", "consequence", "action", BOTH, "D",
     "An io_end is never freed while its work item is pending on the workqueue (the queue still links it).",
     "workqueue lifetime rule")
_add("list-integrity", "consequence", "action", BOTH, "any",
     "An entry is added to a list only when it is on no list, and removed only from the list it is on.", "1")
_add("converted-once", "consequence", "action", BOTH, "B",
     "Each io_end's extent conversion runs at most once.", "8, 9")
_add("aio-completed-once", "consequence", "action", BOTH, "B", "aio_complete runs at most once per io_end.", "9")
_add("dio-done-once", "consequence", "action", BOTH, "B",
     "inode_dio_done runs at most once per DIRECT io_end.", "9")
_add("unwritten-dec-once", "consequence", "action", BOTH, "B",
     "i_unwritten drops at most once per io_end.", "9")
_add("converts-only-unwritten", "consequence", "action", BOTH, "B",
     "Only an UNWRITTEN io_end is added to the list or converted.",
     "BUG_ON(!UNWRITTEN) in ext4_add_complete_io, stage B and (v3.6) ext4_end_io_nolock")
_add("lock-usage", "consequence", "action", BOTH, "any",
     "A lock is released only by its holder and never taken twice by the same task.")
_add("no-sleep-holding-spinlock", "consequence", "action", BOTH, "B",
     "Nothing sleeps while holding i_completed_io_lock (a mutex, a wait, a journal handle): a spinlock holder runs "
     "in atomic context, where sleeping is a kernel BUG.", "13; might_sleep()")
_add("ioend-count", "consequence", "action", BOTH, "D",
     "i_ioend_count counts the io_ends allocated and not freed: it never drops below zero, and it is zero at the "
     "end (eviction waits for that).", "12")
_add("nothing-lost", "consequence", "final", BOTH, "D",
     "When every task has finished, each io_end was converted, counted out of i_unwritten and freed exactly "
     "once, aio-completed once if it has an iocb and DIO-done once if it is DIRECT (never otherwise), every "
     "list and lock is empty, and i_ioend_count is the io_ends allocated less those freed (by their own "
     "records), which is 0: eviction waits for that.", "9, 10, 12")
# -- protocol invariants of the new design (the first three hold for the old family too) -------
_add("inode-list-unwritten", "invariant", "state", BOTH, "add",
     "Every io_end on the inode's completed list has UNWRITTEN set.", "2")
_add("unwritten-cleared-after-conversion", "invariant", "state", BOTH, "C",
     "UNWRITTEN is clear only on an io_end whose conversion has run, and once clear it stays clear.", "3")
_add("flags-under-lock", "invariant", "action", NEW, "C",
     "Every change of an io_end's flags after it is published, and every change of the inode list, "
     "happens under i_completed_io_lock.", "4")
_add("queue-when-list-was-empty", "invariant", "action", NEW, "add",
     "Work is queued only when the inode list was empty, for an io_end marked QUEUED in the same critical "
     "section, and never for a work item that is already pending.", "5")
_add("queued-cleared-by-owner", "invariant", "action", BOTH, "C",
     "QUEUED is cleared only by that io_end's own worker, in its stage C (v3.6 never clears it), and never "
     "lost to a store of a flag word loaded before it was set.", "6")
_add("nonempty-list-has-worker", "invariant", "state", NEW, "A",
     "Whenever the inode list is non-empty, a queued worker has yet to do its stage-A drain.", "7")
_add("not-freed-while-queued", "invariant", "action", NEW, "D",
     "An io_end is never freed while QUEUED (its worker still has to clear the flag).", "10")
_add("worker-never-waits-for-i_mutex", "invariant", "action", NEW, "worker",
     "The worker never takes i_mutex, not even by trylock.", "14")
_add("flush-holds-i_mutex", "invariant", "action", NEW, "any",
     "A caller of ext4_flush_unwritten_io holds i_mutex (designs with c278531d's flush-and-wait only).",
     "WARN_ON_ONCE in ext4_flush_unwritten_io (c278531d)")
# -- properties checked on request -------------------------------------------------------------
_add("fsync-durable", "property", "property", frozenset(), "any",
     "When fsync's flush returns, every io_end added to the list before the flush began has been "
     "converted.", "15 (fixed by c278531d)")
_add("punch-waits", "property", "property", frozenset(), "any",
     "Punch hole removes blocks only when no conversion is pending (every io_end has been converted).",
     "fixed by 02d262df (punch hole waits for DIO under i_mutex)")

CONSEQUENCES = frozenset(n for n, i in REGISTRY.items() if i.kind == "consequence")


def enabled_for(family: str) -> frozenset:
    """The invariants checked by default for a design of this family."""
    return frozenset(n for n, i in REGISTRY.items() if family in i.families)


# -- state checks, run after every step --------------------------------------------------------
def check_state(world, touched: int | None, *, per_io: bool = True, lists: bool = True) -> None:
    """Run the ``state`` invariants. Per-io checks look only at the io_end the step touched: every
    change of an io_end's flags or list membership goes through a primitive that records it in
    ``world.touched``, so checking that one is enough, and large runs stay fast. ``per_io=False`` or
    ``lists=False`` leaves out the per-io checks or the check of the inode list (the explorer memoizes
    the two apart, running the per-io ones first as here)."""
    state_checker(world, per_io=per_io, lists=lists)(touched)


def state_checker(world, *, per_io: bool = True, lists: bool = True):
    """``check_state`` bound to one world, the enabled checks looked up once (``World.check_state``; a
    timed run calls it after each of a million steps): ``check(touched)``. ``check.per_io`` and
    ``check.list_check`` say whether it looks at the touched io_end and at the inode list at all
    (``step.step`` calls it only when it can find something)."""
    checks = world.checks
    on_list = per_io and "inode-list-unwritten" in checks
    cleared = per_io and "unwritten-cleared-after-conversion" in checks
    has_worker = lists and "nonempty-list-has-worker" in checks

    def check(touched: int | None) -> None:
        if touched is not None and (on_list or cleared):
            io = world.ios[touched]
            if on_list and io.where == "inode" and not io.flags & UNWRITTEN:
                world.fail("inode-list-unwritten", f"io#{touched} is on the inode's completed list without UNWRITTEN")
            if cleared:
                if not io.flags & UNWRITTEN and io.conv == 0 and not io.freed:
                    world.fail("unwritten-cleared-after-conversion",
                               f"UNWRITTEN was cleared on io#{touched} before its conversion ran")
                if io.flags & UNWRITTEN and io.cleared:
                    world.fail("unwritten-cleared-after-conversion",
                               f"UNWRITTEN came back on io#{touched} after it had been cleared (a lost flag update)")
        if has_worker and world.inode.completed and not world.has_undrained_worker():
            world.fail("nonempty-list-has-worker",
                       f"the inode list holds {_ids(world.inode.completed)} but no queued worker is left to drain it")

    check.per_io = on_list or cleared  # does it look at the touched io_end at all
    check.list_check = has_worker  # does it look at the inode list at all
    return check


def check_final(world) -> None:
    """The ``nothing-lost`` check, when every task has finished."""
    if "nothing-lost" not in world.checks:
        return
    problems = []
    for io in world.ios:
        for field, what in (("conv", "converted"), ("unw_done", "counted out of i_unwritten"), ("freed", "freed")):
            n = getattr(io, field)
            if n != 1:
                problems.append(f"io#{io.id} {what} {n} times")
        if io.aio != io.iocb:  # an AIO direct write once; a writeback io_end has no iocb
            problems.append(f"io#{io.id} aio-completed {io.aio} times")
        if io.dio_done != (1 if io.flags & DIRECT else 0):
            problems.append(f"io#{io.id} DIO-done {io.dio_done} times")
    inode = world.inode
    if inode.completed:
        problems.append(f"the inode list still holds {_ids(inode.completed)}")
    if inode.dio_count:
        problems.append(f"i_dio_count is {inode.dio_count}")
    if inode.unwritten:
        problems.append(f"i_unwritten is {inode.unwritten}")
    # i_ioend_count against the io_ends' own records (allocated by ext4_init_io_end, ``freed`` set by each free),
    # then against 0: inode eviction (ext4_ioend_wait) waits for it to reach 0
    allocated = world.ioends_allocated
    freed = sum([io.freed for io in world.ios])
    if inode.ioend_count != allocated - freed:
        problems.append(f"i_ioend_count is {inode.ioend_count}, not {allocated} io_ends allocated - {freed} freed "
                        f"(by their own records) = {allocated - freed}")
    elif inode.ioend_count:
        problems.append(f"i_ioend_count is {inode.ioend_count}, not 0: inode eviction (ext4_ioend_wait) would wait "
                        "for ever")
    if problems:
        world.fail("nothing-lost", "all tasks finished but " + "; ".join(problems[:4])
                   + (f" (and {len(problems) - 4} more)" if len(problems) > 4 else ""))


def _ids(ids) -> str:
    return "[" + ", ".join(f"io#{k}" for k in ids) + "]"

