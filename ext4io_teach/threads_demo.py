"""The old design's hang in real Python threads: the demo of the primer notebook (00b).

OUTSIDE THE MODEL CORE. The rest of this package steps a model and never starts a thread, sleeps or
reads a clock (DESIGN.md). This module does all three on purpose: it shows the bug that the model
finds, with real threads, so that a Python programmer sees it outside the model too. No module of
the package imports it; only the primer does.

The kernel primitives and what stands in for them here:

* ``i_mutex`` (``mutex_lock`` / ``mutex_trylock``): a ``threading.Lock``; ``acquire(blocking=False)``
  is the trylock, it returns False at once instead of waiting;
* ``dio_unwritten_wq`` served by one kworker: a ``queue.Queue`` and one consumer thread;
* ``i_dio_count`` and ``inode_dio_wait``: a counter guarded by a ``threading.Condition``;
  ``wait_for(lambda: count == 0, timeout)`` is the wait (with a timeout, so the demo ends);
* ``yield()``: ``time.sleep(0)``, give up the CPU but stay runnable.

SIMPLIFICATION: one io_end, the conversion is one counter decrement, and the "truncate" is the
calling thread. The worker stops when told to (the kernel's never does).
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    returned: bool  # did "truncate" see i_dio_count reach 0 before its timeout?
    rounds: int  # how often the worker ran the work item in that time


def old_worker_hang(timeout: float = 0.5) -> Outcome:
    """v3.6: the worker trylocks i_mutex and requeues itself; truncate holds i_mutex while it waits."""
    i_mutex, dio, work, stop = threading.Lock(), threading.Condition(), queue.Queue(), threading.Event()
    state = {"i_dio_count": 1, "rounds": 0}

    def worker():  # the kworker: takes work items off the queue, one at a time
        while not stop.is_set():
            try:
                io = work.get(timeout=0.01)
            except queue.Empty:
                continue
            state["rounds"] += 1
            if i_mutex.acquire(blocking=False):  # mutex_trylock(i_mutex)
                with dio:  # convert, then inode_dio_done: i_dio_count drops
                    state["i_dio_count"] -= 1
                    dio.notify_all()
                i_mutex.release()
            else:
                work.put(io)  # requeue itself ...
                time.sleep(0)  # ... and yield(): it stays runnable

    w = threading.Thread(target=worker, daemon=True)
    with i_mutex:  # truncate: do_truncate takes i_mutex ...
        w.start()
        work.put("io#0")  # (the write completes: its conversion is queued)
        with dio:  # ... and inode_dio_wait sleeps until i_dio_count == 0
            returned = dio.wait_for(lambda: state["i_dio_count"] == 0, timeout=timeout)
    stop.set()
    w.join()
    return Outcome(returned, state["rounds"])


def new_worker_completes(timeout: float = 0.5) -> Outcome:
    """28a535f9: the worker converts without i_mutex, so truncate's wait ends (one round)."""
    i_mutex, dio, work = threading.Lock(), threading.Condition(), queue.Queue()
    state = {"i_dio_count": 1, "rounds": 0}

    def worker():
        work.get()
        state["rounds"] += 1
        with dio:  # convert, inode_dio_done: no i_mutex anywhere
            state["i_dio_count"] -= 1
            dio.notify_all()

    w = threading.Thread(target=worker, daemon=True)
    with i_mutex:  # truncate holds i_mutex, as before
        w.start()
        work.put("io#0")
        with dio:
            returned = dio.wait_for(lambda: state["i_dio_count"] == 0, timeout=timeout)
    w.join(timeout)
    return Outcome(returned, state["rounds"])
