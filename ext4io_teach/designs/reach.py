"""Which steps a design can take: reachability from its roles' entry points.

A step method names the program counters it may go to as string constants (``t.pc = "C.loop"``,
``self.take_spin(w, t, "A.splice")``, ``self.call(t, "eio.convert", "B.done")``) or as the design's
class constants (``self.FLUSH_ENTRY``). ``targets`` reads a method's source once (``ast``) and
collects every such pc, following the helper methods it calls through ``self`` (``take_mutex``,
``call_flush``, ``rmw`` ...) and ``super()``. A branch whose test is a class constant of the design
(``if self.READER_TAKES_I_MUTEX:``, ``"eio.clear" if self.END_IO_CLEARS_UNWRITTEN else "eio.aio"``,
also under ``not``/``and``/``or``) is followed only where the constant sends it; every other branch
is followed both ways (it depends on the run). ``reachable`` walks from the entry points.

So the set is an over-approximation where a run decides and exact where the design decides: the
listing of ``new`` has no ``eio.clear`` (only a v3.6 ``ext4_end_io_nolock`` clears UNWRITTEN) and
that of ``c278531d`` no reader lock steps. tests/test_reach.py checks that seeded runs of every
design and scenario never step from a pc the listing leaves out. A method whose source cannot be
read (defined where ``inspect`` finds no file) counts as reaching every pc: nothing is hidden.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

_CACHE: dict = {}


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
        todo.extend(p for p in targets(design, table[pc][0].method) if p not in seen)
    return frozenset(seen)


def targets(design, name: str) -> frozenset:
    """The pcs method ``name`` of the design (and the helpers it calls) may go to."""
    cls = type(design)
    key = (cls, name)
    if key not in _CACHE:
        _CACHE[key] = frozenset()  # a helper that (indirectly) calls itself
        _CACHE[key] = _scan(design, cls, name)
    return _CACHE[key]


def _scan(design, cls, name: str) -> frozenset:
    defs = [vars(k)[name] for k in cls.__mro__ if name in vars(k)]
    return _scan_function(design, defs[0]) if defs else frozenset()


def _scan_function(design, fn) -> frozenset:
    """The pcs ``fn`` names, and those of the helpers it calls through ``self`` and ``super()``."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return frozenset(design.table)
    scan = _Scan(design)
    scan.visit(tree)
    cls = type(design)
    out = set(scan.pcs)
    for helper in scan.calls:
        if callable(getattr(cls, helper, None)):
            out |= targets(design, helper)
    for name in scan.supers:  # super().name(...): every other definition along the MRO
        for k in cls.__mro__:
            other = vars(k).get(name)
            if other is not None and other is not fn:
                out |= _scan_function(design, other)
    return frozenset(out)


class _Scan(ast.NodeVisitor):
    """Collects pcs named in a function body, skipping branches a class constant rules out."""

    def __init__(self, design):
        self.design = design
        self.pcs: set = set()
        self.calls: set = set()  # self.<name>(...)
        self.supers: set = set()  # super().<name>(...)

    def _branches(self, test, body, orelse) -> None:
        self.visit(test)
        value = _truth(self.design, test)
        for part, taken in ((body, value is not False), (orelse, value is not True)):
            if taken:
                for node in part if isinstance(part, list) else [part]:
                    self.visit(node)

    def visit_If(self, node: ast.If) -> None:
        self._branches(node.test, node.body, node.orelse)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self._branches(node.test, node.body, node.orelse)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and node.value in self.design.table:
            self.pcs.add(node.value)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Name) and node.value.id == "self":
            value = getattr(self.design, node.attr, None)
            if isinstance(value, str) and value in self.design.table:
                self.pcs.add(value)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        f = node.func
        if isinstance(f, ast.Attribute):
            if isinstance(f.value, ast.Name) and f.value.id == "self":
                self.calls.add(f.attr)
            elif isinstance(f.value, ast.Call) and isinstance(f.value.func, ast.Name) and f.value.func.id == "super":
                self.supers.add(f.attr)
        self.generic_visit(node)


def _truth(design, test):
    """True / False when a class constant of the design decides ``test``; None when a run does."""
    if isinstance(test, ast.Attribute) and isinstance(test.value, ast.Name) and test.value.id == "self" \
            and test.attr.isupper():
        return bool(getattr(design, test.attr, False))
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _truth(design, test.operand)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        values = [_truth(design, v) for v in test.values]
        if isinstance(test.op, ast.And):
            return False if False in values else (True if all(v is True for v in values) else None)
        return True if True in values else (False if all(v is False for v in values) else None)
    return None
