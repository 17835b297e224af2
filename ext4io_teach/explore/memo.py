"""A memo of steps: a step's effect is a function of the state components it reads.

The explorer's state key is a tuple of interned component numbers, one per part of the model
(``io#0 .. io#N-1``, each field of the inode, the workqueue, ``task 0 .. task M-1``; see
``explore.codec``). A step of task ``t`` always reads ``t``; which io_ends, inode
fields and other tasks it reads depends on what it finds. The memo runs a step once for real, with
the World's ``ios``, ``tasks``, ``inode`` and ``wq`` swapped for tracking stand-ins that log the
position of every component the code reaches, and files the outcome under the head ``(t, t's
component)`` in a small decision tree: each branch is the next position the code read, keyed by the
component found there; a leaf holds

* the components the step changed (``(position, new component)`` pairs), whether ``t`` has finished
  and which io_end it touched, or
* the invariant violation it raised, or
* ``BLOCKED``: the task cannot run (the explorer asks "can it run" as the first part of the step, so
  one walk per task and state answers both questions).

Next time, the explorer walks the tree with the new state's components. The code is deterministic:
with the same values at the positions read so far it reads the same next position, so reaching a
leaf means the step would read exactly the same values and do exactly the same thing, and the
explorer builds the successor's key from the parent's key and the stored changes without touching
the World. Everything a step writes it reaches first through those stand-ins, so the changed
positions are among the ones it read (or ``t``).

The same holds for questions about a state that change nothing and return a value: has every task
finished, do the ``state`` invariants hold after a step that touched io#k, is a liveness goal
reached. ``explore.engine.Graph`` asks all of them through memos.

The rule the memo relies on, kept by the model: state lives only in those components, and code
reaches io_ends and tasks only through ``world.ios`` / ``world.tasks`` (no stored references).
``verify=True`` runs every question for real as well and fails on any difference; the tests use it
on every design and scenario, and show that it catches a step that breaks the rule.

SIMPLIFICATION: statistics (``world.stats``) are not state and are not replayed on a memo hit; the
explorer reports none.
"""

from __future__ import annotations

from ..errors import InvariantViolation

BLOCKED = ("blocked",)  # the outcome of a step of a task that cannot run


def _nothing(p: int) -> None:
    pass


def _nothing_found(head, key) -> None:
    return None


class _Tracked(list):
    """A copy of ``world.ios`` or ``world.tasks`` (same objects) that logs the state-key position of
    every element the code reaches: by index, by iteration (as far as it goes), by slice or membership
    test. Before the code gets an element, ``ensure(position)`` restores it (``Codec.ensure``)."""

    __slots__ = ("log", "base", "n", "ensure")

    def __init__(self, items, base: int, log: list, ensure=_nothing):
        super().__init__(items)
        self.base = base
        self.n = len(items)
        self.log = log
        self.ensure = ensure

    def _reach(self, p: int) -> None:
        self.log.append(p)
        self.ensure(p)

    def _all(self) -> None:
        for p in range(self.base, self.base + self.n):
            self._reach(p)

    def __getitem__(self, i):
        if type(i) is int:
            self._reach(self.base + (i if i >= 0 else i + self.n))
        else:
            self._all()
        return list.__getitem__(self, i)

    def __iter__(self):
        # logged one element at a time as the code takes it: ``all()``/``any()`` and a loop that breaks
        # early read only what they looked at, so the memo does not branch on the rest
        base = self.base
        for i, x in enumerate(list.__iter__(self)):
            self._reach(base + i)
            yield x

    def __reversed__(self):
        base = self.base + self.n - 1
        for i, x in enumerate(list.__reversed__(self)):
            self._reach(base - i)
            yield x

    def __contains__(self, x):
        self._all()
        return list.__contains__(self, x)

    def index(self, *args):
        self._all()
        return list.index(self, *args)

    def count(self, x):
        self._all()
        return list.count(self, x)

    def copy(self):
        self._all()
        return list(list.__iter__(self))


class _TrackedObject:
    """Stands in for ``world.inode`` or ``world.wq``: reading or writing an attribute logs the position
    of the component that holds it (``positions``: attribute -> position; any other name logs the
    positions ``others``, by default all of them) and restores it first (``ensure``)."""

    __slots__ = ("_obj", "_positions", "_all", "_log", "_ensure")

    def __init__(self, obj, positions: dict, log: list, ensure=_nothing, others=None):
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_positions", positions)
        object.__setattr__(self, "_all", sorted(set(positions.values())) if others is None else others)
        object.__setattr__(self, "_log", log)
        object.__setattr__(self, "_ensure", ensure)

    def _touch(self, name) -> None:
        p = self._positions.get(name)
        for q in (self._all if p is None else (p,)):
            self._log.append(q)
            self._ensure(q)

    def __getattr__(self, name):
        self._touch(name)
        return getattr(self._obj, name)

    def __setattr__(self, name, value):
        self._touch(name)
        setattr(self._obj, name, value)


class Memo:
    """Memoized steps and state predicates for one World and its ``Codec``."""

    def __init__(self, world, codec, *, verify: bool = False):
        self.world = world
        self.verify = verify
        self.codec = codec
        self.task_base = codec.task_base
        self.log: list[int] = []
        ensure = codec.ensure
        self._ios = _Tracked(world.ios, 0, self.log, ensure)
        self._tasks = _Tracked(world.tasks, codec.task_base, self.log, ensure)
        self._inode = _TrackedObject(world.inode, codec.inode_pos, self.log, ensure)
        self._wq = _TrackedObject(world.wq, {}, self.log, ensure, others=(codec.wq_pos,))
        self.table: dict = {}
        self.misses = 0  # questions answered by running the code for real
        # find(head, key): the stored outcome for ``head`` and the components of ``key`` it depends on, or
        # None. With ``verify`` it finds nothing: callers go to ``step``/``value``, which run the code and
        # compare with what is stored.
        self.find = _nothing_found if verify else self._stored

    # ----------------------------------------------------------------- lookup
    def answer(self, head, key: tuple, fn, *args):
        """``value`` for a predicate, from the memo when it has the answer (``_stored``'s walk, written
        here again: the explorer asks this for every state)."""
        node = None if self.verify else self.table.get(head)
        while type(node) is list:
            node = node[1].get(key[node[0]])
        return node[0] if node is not None else self.value(head, key, fn, *args)

    def _stored(self, head, key: tuple):
        node = self.table.get(head)
        while type(node) is list:  # a branch [position, {component: node}]
            node = node[1].get(key[node[0]])
        return node

    def _store(self, head, key: tuple, reads, outcome) -> None:
        """File ``outcome`` under ``head`` and the components of ``key`` at ``reads`` (positions in the
        order the code first read them)."""
        table = self.table
        holder, slot = table, head
        for p in reads:
            node = holder.get(slot)
            if node is None:
                node = holder[slot] = [p, {}]
            elif type(node) is not list or node[0] != p:
                raise AssertionError(f"memo: the code read position {p} where an earlier run with the same "
                                     f"values read {node[0] if type(node) is list else 'nothing more'}")
            holder, slot = node[1], key[p]
        if slot in holder:
            raise AssertionError("memo: an outcome is already stored for these values")
        holder[slot] = outcome

    # ----------------------------------------------------------------- running for real
    def _go(self, key: tuple, own: int | None, full: bool) -> None:
        """Put the World in state ``key`` for a run: lazily (only ``own`` now, the rest as the code
        reaches it), or ``full``y, when a stored answer is checked against the code (``verify``)."""
        codec = self.codec
        if full:
            codec.restore(key)
        else:
            codec.aim(key)
        if own is not None:
            codec.ensure(own)

    def _traced(self, fn, *args):
        """Run ``fn(*args)`` on the World (see ``_go``) with the tracking stand-ins in place; returns
        ``(value, violation, positions read)``."""
        w = self.world
        log = self.log
        log.clear()
        real = w.ios, w.tasks, w.inode, w.wq
        w.ios, w.tasks, w.inode, w.wq = self._ios, self._tasks, self._inode, self._wq
        value = violation = None
        try:
            value = fn(*args)
        except InvariantViolation as v:
            violation = v
        finally:
            w.ios, w.tasks, w.inode, w.wq = real
        return value, violation, log

    def step(self, head, key: tuple, tid: int, run_step):
        """Outcome of task ``tid``'s step from state ``key``: ``(changes, None, finished, touched)`` with
        the changed ``(position, component)`` pairs, whether the task has finished after it and the
        io_end it touched, or ``(None, violation, False, None)``, or ``BLOCKED`` when the task cannot
        run. ``run_step(tid)`` runs the step on the World and returns ``(finished, touched)`` or
        ``BLOCKED`` (then it has changed nothing)."""
        found = self._stored(head, key)
        if found is not None and not self.verify:
            return found
        self.misses += 1
        codec = self.codec
        own = self.task_base + tid
        self._go(key, own, found is not None)
        value, violation, log = self._traced(run_step, tid)
        reads = [p for p in dict.fromkeys(log) if p != own]
        if violation is not None:
            codec.forget((own, *reads))  # the step stopped half-way: restore these in full next time
            outcome = (None, violation, False, None)
        elif value is BLOCKED:
            outcome = BLOCKED
        else:
            changed = codec.reencode(key, (own, *reads))
            outcome = (changed, None, *value)
        if found is not None:
            self._compare(head, found, outcome)
            return found
        self._store(head, key, reads, outcome)
        return outcome

    def value(self, head, key: tuple, fn, *args):
        """A memoized predicate ``fn(*args)`` of the state ``key`` (it must not change the World)."""
        found = self._stored(head, key)
        if found is not None and not self.verify:
            return found[0]
        self.misses += 1
        self._go(key, None, found is not None)
        value, violation, log = self._traced(fn, *args)
        if violation is not None:
            raise violation
        if found is not None:
            self._compare(head, found, (value,))
            return found[0]
        self._store(head, key, list(dict.fromkeys(log)), (value,))
        return value

    @staticmethod
    def _compare(head, stored, real) -> None:
        """``verify``: the memo's answer must be what running it for real gives."""
        def plain(outcome):
            return tuple((o.invariant, o.message) if isinstance(o, InvariantViolation) else o for o in outcome)
        if plain(stored) != plain(real):
            raise AssertionError(f"memo mismatch at {head}: stored {plain(stored)}, real {plain(real)}")
