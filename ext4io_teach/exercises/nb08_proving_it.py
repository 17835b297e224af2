"""Notebook 08 (proving it): which broken variants one scenario cannot catch, and fix the V2 reconstruction's
placement table until the explorer proves it safe. (The seeded "which invariant breaks first" is in
``nb08_first_broken``.)"""

from __future__ import annotations

import re

from . import giveaway as g
from .feedback import Incorrect
from .registry import Exercise, add

# broken variants of the gallery (notebook 08 prints each one's verdict in its own scenario)
BLIND_CANDIDATES = ("worker-frees-unwritten", "stage-c-unlocked", "free-without-unlink", "drain-one",
                    "clear-unwritten-in-b", "worker-never-frees-own")


def blind_spots(scenario: str, ios: int) -> set[str]:
    """The candidates in which the explorer finds no consequence and no hang in ``scenario`` up to N=ios."""
    from ..explore import explore
    from ..invariants import CONSEQUENCES

    return {name for name in BLIND_CANDIDATES
            if all(explore(scenario, name, n, property="liveness", checks=CONSEQUENCES, progress=False).verdict
                   == "ok" for n in range(1, ios + 1))}


def _blind_telltales(p):
    blind = blind_spots(p["scenario"], p["ios"])
    return [g.words("each candidate next to ok or not, as a gallery table prints it",
                    *(rf"^\s*{re.escape(n)}\b[^\n]*\bok\b" if n in blind else
                      rf"^\s*{re.escape(n)}\b(?![^\n]*\bok\b)" for n in BLIND_CANDIDATES), ordered=False,
                    example="\n".join(f"{n:24} {'ok' if n in blind else 'N=1 violation'}" for n in BLIND_CANDIDATES))]


add(Exercise(
    "08-truncate-blind", "08_proving_it", "set",
    "Six broken variants of the new design (ex.BLIND_CANDIDATES; notebook 08's gallery says what each changes, and "
    "each is caught in fsync-vs-worker). Which of them can the scenario truncate-vs-dio NOT catch: the explorer "
    "finds no consequence and no hang there up to N=2? Answer a set of names.",
    "In truncate-vs-dio, who drains the completed list? When does truncate's own flush run, and what can it find "
    "on the list by then?",
    hint2="truncate flushes only after inode_dio_wait has seen i_dio_count reach 0, that is after every io_end "
    "was converted: its flush finds an empty list. So the worker is the only drainer. A change that goes wrong "
    "only when two drainers overlap (a flusher and the worker, or the worker and a completion in stage C) cannot "
    "show there.",
    explain="truncate-vs-dio has a single drainer: truncate waits for i_dio_count == 0, i.e. for every conversion, "
    "before its flush, which then finds an empty list. The variants whose harm needs a second drainer at the same "
    "time (a flusher converting an io_end while the worker settles it) look safe there; the ones that break the "
    "worker's own drain (a free without unlink, stage A taking one io_end, the worker never freeing its own) are "
    "caught by truncate-vs-dio as well [K20] [K48].",
    solve=lambda p: blind_spots(p["scenario"], p["ios"]), defaults={"scenario": "truncate-vs-dio", "ios": 2},
    universe=BLIND_CANDIDATES, telltales=_blind_telltales))

PLACE_KEYS = (("worker", True), ("worker", False), ("flusher", True), ("flusher", False))
BROKEN_PLACE = {("worker", True): "unlink", ("worker", False): "to_free",
                ("flusher", True): "to_free", ("flusher", False): "to_free"}  # flusher-frees-queued
FIXED_PLACE = {**BROKEN_PLACE, ("flusher", True): "unlink"}  # the model answer (the explorer proves it)


def design_from_table(table: dict) -> str:
    """Register (once) a variant of the new design whose stage C places each converted io_end by
    ``table[(drainer, queued)]`` (``"unlink"`` or ``"to_free"``); returns its design name."""
    from ..designs import DESIGNS, register
    from ..designs.new import NewDesign
    from ..model.flags import QUEUED

    bad = [k for k in PLACE_KEYS if table.get(k) not in ("unlink", "to_free")]
    if set(table) != set(PLACE_KEYS) or bad:
        raise Incorrect(f"expected a dict with the keys {list(PLACE_KEYS)} and the values 'unlink' or 'to_free'"
                        + (f"; wrong or missing: {bad}" if bad else ""))
    name = "table-" + "".join("u" if table[k] == "unlink" else "f" for k in PLACE_KEYS)
    if name not in DESIGNS:
        class TableDesign(NewDesign):
            def c_place(self, w, t):
                k = t.io
                io = w.use(t, k, "places")
                key = ("worker" if t.work_io is not None else "flusher", bool(io.flags & QUEUED))
                if self.TABLE[key] == "unlink":
                    w.list_del_init(t, k)
                else:
                    w.list_move(t, k, f"{t.tid}.to_free")
                t.pc = "C.loop"
                return "list", f"io#{k} ({key[0]}, QUEUED={key[1]}): {self.TABLE[key]}", k

        TableDesign.name, TableDesign.TABLE = name, dict(table)
        TableDesign.title = f"stage C placement table {name}"
        register(TableDesign)
    return name


def _goal_fix(p, table):
    from ..explore import explore
    from ..invariants import CONSEQUENCES

    if not isinstance(table, dict):
        raise Incorrect(f"expected a dict like ex.BROKEN_PLACE, got {type(table).__name__} {table!r}.")
    name = design_from_table(table)
    for scenario in ("fsync-vs-worker", "completion-storm", "truncate-vs-dio"):
        for n in range(1, p["ios"] + 1):
            res = explore(scenario, name, n, property="liveness", checks=CONSEQUENCES, progress=False)
            if res.verdict != "ok":
                raise Incorrect(f"the explorer finds a problem in {scenario} at N={n}: {res.headline()}")
    return f"the explorer proves your table safe (every consequence, and liveness) up to N={p['ios']}."


add(Exercise(
    "08-fix-variant", "08_proving_it", "fix",
    "The variant flusher-frees-queued places converted io_ends in stage C by the table ex.BROKEN_PLACE: "
    "(drainer, QUEUED?) -> 'unlink' (its worker frees it) or 'to_free' (this drainer frees it). Fix the table "
    "so that the explorer proves it safe.",
    "A QUEUED io_end's work item may still be pending or running: who is the only one that may free it?",
    "A QUEUED io_end is only unlinked, whoever drains it; its own worker frees it after clearing QUEUED in stage "
    "C. Any other io_end is freed by the drainer that converted it.",
    lambda p: dict(FIXED_PLACE), goal=_goal_fix, defaults={"ios": 2},
    hint2="Only ('flusher', True) is wrong in ex.BROKEN_PLACE: a flusher that frees a QUEUED io_end frees memory "
    "whose work item is still pending or running. Which of 'unlink' and 'to_free' leaves the free to the owner?",
    telltales=lambda p: [g.words("the fixed table as a notebook prints it", *(
        rf"{re.escape(repr(k))}\s*(?:->|:)\s*'?{v}\b" for k, v in FIXED_PLACE.items()), ordered=False,
        example="\n".join(f"{k} -> {v}" for k, v in FIXED_PLACE.items()))]))
