"""What the explorer returns: a verdict, the numbers, and a replayable counterexample.

``Counterexample.schedule`` is absolute (from the initial state, including any prefix the search
started after), so ``ext4io-teach run ... --schedule`` and ``sched.Run.replay`` replay it step for step.
For a livelock ``cycle_start`` is the index in the schedule where the loop begins: the state after
the whole schedule equals the state after ``schedule[:cycle_start]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InvariantViolation

VERDICTS = ("ok", "violation", "deadlock", "livelock", "bounded")


@dataclass
class Counterexample:
    schedule: list[int]
    cycle_start: int | None = None
    steps: list = field(default_factory=list)  # StepRecords of the replay (filled by Result)


@dataclass
class Result:
    inputs: dict  # scenario, design, ios, split_rmw, fail_io, workers
    property: str
    verdict: str
    violation: dict | None = None  # {"invariant", "message"}
    states: int = 0
    transitions: int = 0
    depth: int = 0  # BFS levels explored, counted from the state the search started in (after the prefix)
    seconds: float = 0.0
    counterexample: Counterexample | None = None
    acyclic: bool | None = None  # liveness: the explored state graph has no cycle at all
    cycles: int = 0  # liveness: SCCs a run could loop in (fair or not)
    notes: list[str] = field(default_factory=list)  # plain-words remarks (why ok, what bound, ...)
    stopped: str | None = None  # bounded: "max_states", "max_seconds", "interrupted" or "memory"
    start: int = 0  # length of the prefix the search started after
    checks: frozenset | None = None
    properties: tuple = ()
    tasks: list[str] = field(default_factory=list)

    # ------------------------------------------------------------ replay
    def replay(self):
        """Replay the counterexample through ``sched.Run``; returns the Run (stopped on the violation,
        if there is one)."""
        from ..sched import Run

        i = self.inputs
        r = Run(i["scenario"], i["design"], i["ios"], split_rmw=i["split_rmw"], fail_io=i["fail_io"],
                checks=self.checks, properties=self.properties, workers=i.get("workers", 1))
        if self.counterexample is None:
            return r
        try:
            r.replay(self.counterexample.schedule)
        except InvariantViolation:
            pass
        return r

    def _steps(self):
        cex = self.counterexample
        if cex is None:
            return []
        if not cex.steps:
            cex.steps = list(self.replay().trace)
        return cex.steps

    # ------------------------------------------------------------ output
    def as_json(self) -> dict:
        i = self.inputs
        cex = self.counterexample
        return {"scenario": i["scenario"], "design": i["design"], "ios": i["ios"], "split_rmw": i["split_rmw"],
                "fail_io": i["fail_io"], "workers": i.get("workers", 1),
                "property": self.property, "verdict": self.verdict,
                "violation": self.violation, "states": self.states, "transitions": self.transitions,
                "depth": self.depth, "seconds": round(self.seconds, 4),
                "counterexample": None if cex is None else {
                    "schedule": list(cex.schedule), "cycle_start": cex.cycle_start,
                    "steps": [r.as_json() for r in self._steps()]}}

    def headline(self) -> str:
        v = self.verdict
        if v == "ok":
            return f"ok: no reachable state breaks {self.property} ({self.states} states)"
        if v == "bounded":
            return f"bounded: stopped by {self.stopped} after {self.states} states; nothing found so far"
        if v == "deadlock":
            return f"deadlock: no task can run while work is unfinished ({len(self.counterexample.schedule)} steps)"
        if v == "livelock":
            cex = self.counterexample
            return (f"livelock: {self.violation['message']} (prefix {cex.cycle_start} steps, cycle "
                    f"{len(cex.schedule) - cex.cycle_start} steps)")
        return (f"violation of {self.violation['invariant']} after {len(self.counterexample.schedule)} steps: "
                f"{self.violation['message']}")

    def explain(self) -> str:
        """The verdict and the counterexample as numbered plain-words steps."""
        lines = [self.headline()]
        lines += self.notes
        cex = self.counterexample
        if cex is None:
            return "\n".join(lines)
        lines.append("")
        if self.start:
            lines.append(f"(steps 1-{self.start} are the given prefix)")
        for r in self._steps():
            if cex.cycle_start is not None and r.i == cex.cycle_start:
                lines.append(f"-- the cycle starts here: steps {cex.cycle_start + 1}-{len(cex.schedule)} repeat "
                             "forever --")
            if r.func == "violation":
                lines.append(f"{r.i + 1}. {r.name}: breaks {self.violation['invariant']}: {r.action}")
            else:
                lines.append(f"{r.i + 1}. {r.name}: {r.label}")
        if self.verdict == "livelock":
            lines.append(f"-- back to the state after step {cex.cycle_start}: the loop can go on forever, and "
                         "every task that stays runnable gets its turn in it (weakly fair) --")
        if self.verdict in ("deadlock", "livelock"):
            run = self.replay()
            for t in run.world.tasks:
                why = run.world.blocked_reason(t)
                if why:
                    lines.append(f"   {t.name} {why}")
        return "\n".join(lines)
