"""The wait-for graph of a state: who holds what, who waits for what, and what each wait needs.

Nodes are tasks and resources: ``i_mutex`` (a sleeping lock), the spinlock ``i_completed_io_lock``,
the counters ``i_dio_count`` and ``i_unwritten`` (``inode_dio_wait`` and ``ext4_unwritten_wait``
sleep on them), and work items (one per io_end, embedded in it as ``io->work``). Edges:

* ``holds``: a task holds a lock (drawn task -> lock; for the dependency order, lock -> holder);
* ``waits for``: a task sleeps on a mutex, spins on the spinlock or sleeps until a counter is 0;
* ``needs``: what must run before a resource is released: a counter needs each outstanding io_end's
  conversion (by the task or the work item that will convert it), a work item needs the worker;
* ``tries``: the worker's ``mutex_trylock`` failed. A trylock never waits, so this edge closes no
  blocking cycle: the worker stays runnable and goes round a loop (``WaitFor.loop``), which is what
  makes the old design's hang a livelock.

``hang_views()`` computes notebook 03's three pictures from model runs; ``lockdep_view`` keeps only
what lockdep records. Standard library only; drawing is in ``draw.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.flags import DIRECT

BLOCKING = ("holds", "waits for", "needs")  # the edge kinds along which a task truly waits
LOCK_KINDS = ("mutex", "spinlock")


@dataclass(frozen=True)
class Node:
    key: str
    label: str
    kind: str  # task | mutex | spinlock | counter | work


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    kind: str  # holds | waits for | needs | tries
    label: str = ""


@dataclass
class WaitFor:
    """A wait-for picture: nodes, edges, and what to say around them."""

    title: str
    nodes: list[Node]
    edges: list[Edge]
    loop: list[str] = field(default_factory=list)  # one round of a task that keeps running (livelock)
    loop_task: str | None = None  # its node key
    hidden: list[tuple[Edge, str]] = field(default_factory=list)  # edges this view leaves out, and why
    note: str = ""
    schematic: bool = False  # drawn by hand, not computed from the model
    queue: list[str] = field(default_factory=list)  # a work queue, head first (the schematic)

    def node(self, key: str) -> Node:
        return next(n for n in self.nodes if n.key == key)

    def triples(self, kinds=None) -> set[tuple[str, str, str]]:
        """``{(src label, kind, dst label)}``: what a test or a reader checks."""
        lab = {n.key: n.label for n in self.nodes}
        return {(lab[e.src], e.kind, lab[e.dst]) for e in self.edges if kinds is None or e.kind in kinds}

    def cycle(self, kinds=BLOCKING) -> list[str] | None:
        """A cycle of dependencies along edges of ``kinds`` (node keys, first repeated at the end), or None.
        A ``holds`` edge counts from the lock to its holder: waiting for a lock is waiting for its holder."""
        succ: dict[str, list[str]] = {n.key: [] for n in self.nodes}
        for e in self.edges:
            if e.kind in kinds:
                a, b = (e.dst, e.src) if e.kind == "holds" else (e.src, e.dst)
                succ[a].append(b)
        for start in succ:
            path, seen = [start], {start}
            stack = [iter(succ[start])]
            while stack:
                nxt = next(stack[-1], None)
                if nxt is None:
                    stack.pop()
                    seen.discard(path.pop())
                elif nxt == start:
                    return path + [start]
                elif nxt not in seen:
                    path.append(nxt)
                    seen.add(nxt)
                    stack.append(iter(succ[nxt]))
        return None


# ---------------------------------------------------------------- from a model state
def _converter(w, io) -> tuple[str, str, str] | None:
    """Who will convert ``io`` next, as ``(key, label, kind)``: a task that holds it (a drainer's list,
    or the io it is converting), its own pending work item, the worker running that item, the next
    drainer of the inode list, or the completion that has not added it yet."""
    k = io.id
    for t in w.tasks:  # a drainer holding it on a list of its own, or converting it now
        busy = t.io == k and (t.pc.startswith("eio.") or t.role not in ("dio", "worker")) and t.pc != "done"
        if busy or (io.where or "").startswith(f"{t.tid}."):
            return f"task:{t.name}", t.name, "task"
    for t in w.tasks:  # a worker running this io_end's own work item
        if t.role == "worker" and t.work_io == k:
            return f"work:{k}", f"work item\nof io#{k}", "work"
    if w.wq.is_pending(k):
        return f"work:{k}", f"work item\nof io#{k}", "work"
    if io.where == "inode" and w.design.family != "old":
        for t in w.tasks:
            if t.role == "worker" and t.pc in w.design.PRE_DRAIN_PCS:
                return f"task:{t.name}", t.name, "task"
        if w.wq.pending:
            j = w.wq.pending[0]
            return f"work:{j}", f"work item\nof io#{j}", "work"
    if io.where is None and not io.added:
        t = next(t for t in w.tasks if t.role == "dio")
        return f"task:{t.name}", t.name, "task"
    return None


def _worker_round(trace, name: str) -> tuple[list, bool]:
    """The worker's last complete round (its records from one ``dequeue`` up to the next) and whether
    its last ``mutex_trylock`` failed."""
    mine = [r for r in trace if r.name == name]
    starts = [i for i, r in enumerate(mine) if r.kind == "dequeue"]
    rnd = mine[starts[-2]:starts[-1]] if len(starts) >= 2 else []
    tries = [r for r in mine if r.kind == "mutex_trylock"]
    return rnd, bool(tries) and tries[-1].action.endswith("failed")


LOOP_WORDS = {"dequeue": "run work item", "mutex_trylock": "trylock(i_mutex) fails", "queue_work": "requeue itself",
              "yield": "yield(), stay runnable"}


def wait_for(run, *, title: str | None = None) -> WaitFor:
    """The wait-for graph of ``run``'s current state (a ``sched.Run``)."""
    w, ino = run.world, run.world.inode
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []

    def node(key: str, label: str, kind: str) -> str:
        nodes.setdefault(key, Node(key, label, kind))
        return key

    def task(tid: int) -> str:
        return node(f"task:{w.tasks[tid].name}", w.tasks[tid].name, "task")

    for lock, kind in ((ino.i_mutex, "mutex"), (ino.lock, "spinlock")):
        if lock.holder is not None:
            edges.append(Edge(task(lock.holder), node(lock.name, lock.name, kind), "holds"))
        for tid in lock.waiters:
            edges.append(Edge(task(tid), node(lock.name, lock.name, kind), "waits for",
                              "sleeps" if kind == "mutex" else "spins"))
    for t in w.tasks:
        why = w.blocked_reason(t) or ""
        for counter, value, done in (("i_dio_count", ino.dio_count, "dio_done"), ("i_unwritten", ino.unwritten,
                                                                                 "unw_done")):
            if t.waits_for is None and counter in why:
                edges.append(Edge(task(t.tid), node(counter, f"{counter} = {value}", "counter"), "waits for",
                                  "until 0"))
                for io in w.ios:
                    if not getattr(io, done) and (counter != "i_dio_count" or io.flags & DIRECT):
                        conv = _converter(w, io)
                        if conv is not None:
                            edges.append(Edge(counter, node(*conv), "needs", f"io#{io.id} converted"))
    for key in [k for k, n in nodes.items() if n.kind == "work"]:
        worker = next(t for t in w.tasks if t.role == "worker")
        edges.append(Edge(key, task(worker.tid), "needs", "run by"))
    loop, loop_task = [], None
    for t in w.tasks:
        rnd, failed = _worker_round(run.trace, t.name) if t.role == "worker" else ([], False)
        if failed and ino.i_mutex.holder not in (None, t.tid) and t.waits_for is None:
            edges.append(Edge(task(t.tid), node(ino.i_mutex.name, ino.i_mutex.name, "mutex"), "tries",
                              "trylock fails"))
            loop = [LOOP_WORDS[r.kind] for r in rnd if r.kind in LOOP_WORDS]
            loop_task = task(t.tid) if loop else None
    i = run.inputs
    return WaitFor(title or f"{i['scenario']} · {i['design']} · step {len(run.schedule)}", list(nodes.values()),
                   list(dict.fromkeys(edges)), loop, loop_task)


# ---------------------------------------------------------------- lockdep
HIDDEN_WHY = {
    "tries": "a trylock never waits: lockdep records no dependency for it",
    "counter": "a counter is not a lock: lockdep does not see inode_dio_wait",
    "needs": "a work item or a conversion is not a lock: lockdep does not see it",
}


def lockdep_view(g: WaitFor, title: str | None = None) -> WaitFor:
    """What lockdep sees of ``g``: only blocking acquisitions of locks it tracks (``holds`` and
    ``waits for`` edges into a mutex or a spinlock). The rest is kept in ``hidden`` with the reason."""
    kinds = {n.key: n.kind for n in g.nodes}
    kept, hidden = [], []
    for e in g.edges:
        if e.kind in ("holds", "waits for") and kinds[e.dst] in LOCK_KINDS:
            kept.append(e)
        else:
            why = HIDDEN_WHY["tries"] if e.kind == "tries" else (
                HIDDEN_WHY["counter"] if kinds[e.dst] == "counter" else HIDDEN_WHY["needs"])
            hidden.append((e, why))
    return WaitFor(title or f"lockdep's view of: {g.title}", list(g.nodes), kept, hidden=hidden,
                   note="no cycle among lock edges: nothing to report")


# ---------------------------------------------------------------- notebook 03's three views
def _old_hang_run(ios: int, rounds: int):
    """truncate-vs-dio on the old design, round robin, cut right after the worker's ``rounds``-th
    failed trylock (it then holds the spinlock and is about to requeue itself)."""
    from ..sched import Run, run

    res = run("truncate-vs-dio", "old", ios, max_steps=40 * rounds * ios)
    fails = [r.i for r in res.steps if r.kind == "mutex_trylock" and r.action.endswith("failed")]
    r = Run("truncate-vs-dio", "old", ios)
    r.replay(res.schedule[:fails[rounds - 1] + 1])
    return r


def hang_views(ios: int = 1) -> tuple[WaitFor, WaitFor, WaitFor]:
    """The old design's hang as the loop it is, ``old-blocking``'s frozen cycle, and lockdep's view
    of the old hang, each computed from a run of truncate-vs-dio with ``ios`` io_ends."""
    from ..sched import run

    old = wait_for(_old_hang_run(ios, 3),
                   title="old (v3.6): the worker goes round a loop, truncate sleeps: a livelock")
    old.note = "no cycle of waits: the trylock edge never blocks, the worker is always runnable"
    blocked = run("truncate-vs-dio", "old-blocking", ios)
    if blocked.outcome != "deadlock":  # the model changed under this picture: say so, do not draw a lie
        raise RuntimeError(f"old-blocking truncate-vs-dio ended {blocked.outcome!r}, not in a deadlock")
    frozen = wait_for(blocked.run, title="old-blocking (a counterfactual): a frozen cycle, a deadlock")
    frozen.note = ("v3.6 with the trylock turned back into mutex_lock: no released kernel had this worker "
                   "together with 266991b1")
    lockdep = lockdep_view(wait_for(_old_hang_run(ios, 3)),
                           title="lockdep's view of the old hang: only blocking lock edges")
    return old, frozen, lockdep
