"""What a step is, as data: its cost kind and the activity a timed run colours it with.

Every step method returns a *kind* (``spin_lock``, ``list``, ``convert``, ...): what sort of kernel
work it did. One ``Kind`` record per kind says everything the rest of the package needs to know
about it: what it costs by default in a timed run (``timed.costs.CostModel``), what it models,
which invariants a step of that kind exercises (the stepper's cards light up), and whether it can
make a sleeping or spinning task runnable (the timed engine looks for such tasks only after it).

``ACTIVITIES`` are the colours of a timed run's lanes. A step declares its activity
(``@step(..., activity="converting")``, ``designs/table.py``); a step that declares none takes its
task's role's (``designs/roles.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

ACTIVITIES = ("converting", "requeue", "yield", "spinning", "completion", "submitting", "buffered write",
              "bookkeeping")


@dataclass(frozen=True)
class Kind:
    name: str
    us: int  # default cost in a timed run, in simulated microseconds
    help: str  # what it models
    checks: frozenset = frozenset()  # the invariants a step of this kind exercises (the stepper's cards)
    wakes: bool = False  # it can make a sleeping or spinning task runnable (a lock freed, a counter dropped, ...)
    releases: str | None = None  # it only releases this lock of the inode ("lock", "i_mutex"): only its waiters


_FREE = frozenset({"freed-once", "not-freed-while-listed", "not-freed-while-unwritten", "not-freed-while-pending",
                   "not-freed-while-queued", "ioend-count"})
_LOCK = frozenset({"lock-usage"})
_WORKER_MUTEX = _LOCK | {"worker-never-waits-for-i_mutex"}
_SLEEPS = frozenset({"no-sleep-holding-spinlock"})  # a step of this kind may sleep

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("spin_lock", 1, "spin_lock(i_completed_io_lock) when free (waiting for it is charged as spinning)", _LOCK),
    Kind("spin_unlock", 1, "spin_unlock", _LOCK, wakes=True, releases="lock"),
    Kind("mutex_lock", 1, "mutex_lock(i_mutex) when free (a sleeping waiter uses no CPU)", _WORKER_MUTEX | _SLEEPS),
    Kind("mutex_unlock", 1, "mutex_unlock(i_mutex)", _LOCK, wakes=True, releases="i_mutex"),
    Kind("mutex_trylock", 1, "mutex_trylock(i_mutex), success or failure", _WORKER_MUTEX),
    Kind("list", 1, "one list operation (list_add_tail, list_del_init, a splice)",
         frozenset({"list-integrity", "flags-under-lock", "queue-when-list-was-empty"})),
    Kind("flag", 1, "one io_end flag read-modify-write",
         frozenset({"flags-under-lock", "queued-cleared-by-owner", "unwritten-cleared-after-conversion"})),
    Kind("queue_work", 2, "queue_work on dio_unwritten_wq", frozenset({"queue-when-list-was-empty"}), wakes=True),
    Kind("dequeue", 2, "process_one_work picks the next item", frozenset({"no-use-after-free"})),
    Kind("convert", 30, "ext4_convert_unwritten_extents: journal handle, extent split",
         frozenset({"converted-once", "converts-only-unwritten"}) | _SLEEPS),
    Kind("aio", 2, "aio_complete", frozenset({"aio-completed-once"}), wakes=True),
    Kind("dio_done", 1, "inode_dio_done (i_dio_count--)", frozenset({"dio-done-once"}), wakes=True),
    Kind("unwritten", 1, "i_unwritten-- and the wake-up check", frozenset({"unwritten-dec-once"}), wakes=True),
    Kind("free", 1, "ext4_free_io_end", _FREE),
    Kind("yield", 1, "yield(): the call itself (giving the CPU away is a context switch)"),
    Kind("wait", 1, "returning from a wait (inode_dio_wait, ext4_unwritten_wait)"),
    Kind("read", 1, "a check that only reads shared state"),
    Kind("blocks", 100, "ext4_truncate / punch hole removing blocks"),
    Kind("submit", 8, "one AIO direct IO submitted under i_mutex (timed workloads)", wakes=True),
    Kind("buffered", 40, "one buffered write() holding i_mutex (timed workloads)"),
    Kind("fallocate", 50, "fallocate allocating unwritten extents under i_mutex (xfstests 299 loop)"),
)}
