"""The timed engine's CPUs and sleepers: who runs where, who waits for a CPU, who sleeps until what.

A task is in one of five states: ``RUN`` (on a CPU; its next event is when its step is due), ``SPIN``
(on a CPU, spinning for the spinlock), ``READY`` (runnable, waiting for a CPU in ``runq``),
``SLEEP`` (off the CPUs until the world lets it run: ``wake`` looks again after each step that can
make someone runnable, and a timer event wakes it when a time gate opens; ``sleepers`` maps each
sleeper to what held it back when last looked at, ``World.blocker``) or ``DONE``.

An event is ``(time, task id, generation)`` in the heap ``events``; only the newest generation of a
task's event counts, so moving an event is pushing a new one.
"""

from __future__ import annotations

import heapq

from ..designs.kinds import ACTIVITIES
from ..world import LOCK
from .world import INF

RUN, SPIN, READY, SLEEP, DONE = range(5)
SPINNING = ACTIVITIES.index("spinning")


class Cpus:
    """Mixin of the engine (``engine.Engine``): the CPU and sleep bookkeeping around the steps."""

    __slots__ = ()

    def schedule(self, tid: int, at: int) -> None:
        """Task ``tid``'s next event is at ``at``."""
        g = self.gen[tid] = self.gen[tid] + 1
        heapq.heappush(self.events, (at, tid, g))

    def arm(self, tid: int, at: int) -> None:
        """Sleeper ``tid``'s timer goes off at ``at`` (``timer_at``/``timer_gen`` remember it, so that
        re-arming the same time leaves the heap alone)."""
        self.schedule(tid, at)
        self.timer_at[tid] = at
        self.timer_gen[tid] = self.gen[tid]

    def make_ready(self, tid: int, now: int) -> None:
        """``tid`` is runnable and waits for a CPU; the completion task (interrupt context) goes first."""
        self.state[tid] = READY
        self.ready_since[tid] = now
        if self.is_dio[tid]:
            self.runq.appendleft(tid)
        else:
            self.runq.append(tid)
        if -1 in self.cpu_task:
            self.dispatch(now)

    def dispatch(self, now: int) -> None:
        """Give idle CPUs to the tasks waiting for one: a CPU that last ran the task (the lowest such),
        else the one idle the longest (the lowest on a tie)."""
        runq, cpu_task, cpu_last, cpu_free = self.runq, self.cpu_task, self.cpu_last, self.cpu_free
        while runq and -1 in cpu_task:
            tid = runq.popleft()
            c = -1
            for i in range(self.K):
                if cpu_task[i] < 0:
                    if cpu_last[i] == tid:
                        c = i
                        break
                    if c < 0 or cpu_free[i] < cpu_free[c]:
                        c = i
            cpu_task[c] = tid
            self.cpu_of[tid] = c
            self.state[tid] = RUN
            at = max(now, cpu_free[c])
            self.cpu_wait[tid] += at - self.ready_since[tid]
            self.slice_from[tid] = at
            self.schedule(tid, at)

    def release(self, tid: int, at: int) -> None:
        """``tid`` leaves its CPU, which is free from ``at``."""
        c = self.cpu_of[tid]
        self.cpu_task[c] = -1
        self.cpu_free[c] = at
        self.cpu_of[tid] = -1
        if self.runq:
            self.dispatch(self.w.now)

    def go_to_sleep(self, tid: int, at: int, why=None) -> None:
        """``tid`` leaves its CPU at ``at`` and sleeps; ``why`` is what holds it back (``World.blocker``),
        if known; a timer is set for its time gate, if it has one."""
        self.release(tid, at)
        self.state[tid] = SLEEP
        t = self.w.tasks[tid]
        self.sleepers[tid] = self.w.blocker(t) if why is None else why
        wt = self.w.wake_time(t)
        if wt < INF:
            self.arm(tid, wt)

    def timer(self, tid: int, now: int) -> None:
        """Sleeper ``tid``'s timer went off: it runs if it can, else its timer is set again."""
        self.timer_gen[tid] = -1
        if not self.look(tid, now):
            return
        del self.sleepers[tid]
        self.make_ready(tid, now)

    def wake(self, now: int) -> None:
        """After a step that can make someone runnable: sleepers that can run now (in task-id order), and
        spinners the spinlock was handed to, which charge their spinning and step on. When an IO was
        submitted (``timers_changed``: a time gate may have moved) every sleeper is looked at in full
        and its timer set again (``look``)."""
        w = self.w
        timers, w.timers_changed = w.timers_changed, False
        woken = []
        for s, why in self.sleepers.items():
            if self.look(s, now) if timers else self.unblocked(s, why, now):
                woken.append(s)
        if woken:
            woken.sort()
            for s in woken:
                del self.sleepers[s]
                self.make_ready(s, now)
        if not self.spinners:
            return
        for s in sorted(self.spinners):
            if w.tasks[s].waits_for is None:
                self.spinners.discard(s)
                start = self.busy_to[s]
                at = max(now, start)
                self.seg(s, start, at, SPINNING, self.cpu_of[s], charge=False)
                self.charge(s, SPINNING, at - start)
                self.state[s] = RUN
                self.schedule(s, at)

    def unblocked(self, s: int, why, now: int) -> bool:
        """Can sleeper ``s`` run now, given what last held it back (``why``)? Only that can have changed
        since: a sleeper takes no step, so its own time gate and its program counter stay as they were,
        and a lock waiter is runnable again only once the lock is handed to it or it is woken."""
        t = self.w.tasks[s]
        if why is LOCK:
            if t.waits_for is not None:
                return False
        elif type(why) is int:
            if now < why:
                return False
        elif why is not None:  # the guard that held it back: its time gate had come
            return why(self.w, t)
        return self.look(s, now)

    def look(self, s: int, now: int) -> bool:
        """Can sleeper ``s`` run? If not, note why not and set its timer again if its time gate moved."""
        w = self.w
        t = w.tasks[s]
        why = self.sleepers[s] = w.blocker(t)
        if why is None:
            return True
        wt = w.wake_time(t)
        if now < wt < INF and not (self.timer_gen[s] == self.gen[s] and self.timer_at[s] == wt):
            self.arm(s, wt)
        return False

    def rescan(self) -> bool:
        """Safety net when no event is left: wake anything runnable, set every timer; True if that found work."""
        w = self.w
        w.timers_changed = True
        before = len(self.events) + len(self.runq)
        self.wake(w.now)
        return len(self.events) + len(self.runq) > before
