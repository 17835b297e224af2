"""The timed engine: CPU and time bookkeeping around the one step routine (``step.step``).

``Engine.run`` is the event loop. An event is a task's next step falling due on its CPU, a sleeper's
timer, or the device finishing a read. A task on a CPU takes its step (``run_task``): the step
itself is ``step.step``, the very routine the stepper and the explorer run; around it the engine
charges the step's cost (``costs.CostModel`` by the step's kind, plus a context switch when the CPU
last ran another task), colours it with its activity (declared on the step, else its role's),
and then places the task: on its CPU, or spinning, asleep or done (``leave``). After a step of a kind
that can make someone runnable, sleepers and spinners are looked at again (``Cpus.wake``).

A task keeps stepping without going through the event heap while its next step falls due before any
other event: the order the heap would give, since events at the same time run in task-id order and
nothing else is due in between. The CPUs and sleepers are ``cpus.Cpus``; the
segments, totals, holds and samples ``accounts.Accounts``; the requeue loop's fast-forward
``fastforward.FastForward``.
"""

from __future__ import annotations

import heapq
from collections import Counter, deque

from ..designs.kinds import ACTIVITIES, KINDS
from ..designs.roles import ROLES
from ..step import step, where
from .accounts import Accounts
from .cpus import DONE, RUN, SLEEP, SPIN, Cpus
from .fastforward import FastForward
from .world import INF

ACT = {a: i for i, a in enumerate(ACTIVITIES)}


class Engine(Cpus, Accounts, FastForward):
    # slots, not an instance dict: CPython 3.11 keeps a fast shared-key dict for at most 30 attributes
    __slots__ = ("w", "K", "limit", "ff_on", "progress", "kinds", "ctx_us", "slice_us", "is_dio", "role_act",
                 "worker", "invocation_pc", "state", "cpu_of", "busy_to", "slice_from", "ready_since", "gen",
                 "timer_at", "timer_gen", "yielding", "cpu_task", "cpu_free", "cpu_last", "events", "runq",
                 "sleepers", "spinners", "segs", "tot", "totals", "cpu_wait", "holds", "samples",
                 "hold_tid", "hold_from", "sample_us", "next_sample", "steps", "n_steps", "now", "outcome", "ffs",
                 "inv_start", "inv_book", "inv_requeued", "ff_ref", "violation")

    def __init__(self, w, cpus: int, costs, limit: int, keep_steps: bool, ff: bool, progress):
        self.w, self.K, self.limit, self.ff_on, self.progress = w, cpus, limit, ff, progress
        inode = w.inode
        # kind -> (µs, may it wake someone, the lock it only releases or None)
        self.kinds = {k: (us, KINDS[k].wakes, getattr(inode, KINDS[k].releases) if KINDS[k].releases else None)
                      for k, us in costs.step_us.items()}
        self.ctx_us, self.slice_us = costs.context_switch_us, costs.timeslice_us
        n = len(w.tasks)
        roles = [ROLES[t.role] for t in w.tasks]
        self.is_dio = [r.completes for r in roles]
        self.role_act = [ACT[r.activity] for r in roles]
        self.worker = next((t.tid for t, r in zip(w.tasks, roles) if r.worker), -1)
        self.invocation_pc = roles[self.worker].entry if self.worker >= 0 else None  # it takes a work item here
        self.state = [SLEEP] * n
        self.cpu_of, self.busy_to, self.slice_from, self.ready_since = [-1] * n, [0] * n, [0] * n, [0] * n
        self.gen, self.timer_at, self.timer_gen, self.yielding = [0] * n, [0] * n, [-1] * n, [False] * n
        self.cpu_task, self.cpu_free, self.cpu_last = [-1] * cpus, [0] * cpus, [-1] * cpus
        self.events: list = []
        self.runq: deque = deque()
        self.sleepers, self.spinners = dict.fromkeys(range(n)), set()
        self.segs = [[] for _ in range(n)]
        self.tot = [{} for _ in range(n)]
        self.totals, self.cpu_wait, self.holds, self.samples = [], [0] * n, [], []
        self.hold_tid, self.hold_from = None, 0
        self.sample_us = max(1, w.load.expected_us // 3000)
        self.next_sample = 0
        self.steps = [] if keep_steps else None
        self.n_steps = 0
        self.now = 0  # set at the end (while running, the time is ``w.now``)
        self.outcome = "completed"
        self.ffs: list = []
        self.inv_start, self.inv_book, self.inv_requeued = 0, 0, False  # the worker's current work item
        self.ff_ref = None
        self.violation = None  # (InvariantViolation, task id, "func.stage") of the step that broke it

    def run(self) -> None:
        w = self.w
        for t in w.tasks:
            if w.can_run(t):
                del self.sleepers[t.tid]
                self.make_ready(t.tid, 0)
            elif w.wake_time(t) < INF:
                self.arm(t.tid, w.wake_time(t))
        self.sample(0)
        events, dev = self.events, w.device_events
        while self.violation is None:
            t_ev = events[0][0] if events else INF
            if dev and dev[0][0] <= t_ev and dev[0][0] <= self.limit:  # the device finishes reads
                w.now = dev[0][0]
                if w.complete_reads(w.now):
                    self.wake(w.now)
                continue
            if t_ev == INF:
                if self.sleepers and self.rescan():
                    continue
                break
            if t_ev > self.limit:
                w.now = self.limit
                self.outcome = "time-limit"
                break
            now, tid, g = heapq.heappop(events)
            if g != self.gen[tid]:  # moved since
                continue
            w.now = now
            if self.state[tid] == SLEEP:
                self.timer(tid, now)
            elif self.state[tid] == RUN:
                self.run_task(tid, now)
        self.finish()

    def finish(self) -> None:
        w = self.w
        self.now = w.now
        if self.outcome == "completed" and not all(w.finished(t) for t in w.tasks):
            self.outcome = "stuck"
        if self.hold_tid is not None:
            self.holds.append((self.hold_tid, self.hold_from, self.now))
        self.sample(self.now)
        self.totals = [Counter(self.totals_of(tid)) for tid in range(len(w.tasks))]

    # ------------------------------------------------------------ a task on its CPU
    def run_task(self, tid: int, now: int) -> None:
        """Task ``tid``'s step is due on its CPU at ``now``. It takes it (``step``), the CPU is busy for
        the step's cost, and it steps on while it stays runnable on its CPU and its next step is due
        before any other event; else its next step becomes an event, or it leaves the CPU."""
        w = self.w
        t = w.tasks[tid]
        if not self.on_cpu(tid, t, now):
            return
        kinds, role_act, steps, events, dev, blocker, c = (self.kinds, self.role_act[tid], self.steps, self.events,
                                                           w.device_events, w.blocker, self.cpu_of[tid])
        is_worker, i_mutex, segs, tot = tid == self.worker, w.inode.i_mutex, self.segs[tid], self.tot[tid]
        while True:
            if is_worker and t.pc == self.invocation_pc:  # it takes its next work item
                if self.inv_requeued and self.ff_on and self.try_fast_forward(now):
                    return
                self.start_invocation(now)
            out = step(w, tid)
            spec, kind, violation = out.spec, out.kind, out.violation
            if violation is not None:  # the run ends here, as sched.run ends on one
                self.violation = (violation, tid, where(out.func, out.stage))
                self.outcome = "violation"
                return
            self.n_steps += 1
            cost, wakes, released = kinds[kind]
            if self.cpu_last[c] != tid:  # the first step after this CPU ran another task
                cost += self.ctx_us
                self.cpu_last[c] = tid
            end = now + cost
            act = spec.activity  # declared on the step, else its role's; a function decides after the step
            act = role_act if act is None else ACT[act if type(act) is str else act(w, t)]
            if is_worker:
                self.worker_step(act, cost)
            last = segs[-1] if segs else None
            if last is not None and last[1] == now and last[2] == act and last[3] == c:
                last[1] = end  # the same activity straight on, on the same CPU: its segment grows
                tot[act] += cost
            else:
                self.seg(tid, now, end, act, c)
            if steps is not None:
                steps.append((now, end, c, tid, t.name, kind, ACTIVITIES[act], out.label))
            if i_mutex.holder != self.hold_tid:
                self.new_holder(now)
            why = blocker(t)  # None: it stays on its CPU
            if why is not None:
                self.leave(tid, t, end, why)
            # a lock released with nobody on its wait list, and no event due now, wakes nobody
            if wakes and (released is None or released.holder is not None or released.waiters
                          or (events and events[0][0] <= now)):
                self.wake(now)
            if now >= self.next_sample:
                self.sample(now)
            if why is not None:
                return
            # the next step is the next event unless the device, the limit or another task's event
            # (at the same time: a lower task id) comes first; then it goes through the heap
            if (dev and dev[0][0] <= end) or end > self.limit or (
                    events and (events[0][0] < end or events[0][0] == end and events[0][1] <= tid)):
                self.yielding[tid] = kind == "yield"
                self.schedule(tid, end)
                return
            w.now = now = end
            if self.runq and not self.keeps_cpu(tid, now, kind == "yield"):
                return

    def on_cpu(self, tid: int, t, now: int) -> bool:
        """Task ``t``'s step is due: does it keep its CPU (``keeps_cpu``) and can it take the step? If
        not, it has gone back to the run queue or left its CPU (``leave``)."""
        yielded, self.yielding[tid] = self.yielding[tid], False
        if self.runq and not self.keeps_cpu(tid, now, yielded):
            return False
        why = self.w.blocker(t)
        if why is not None:
            self.leave(tid, t, now, why)
            return False
        return True

    def keeps_cpu(self, tid: int, now: int, yielded: bool) -> bool:
        """Another task waits for a CPU: the running one gives its CPU up if it just yielded, has used its
        time slice, or the completion task waits (never while it holds the spinlock)."""
        if yielded or self.w.inode.lock.holder != tid and (
                now - self.slice_from[tid] >= self.slice_us or (self.is_dio[self.runq[0]] and not self.is_dio[tid])):
            self.release(tid, now)
            self.make_ready(tid, now)
            return False
        return True

    def leave(self, tid: int, t, at: int, why) -> None:
        """Task ``t`` cannot run on (``why``: ``World.blocker``): it has finished, spins on its CPU for the
        spinlock (until the lock is handed to it) or goes to sleep, from ``at``."""
        if t.pc == "done":
            self.state[tid] = DONE
            self.release(tid, at)
        elif t.waits_for == "i_completed_io_lock":
            self.state[tid] = SPIN
            self.busy_to[tid] = at
            self.spinners.add(tid)
        else:
            self.go_to_sleep(tid, at, why)
