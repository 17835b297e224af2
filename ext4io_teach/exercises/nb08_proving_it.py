"""Notebook 08 (proving it): which variants of the new design are safe, and fix the V2 reconstruction's
placement table until the explorer proves it safe."""

from __future__ import annotations

from .feedback import Incorrect
from .registry import Exercise, add

EQUIVALENT_CANDIDATES = ("flusher-frees-queued", "stage-c-unlocked", "queue-before-flag", "drain-one",
                         "add-then-test-singular", "worker-never-frees-own")


def _equivalent(p):
    from ..explore.gallery import check_variant

    return {name for name in EQUIVALENT_CANDIDATES if check_variant(name, p["ios"])[1] is None}


add(Exercise(
    "08-equivalent", "08_proving_it", "set",
    "Six variants of the new design (ex.EQUIVALENT_CANDIDATES; each design's .title says what it changes). Which "
    "of them are actually safe: the explorer finds no consequence and no hang up to N=2? Answer a set of names.",
    "Ask what each change lets another task see. A flag that is only ever read under the spinlock can be set in "
    "any order inside the same critical section.",
    "queue-before-flag and add-then-test-singular only reorder steps inside one critical section of "
    "i_completed_io_lock; nobody can observe the order. The others free too early, lose an io_end or hang.",
    _equivalent, defaults={"ios": 2}, universe=EQUIVALENT_CANDIDATES))

PLACE_KEYS = (("worker", True), ("worker", False), ("flusher", True), ("flusher", False))
BROKEN_PLACE = {("worker", True): "unlink", ("worker", False): "to_free",
                ("flusher", True): "to_free", ("flusher", False): "to_free"}  # flusher-frees-queued


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
    lambda p: {**BROKEN_PLACE, ("flusher", True): "unlink"}, goal=_goal_fix, defaults={"ios": 2}))
