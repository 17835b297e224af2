"""The stepper's logic, free of widgets: every button of the Stepper is one method here.

``StepperController`` holds the current ``Run`` (the model), a *future* (steps to replay next: what
Undo took back, a loaded schedule, or the explorer's counterexample) and the messages the view
shows. The view (``stepper.py``) only calls these methods and renders the controller, so every
action can be tested without a browser, and errors are kept in ``error`` for the view to show.

Determinism: with no future to replay, "Next" and Play pick by round robin after the last task that
stepped, so the same clicks always give the same schedule.
"""

from __future__ import annotations

import json

from .. import invariants, panel
from ..errors import InvariantViolation, bad_input, shown
from ..sched import Run, check_schedule, parse_schedule
from . import cards as cards_mod
from .challenges import ChallengeActions, get_challenge
from .program import task_program, with_pc

MAX_STAGE_STEPS = 500  # "run to next stage" gives up after this many steps
CYCLE_REPEATS = 3  # how often a livelock cycle is laid out ahead when loaded
LOAD_ALLOWED = "the output of ext4io-teach run ... --json, or task ids like 0,1,1,2"


def _parse_json(text: str) -> dict:
    """The JSON object of ``run --json``: a dict with a ``"schedule"`` list; ValueError for anything else
    (also for nesting too deep for the parser and for numbers too long to convert)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise bad_input("schedule", f"not valid JSON ({e.msg})", LOAD_ALLOWED) from None
    except (RecursionError, ValueError) as e:
        why = "nested too deeply" if isinstance(e, RecursionError) else "a number too long"
        raise bad_input("schedule", f"the JSON is {why}", LOAD_ALLOWED) from None
    if not isinstance(data, dict) or not isinstance(data.get("schedule"), list):
        raise bad_input("schedule", 'the JSON has no "schedule" list', LOAD_ALLOWED)
    return data


class StepperController(ChallengeActions):
    """State and actions of one stepper. All public methods raise ValueError on bad input."""

    def __init__(self, scenario: str = "truncate-vs-dio", design: str = "new", ios: int = 2, *,
                 split_rmw: bool = False, fail_io=None, challenge: str | None = None, workers: int = 1):
        self.challenge = get_challenge(challenge)
        self.run = Run(scenario, design, ios, split_rmw=split_rmw, fail_io=fail_io, checks=self._checks(),
                       workers=workers)
        self.inputs = dict(self.run.inputs)
        self.future: list[int] = []
        self.cycle: list[int] | None = None  # a livelock cycle to repeat when the future runs out
        self.cycle_start: int | None = None  # absolute step index where the cycle begins
        self.message = "Pick a task to step."
        self.explanation = ""  # the explorer's account after "Show me"
        self.error: str | None = None  # the last callback error (set by the view)
        self.won: str | None = None
        self._programs: dict = {}

    # ---------------------------------------------------------------- views
    @property
    def world(self):
        return self.run.world

    @property
    def schedule(self) -> list[int]:
        return list(self.run.schedule)

    @property
    def schedule_text(self) -> str:
        return ",".join(map(str, self.run.schedule))

    def command(self) -> str:
        """The CLI line that reproduces the current run."""
        i = self.inputs
        extra = " --split-rmw" if i["split_rmw"] else ""
        if i["fail_io"] is not None:
            extra += f" --fail-io {i['fail_io']}"
        if i.get("workers", 1) != 1:
            extra += f" --workers {i['workers']}"
        sched = f" --schedule {self.schedule_text}" if self.run.schedule else ""
        return f"ext4io-teach run {i['scenario']} --design {i['design']} --ios {i['ios']}{extra}{sched}"

    def outcome(self) -> str | None:
        return self.run.outcome()

    def last(self):
        return self.run.trace[-1] if self.run.trace else None

    def buttons(self) -> list[dict]:
        """One entry per task: can it run, and if not, why (in words)."""
        stopped = self.run.violation is not None
        nxt = self.future[0] if self.future else None
        out = []
        for t in self.world.tasks:
            runnable, why = panel.task_status(self.world, t.tid, stopped)
            out.append({"tid": t.tid, "name": t.name, "runnable": runnable, "why": why, "next": t.tid == nxt})
        return out

    def _task(self, tid):
        """Task ``tid`` of the run; ValueError naming the tasks there are for anything else."""
        tasks = self.world.tasks
        if isinstance(tid, bool) or not isinstance(tid, int) or not 0 <= tid < len(tasks):
            raise bad_input("tid", f"{shown(tid)} names no task",
                            ", ".join(f"{t.tid} ({t.name})" for t in tasks))
        return tasks[tid]

    def program(self, tid: int):
        """The pseudo-code blocks of task ``tid`` (cached per role), including its current step."""
        t = self._task(tid)
        key = t.role
        if key not in self._programs:
            self._programs[key] = task_program(self.world.design, t.role, self.inputs["split_rmw"])
        blocks = with_pc(self._programs[key], self.world.design, t.pc)
        if blocks is not self._programs[key]:
            self._programs[key] = blocks
        return blocks

    def stage_of(self, tid: int) -> str:
        """The flush stage task ``tid`` stands in (A-D), or '' outside a flush."""
        return panel.stage_of(self._task(tid))

    def invariant_cards(self):
        w = self.world
        rec = self.last()
        checked = cards_mod.checked_by(rec, w.checks, w.all_finished())
        return cards_mod.cards(w.checks, checked, self.run.violation)

    # ---------------------------------------------------------------- stepping
    def step(self, tid: int):
        """Step task ``tid`` (a task button). Stays on the loaded future if ``tid`` is its next entry."""
        if self.future and self.future[0] == tid:
            self.future.pop(0)
        elif self.future:
            self.future, self.cycle, self.cycle_start = [], None, None
        return self._do(tid)

    def _do(self, tid: int):
        try:
            rec = self.run.step(tid)
        except InvariantViolation as v:
            self.message = f"Step {len(self.run.schedule) - 1}: {self.world.tasks[tid].name} broke {v.invariant}."
            self._check_win()
            return None
        self.message = f"Step {rec.i}: {rec.name}: {rec.label}"
        self._note_cycle()
        self._check_win()
        return rec

    def _note_cycle(self):
        """While replaying a livelock: at the cycle's start keep the state; after each full turn, say
        (and check) that the state is the same again."""
        if self.cycle_start is None or not self.cycle:
            return
        n = len(self.run.schedule)
        if n == self.cycle_start:
            self._cycle_snap = self.run.snapshot()
        elif n > self.cycle_start and (n - self.cycle_start) % len(self.cycle) == 0:
            turns = (n - self.cycle_start) // len(self.cycle)
            same = getattr(self, "_cycle_snap", None) == self.run.snapshot()
            self.message += (f"  [cycle turn {turns}: the state is "
                             + ("exactly the one at step " if same else "NOT the one at step ")
                             + f"{self.cycle_start}; the cycle can repeat forever]")

    def next_pick(self) -> int | None:
        """What "Next" steps: the future's head, else round robin after the last task that stepped."""
        if self.outcome() is not None:
            return None
        if not self.future and self.cycle:
            self.future = list(self.cycle)
        if self.future:
            return self.future[0]
        runnable = self.run.runnable()
        last = self.run.schedule[-1] if self.run.schedule else -1
        after = [t for t in runnable if t > last]
        return after[0] if after else runnable[0]

    def forward(self):
        """One step: the next entry of the future, else round robin. Returns the record or None."""
        tid = self.next_pick()
        if tid is None:
            self.message = f"The run has ended: {self.outcome()}."
            return None
        return self.step(tid)

    def play_tick(self) -> bool:
        """One tick of Play: a step; False when Play should stop (the run ended or a challenge was won)."""
        if self.outcome() is not None or self.won:
            return False
        self.forward()
        return self.outcome() is None and not self.won

    def run_to_next_stage(self) -> int:
        """Step (future first, then round robin) until some task enters a new flush stage (for a design
        without stages: a new kernel function). Returns the number of steps taken."""
        use_stages = any(s.stage for s in self.world.design.listing())
        prev = {t.tid: self._segment_key(t.tid, use_stages) for t in self.world.tasks}
        for n in range(1, MAX_STAGE_STEPS + 1):
            tid = self.next_pick()
            if tid is None:
                return n - 1
            self.step(tid)
            key = self._segment_key(tid, use_stages)
            if self.run.violation is not None or self.won:
                return n
            if key != prev[tid] and key:
                t = self.world.tasks[tid]
                self.message = (f"{t.name} entered {'stage ' + key if use_stages else key} after {n} step(s). "
                                + self.message)
                return n
            prev[tid] = key
        self.message = f"No new stage within {MAX_STAGE_STEPS} steps (tasks keep cycling)."
        return MAX_STAGE_STEPS

    def _segment_key(self, tid: int, use_stages: bool) -> str:
        if use_stages:
            return self.stage_of(tid)
        t = self.world.tasks[tid]
        if t.pc == "done" or t.pc not in self.world.design.table:
            return ""
        return self.world.design.table[t.pc][0].func or ""

    def undo(self):
        """Take back the last step (a replay of the prefix); the step goes back onto the future."""
        if not self.run.schedule:
            raise ValueError("undo: nothing to undo; allowed: after at least one step")
        prefix = self.run.schedule[:-1]
        last = self.run.schedule[-1]
        self._replace_run(prefix)
        self.future.insert(0, last)
        self.won = None
        self._check_win()
        self.message = f"Undid step {len(prefix)} ({self.world.tasks[last].name})."

    def reset(self):
        """Back to the start; forget the future and the explorer's account."""
        self._replace_run([])
        self.future, self.cycle, self.cycle_start = [], None, None
        self.won, self.explanation = None, ""
        self.message = "Reset: pick a task to step."

    def _replace_run(self, prefix: list[int]):
        r = self.run.fresh()
        for tid in prefix:
            try:
                r.step(tid)
            except InvariantViolation:
                break
        self.run = r

    # ---------------------------------------------------------------- loading
    def load(self, text: str, *, to_end: bool = True):
        """Load a schedule: ``"0,1,1,2"`` or the JSON object of ``ext4io-teach run ... --json`` (which may
        change scenario, design and inputs). With ``to_end`` the stepper replays it at once (Undo walks
        back); otherwise it stands at the start with the schedule as its future ("Next" replays it)."""
        if not isinstance(text, str):
            raise bad_input("schedule", f"{shown(text)} is not text", LOAD_ALLOWED)
        text = text.strip()
        if text.startswith("{"):
            data = _parse_json(text)
            sched = check_schedule(data["schedule"])
            inputs = {k: data.get(k, self.inputs[k]) for k in self.inputs}
            self._rebuild(inputs)
        else:
            sched = parse_schedule(text)
        self._load_schedule(sched, to_end=to_end)

    def _checks(self):
        """The invariants this run checks: the design's default, or the consequences only in a safety
        challenge (so a protocol rule that restates a variant's change does not stop the run first)."""
        if self.challenge is not None and self.challenge.property == "safety":
            return invariants.CONSEQUENCES
        return None

    def _rebuild(self, inputs: dict):
        run = Run(inputs["scenario"], inputs["design"], inputs["ios"], split_rmw=inputs["split_rmw"],
                  fail_io=inputs["fail_io"], checks=self._checks(), workers=inputs.get("workers", 1))
        self.run, self.inputs, self._programs = run, dict(run.inputs), {}

    def configure(self, scenario: str, design: str, ios: int, *, split_rmw: bool = False, fail_io=None,
                  workers: int | None = None):
        """Start over with other inputs (the view's scenario/design/N pickers; ``workers`` None keeps the
        number of kworkers the stepper was made with)."""
        self._rebuild({"scenario": scenario, "design": design, "ios": ios, "split_rmw": split_rmw,
                       "fail_io": fail_io, "workers": self.inputs["workers"] if workers is None else workers})
        self.reset()
        self.message = f"{scenario} on the {design} design with {ios} io_end(s): pick a task to step."

    def _load_schedule(self, sched: list[int], *, to_end: bool, cycle_start=None):
        self.reset()
        self.future = list(sched)
        if cycle_start is not None:
            self.cycle_start = cycle_start
            self.cycle = list(sched[cycle_start:])
            self.future = list(sched) + self.cycle * (CYCLE_REPEATS - 1)
        if to_end:
            while self.future and self.outcome() is None:
                tid = self.future[0]
                if tid not in self.run.runnable():
                    why = self.world.blocked_reason(self.world.tasks[tid]) if tid < len(self.world.tasks) else None
                    n = len(self.run.schedule)
                    self.future = []
                    raise ValueError(f"schedule: step {n} names task {tid}, which cannot run"
                                     + (f": {why}" if why else "") + f"; loaded the first {n} steps")
                self.step(tid)
            self.message = f"Loaded {len(sched)} steps; outcome so far: {self.outcome() or 'running'}."
        else:
            self.message = f"Loaded {len(sched)} steps: press Next (or Play) to replay them one by one."
