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
