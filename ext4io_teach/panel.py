"""The stepper's state panel as plain data, shared by every view of a run.

The widget stepper (``widgets/render.py``, HTML), the text stepper (``textview.py``: ``print(run)``,
``run.show()``, ``ext4io-teach play``) and the pictures read the same facts from a ``World`` through
these functions, so the views cannot drift apart:

* ``stage_of(task)``: the flush stage (A-D) a task stands in;
* ``task_status(world, tid, stopped)``: can the task run now, and if not, why (in words);
* ``holder_text``, ``ids_text``: who holds a lock (and who waits), which io_ends are on a list;
* ``io_where``, ``io_status``: where an io_end is and what has happened to it;
* ``local_lists(world, task)``: a drainer's private lists while it is in a flush;
* ``state_rows(world)``: the whole state panel as ``(label, parts)`` rows, which each view joins.

Standard library only, plain strings (no HTML): each view escapes and decorates them itself.
"""

from __future__ import annotations

FLUSH_STAGES = ("A", "B", "C", "D")
LOCAL_LISTS = ("unwritten", "complete", "to_free")


def stage_of(task) -> str:
    """The flush stage ``task`` stands in (A-D), or '' outside a flush: the stage of its current step,
    else of the innermost return point on its stack (``ext4_end_io`` runs inside stage B)."""
    for pc in (task.pc, *reversed(task.stack)):
        seg = pc.split(".", 1)[0]
        if seg in FLUSH_STAGES:
            return seg
    return ""


def task_status(world, tid: int, stopped: bool = False) -> tuple[bool, str]:
    """``(runnable, why)``: ``why`` is '' for a runnable task, else what stops it, in words.
    ``stopped``: the run stopped on a violation (then nothing runs)."""
    t = world.tasks[tid]
    if stopped:
        return False, "stopped: an invariant broke"
    if world.can_run(t):
        return True, ""
    if world.finished(t):
        return False, "finished" + (f": {t.result}" if t.result else "")
    return False, world.blocked_reason(t) or "cannot run"


def ids_text(ids) -> str:
    return ", ".join(f"io#{k}" for k in ids) or "empty"


def holder_text(world, lock) -> str:
    """``truncate``, ``free``, ``worker (waiting: fsync)`` or ``free (waiting: truncate (woken))``: a mutex
    waiter that ``mutex_unlock`` woke stays on the list until its retry takes the mutex."""
    h = world.tasks[lock.holder].name if lock.holder is not None else "free"
    if lock.waiters:
        h += " (waiting: " + ", ".join(world.tasks[k].name + (" (woken)" if world.tasks[k].waits_for is None else "")
                                       for k in lock.waiters) + ")"
    return h


def io_where(world, io) -> str:
    return world.list_name(io.where) if io.where else "on no list"


def io_status(world, io) -> list[str]:
    """What has happened to ``io``: converted or not, dio done, freed (by whom), work pending."""
    if not io.conv:
        bits = ["not converted"]
    else:
        bits = ["converted" if io.conv == 1 else f"converted {io.conv}x"]
    if not io.iocb:  # a buffered writeback io_end
        bits.append("writeback ended" if io.writeback_ended else "pages under writeback")
    if io.dio_done:
        bits.append("dio done")
    if io.freed:
        who = world.tasks[io.freed_by].name if io.freed_by is not None else "?"
        bits.append(f"FREED by {who}" + (f" {io.freed}x" if io.freed > 1 else ""))
    if world.wq.is_pending(io.id):
        bits.append("work pending")
    return bits


def running_work(world) -> list[str]:
    """``end_io_work(io#k)`` for each worker inside a work function."""
    return [f"end_io_work(io#{t.work_io})" for t in world.tasks if t.role == "worker" and t.work_io is not None]


def local_lists(world, task) -> list[tuple[str, list[int]]] | None:
    """A drainer's private lists, while it has any entry or stands in a flush stage; else None."""
    lists = [(n, list(task.local_list(n))) for n in LOCAL_LISTS]
    if any(v for _, v in lists) or stage_of(task):
        return lists
    return None


def state_rows(world) -> list[tuple[str, list[str]]]:
    """The state panel, row by row: ``(label, parts)``, each part a plain string that a view joins with its
    own separator (the first part of the ``i_dio_count`` row is the count itself)."""
    ino = world.inode
    counters = [str(ino.dio_count), f"i_unwritten {ino.unwritten}", f"i_ioend_count {ino.ioend_count}"]
    if any(not io.iocb for io in world.ios):  # buffered writeback io_ends: pages still under writeback
        counters.append(f"under writeback {ino.writeback}")
    queue = ["pending: " + ids_text(world.wq.pending)]
    running = running_work(world)
    if running:
        queue.append("running: " + ", ".join(running))
    rows = [("i_mutex", [holder_text(world, ino.i_mutex)]), ("i_completed_io_lock", [holder_text(world, ino.lock)]),
            ("completed list", [ids_text(ino.completed)]), ("i_dio_count", counters), ("workqueue", queue)]
    for t in world.tasks:
        lists = local_lists(world, t)
        if lists is not None:
            stage = stage_of(t)
            rows.append((f"{t.name} locals" + (f" (stage {stage})" if stage else ""),
                         [f"{n}: {ids_text(v)}" for n, v in lists]))
    return rows
