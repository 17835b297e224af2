"""Challenge mode: the student is the scheduler and wins by reaching a failure.

* ``hang``: make truncate hang (the v3.6 design): win when truncate can no longer complete from the
  current state, whatever the scheduler does next. The explorer decides that
  (``explore.can_complete``); a deadlock with truncate unfinished also wins.
* ``double-free``: free an io_end twice, or free one that is not yet free to go (still linked, still
  UNWRITTEN, or QUEUED: its worker will free it again). The model stops at the first bad free, as
  the kernel's checks in ``ext4_free_io_end`` would; the second free is what would follow.
* ``use-after-free``: touch an io_end after its free, or free one whose work item is still pending
  (the workqueue still links it and the worker will run freed memory).
* ``any``: break any invariant.

Safety challenges run with the consequence invariants only (``invariants.CONSEQUENCES``), like the
explorer's mutant gallery: a protocol rule that merely restates a variant's change does not count.

On the new design no schedule wins; "Show me" then runs the explorer and says how many states it
checked. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import shown
from . import explorer


@dataclass(frozen=True)
class Challenge:
    name: str
    goal: str  # what the student must do, in words
    property: str  # what the explorer looks for ("liveness" or "safety")
    invariants: frozenset = frozenset()  # a violation of one of these wins (empty: any, for safety)
    suggested: str = ""  # a design where it can be won

    def won(self, run, truncate_stuck) -> str | None:
        """A sentence when the current run wins, else None. ``truncate_stuck()`` is asked only for
        ``hang`` (it may run the explorer)."""
        v = run.violation
        if self.property == "safety":
            if v is not None and (not self.invariants or v.invariant in self.invariants):
                return f"You win: {v.invariant}: {v.message}"
            return None
        names = [t.name for t in run.world.tasks]
        if "truncate" not in names or v is not None:
            return None
        tr = run.world.tasks[names.index("truncate")]
        if run.world.finished(tr):
            return None
        if run.outcome() == "deadlock":
            return "You win: deadlock. Nothing can run and truncate never returns."
        if truncate_stuck():
            why = run.world.blocked_reason(tr) or "can still step but never returns"
            return f"You win: truncate can never complete from here ({why}; the explorer checked every continuation)."
        return None


CHALLENGES = {
    "hang": Challenge("hang", "Make truncate hang: reach a state from which truncate can never return.",
                      "liveness", suggested="old"),
    "double-free": Challenge(
        "double-free", "Free an io_end twice (or free it while another task will still free it).", "safety",
        frozenset({"freed-once", "not-freed-while-listed", "not-freed-while-unwritten", "not-freed-while-queued"}),
        suggested="worker-frees-unwritten"),
    "use-after-free": Challenge(
        "use-after-free", "Use an io_end after it was freed (or free it while its work is pending).", "safety",
        frozenset({"no-use-after-free", "not-freed-while-pending"}), suggested="flusher-frees-queued"),
    "any": Challenge("any", "Break any invariant.", "safety"),
}


def get_challenge(name: str | None) -> Challenge | None:
    if name is None or name in ("", "none"):
        return None
    if not isinstance(name, str) or name not in CHALLENGES:
        raise ValueError(f"challenge: unknown challenge {shown(name)}; allowed: none, " + ", ".join(CHALLENGES))
    return CHALLENGES[name]


class ChallengeActions:
    """The stepper controller's challenge mode and its "Show me" (a mixin of ``StepperController``, which
    has the run, the inputs, the messages and ``reset``/``_rebuild``/``_load_schedule``)."""

    def set_challenge(self, name: str | None):
        """Choose a challenge (or none); the run starts over, with the checks the challenge needs."""
        self.challenge = get_challenge(name)
        self._rebuild(self.inputs)
        self.reset()
        if self.challenge is not None:
            hint = (f" (try the design {self.challenge.suggested})"
                    if self.challenge.suggested and self.challenge.suggested != self.inputs["design"] else "")
            self.message = f"Challenge: {self.challenge.goal}{hint}"
        else:
            self.message = "No challenge: step freely."

    def _check_win(self):
        if self.challenge is None or self.won:
            return
        self.won = self.challenge.won(self.run, self._truncate_stuck)

    def _truncate_stuck(self) -> bool:
        if not explorer.available() or self.inputs["ios"] > explorer.max_ios():
            return False
        return not explorer.truncate_can_complete(self.inputs, self.run.schedule, self.run.snapshot(),
                                                  self.world.checks)

    def show_me(self, *, max_seconds: float = 20.0, progress=False):
        """Ask the explorer for the shortest schedule that wins (the current challenge, or any failure)
        and load it at the start for step-by-step replay; if none exists, say why. ``progress``: see
        ``explorer.shortest``."""
        prop = self.challenge.property if self.challenge is not None else "liveness"
        res = explorer.shortest(self.inputs, prop, self.world.checks, max_seconds=max_seconds, progress=progress)
        cex = res.counterexample
        if cex is None:
            self.reset()
            self.explanation = res.explain()
            goal = self.challenge.goal.split(" (")[0].rstrip(".").lower() if self.challenge else "fail"
            if res.verdict == "bounded":
                self.message = (f"The explorer stopped at its bounds ({res.states} states) without a schedule "
                                f"that makes it {goal}.")
            else:
                self.message = (f"No schedule wins: the explorer checked all {res.states} reachable states "
                                f"({prop}) and none of them breaks a checked invariant or hangs.")
            return res
        self._load_schedule(list(cex.schedule), to_end=False, cycle_start=cex.cycle_start)
        self.explanation = res.explain()
        what = res.verdict + (f" ({res.violation['invariant']})" if res.violation else "")
        extra = f"; steps {cex.cycle_start}.. repeat forever" if cex.cycle_start is not None else ""
        off_goal = ""
        if (self.challenge is not None and self.challenge.property == "safety" and self.challenge.invariants
                and (res.violation or {}).get("invariant") not in self.challenge.invariants):
            off_goal = " It breaks another consequence first, so this challenge cannot be won here."
        self.message = (f"The explorer's shortest counterexample: {what}, {len(cex.schedule)} steps{extra}. "
                        f"Press Next or Play to replay it.{off_goal}")
        return res
