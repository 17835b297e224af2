"""Invariant cards: which invariant the stepper shows where, and which ones the last step checked.

Cards are grouped by the flush stage the invariant is about (``Invariant.stage`` in
``ext4io_teach.invariants``). A card is in one of four states:

* ``off``: not checked for this design (the old design breaks the new protocol's rules on purpose);
* ``ok``: enabled, holds;
* ``checked``: enabled, holds, and the last step performed an action this invariant guards;
* ``broken``: the last step broke it (the card shows the model's plain-words account).

Which actions guard which invariant follows the World's primitives: a free checks the free rules,
a list operation the list rules, and so on (``Kind.checks``, ``designs/kinds.py``); ``state``
invariants are checked after every step.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import invariants
from ..designs.kinds import KINDS

STAGE_ORDER = ("add", "A", "B", "C", "D", "worker", "any")
STAGE_TITLES = {"add": "completion (add)", "A": "stage A", "B": "stage B", "C": "stage C", "D": "stage D",
                "worker": "worker", "any": "everywhere"}

@dataclass(frozen=True)
class Card:
    name: str
    stage: str
    state: str  # off | ok | checked | broken
    summary: str
    kind: str
    account: str = ""  # the violation's plain-words message when broken


def checked_by(record, checks: frozenset, finished: bool) -> set[str]:
    """The enabled invariants the step ``record`` (a StepRecord, or None before any step) checked."""
    if record is None:
        return set()
    kind = KINDS.get(record.kind)
    names = set(kind.checks) if kind is not None else set()
    if record.io is not None:
        names.add("no-use-after-free")
    names |= {n for n, inv in invariants.REGISTRY.items() if inv.scope == "state"}
    if finished:
        names |= {n for n, inv in invariants.REGISTRY.items() if inv.scope == "final"}
    return names & set(checks)


def cards(checks: frozenset, checked: set[str], violation=None) -> dict[str, list[Card]]:
    """Cards grouped by stage, in ``STAGE_ORDER``; every registered invariant appears once."""
    groups: dict[str, list[Card]] = {s: [] for s in STAGE_ORDER}
    broken = violation.invariant if violation is not None else None
    for name, inv in invariants.REGISTRY.items():
        if name == broken:
            state, account = "broken", violation.message
        elif name not in checks:
            state, account = "off", ""
        else:
            state, account = ("checked" if name in checked else "ok"), ""
        groups.setdefault(inv.stage, []).append(Card(name, inv.stage, state, inv.summary, inv.kind, account))
    return {s: cs for s, cs in groups.items() if cs}
