"""Which steps a design can take: reachability from its roles' entry points.

Each step declares where it may go (``@step(..., next=(...))``, ``designs/table.py``): the pcs it sets
directly or through a helper (``take_mutex`` may go to ``mx.retry``, ``rmw`` to ``rmw.store``), and the
return pcs it pushes (a pc reached by returning is declared by the step that pushed it). An entry is

* a pc (``"C.loop"``);
* the name of a design constant that holds a pc (``"FLUSH_ENTRY"``: ``A.lock`` in the new design,
  ``of.lock`` in v3.6);
* either of them followed by ``if`` and a condition on the design's switches, terms joined by ``and``,
  each perhaps negated (``"eio.clear if END_IO_CLEARS_UNWRITTEN"``,
  ``"uw.wait if FLUSH_WAITS_UNWRITTEN and not READER_TAKES_I_MUTEX"``).

So the set is an over-approximation where a run decides and exact where the design decides: the
listing of ``new`` has no ``eio.clear`` (only a v3.6 ``ext4_end_io_nolock`` clears UNWRITTEN) and
that of ``c278531d`` no reader lock steps. tests/test_reach.py checks that seeded runs of every design
and scenario never step from a pc the listing leaves out, and that every step declares each pc its
method's source names.
"""

from __future__ import annotations

from ..errors import bad_input, shown


def targets(design, spec) -> frozenset:
    """The pcs of ``design.table`` the step ``spec`` declares it may go to, under this design (every pc
    of the table if it declares nothing: a step written outside the package)."""
    if spec.next is None:
        return frozenset(design.table)
    out = set()
    for entry in spec.next:
        pc = resolve(design, entry, spec.pc)
        if pc is not None and pc in design.table:
            out.add(pc)
    return frozenset(out)


def resolve(design, entry: str, where: str = "") -> str | None:
    """The pc one ``next`` entry names under ``design``, or None if its condition rules it out."""
    target, _, condition = entry.partition(" if ")
    for term in filter(None, condition.split(" and ")):
        negated = term.startswith("not ")
        name = term[4:] if negated else term
        if not name.isupper() or not hasattr(design, name):
            raise bad_input("next", f"{shown(entry)} of step {where} tests {shown(name)}, which is no switch of "
                            f"design {design.name}", "a class constant of the design, e.g. FLUSH_WAITS_UNWRITTEN")
        if bool(getattr(design, name)) == negated:
            return None
    if target.isupper():
        return getattr(design, target)
    return target


def reachable(design, entries) -> frozenset:
    """The pcs of ``design.table`` reachable from ``entries``."""
    table = design.table
    seen: set = set()
    todo = [pc for pc in entries if pc in table]
    while todo:
        pc = todo.pop()
        if pc in seen:
            continue
        seen.add(pc)
        todo.extend(p for p in targets(design, table[pc][0]) if p not in seen)
    return frozenset(seen)
