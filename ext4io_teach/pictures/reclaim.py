"""The reclaim deadlock that brought the trylock: a schematic, NOT computed from the model.

The model has one inode; this deadlock needs two and memory reclaim, so it is drawn by hand from
the record (domain/kernel-facts.md section 2, corrected after a review against the code of v3.0/v3.1):

* until v3.1 the conversion worker slept in ``mutex_lock(i_mutex)``, converted and freed;
* ``2581fdc8`` "call ext4_ioend_wait and ext4_flush_completed_IO in ext4_evict_inode" made inode
  eviction flush and wait for the inode's io_ends (the flush took the evicted inode's ``i_mutex``);
* then: inode A's work item ran on the worker and slept on A's ``i_mutex``; the task holding A's
  ``i_mutex`` ran into memory reclaim, which evicted inode B and waited for B's io_end; B's work item
  was queued behind A's on the same worker, which was asleep. Nothing could move (and lockdep
  complained about the i_mutex in eviction);
* ``8c0bec21`` "remove i_mutex lock in ext4_evict_inode to fix lockdep complaining" removed that
  lock from eviction and turned the worker's ``mutex_lock`` into ``mutex_trylock`` + requeue (and added
  the QUEUED flag): the worker now steps past A's work, B's runs, the wait ends.

In the v2.6.3x/v3.0 era the queue was per CPU (``create_workqueue``); the picture shows the one
worker that ran both items. Standard library only.
"""

from __future__ import annotations

from .waitfor import Edge, Node, WaitFor

TITLE = "SCHEMATIC (not from the model): the reclaim deadlock of 2581fdc8 that 8c0bec21 fixed with a trylock"
NOTE = ("8c0bec21: the worker trylocks A's i_mutex instead and requeues A's work when that fails, "
        "so B's work runs, P's wait ends and P releases A's i_mutex")


def reclaim_deadlock() -> WaitFor:
    """Two inodes, one worker queue: the cycle ``P -> work B -> worker -> A's i_mutex -> P``."""
    nodes = [
        Node("task:P", "task P\n(in memory reclaim)", "task"),
        Node("A.i_mutex", "inode A's\ni_mutex", "mutex"),
        Node("task:worker", "worker\n(running A's work)", "task"),
        Node("work:B", "work item of\ninode B's io_end", "work"),
    ]
    edges = [
        Edge("task:P", "A.i_mutex", "holds"),
        Edge("task:worker", "A.i_mutex", "waits for", "mutex_lock sleeps"),
        Edge("task:P", "work:B", "waits for", "B's io_end\n(evict B, 2581fdc8)"),
        Edge("work:B", "task:worker", "needs", "queued behind\nA's work"),
    ]
    return WaitFor(TITLE, nodes, edges, note=NOTE, schematic=True,
                   queue=["A's work (running, asleep)", "B's work (waiting)"])
