"""The explorer's state codec: a state as a tuple of small numbers, one per component of the World.

The World is a handful of model objects (the io_ends, the inode, the workqueue, the tasks), each with
``snapshot()``/``restore()``. The codec numbers every distinct component snapshot it meets (a small
intern table) and keys a state by the tuple of its component numbers: hashing and storing a state
then costs a few machine words instead of a nested tuple, and going back to a state restores only the
components whose number differs from the state the World is in now. ``decode(key)`` gives back the
exact ``World.snapshot()`` of the state.
"""

from __future__ import annotations


class _Field:
    """One plain field of the inode as a component of its own (a list is stored as a tuple)."""

    __slots__ = ("obj", "name")

    def __init__(self, obj, name: str):
        self.obj = obj
        self.name = name

    def snapshot(self):
        v = getattr(self.obj, self.name)
        return tuple(v) if type(v) is list else v

    def restore(self, snap) -> None:
        setattr(self.obj, self.name, list(snap) if type(snap) is tuple else snap)


class Codec:
    """Component-interning state codec for one World.

    Components, in key order: every io_end, every field of the inode (its two locks and its plain
    fields apart, so that a step which reads only the spinlock does not depend on i_dio_count), the
    workqueue, every task. ``inode_pos`` maps an inode field to its position.

    ``cur[p]`` is the number of the component the World holds at position ``p`` (-1: unknown). Going
    to a state restores only the positions that differ, and ``aim(key)`` restores none at all: the
    memo's tracking stand-ins call ``ensure(p)`` when the code first reaches position ``p``, so a
    step that reads three components restores at most those three."""

    def __init__(self, world):
        self.world = world
        inode = world.inode
        n = len(world.ios)
        fields = [getattr(inode, name) if hasattr(getattr(inode, name), "snapshot") else _Field(inode, name)
                  for name in type(inode).__slots__]
        self.inode_pos = {name: n + i for i, name in enumerate(type(inode).__slots__)}
        self.wq_pos = n + len(fields)
        self.task_base = self.wq_pos + 1
        self.objs = [*world.ios, *fields, world.wq, *world.tasks]
        self._snap = [o.snapshot for o in self.objs]
        self._restore = [o.restore for o in self.objs]
        self.ids: dict = {}
        self.comps: list = []
        self.cur: list[int] = [-1] * len(self.objs)
        self.want: tuple = ()  # the state aim() points at

    def _intern(self, c) -> int:
        i = self.ids.get(c)
        if i is None:
            i = self.ids[c] = len(self.comps)
            self.comps.append(c)
        return i

    def encode(self) -> tuple:
        ids = self.ids
        snaps = [f() for f in self._snap]
        try:
            key = tuple([ids[c] for c in snaps])
        except KeyError:
            key = tuple([self._intern(c) for c in snaps])
        self.cur[:] = key
        return key

    def reencode(self, key: tuple, positions) -> tuple:
        """The World stands in a successor of ``key`` that differs from it at most at ``positions``
        (each of them restored): snapshot only those; returns the ``(position, component)`` pairs
        that changed."""
        ids = self.ids
        snap = self._snap
        cur = self.cur
        changed = []
        for p in positions:
            c = snap[p]()
            i = ids.get(c)
            if i is None:
                i = self._intern(c)
            cur[p] = i
            if i != key[p]:
                changed.append((p, i))
        return tuple(changed)  # ``positions`` has no repeats

    def restore(self, key: tuple) -> None:
        """Put the World in state ``key`` (every position that differs)."""
        self.want = key
        for p in range(len(key)):
            self.ensure(p)

    def aim(self, key: tuple) -> None:
        """Put the World in state ``key`` lazily: a position is restored when ``ensure`` asks for it."""
        self.want = key

    def ensure(self, p: int) -> None:
        want, cur = self.want, self.cur
        if cur[p] != want[p]:
            self._restore[p](self.comps[want[p]])
            cur[p] = want[p]

    def forget(self, positions=None) -> None:
        """The World's components at ``positions`` (default: all) are no longer known."""
        cur = self.cur
        for p in range(len(cur)) if positions is None else positions:
            cur[p] = -1

    def decode(self, key: tuple) -> tuple:
        """The ``World.snapshot()`` of the state ``key`` (restores it)."""
        self.restore(key)
        return self.world.snapshot()
