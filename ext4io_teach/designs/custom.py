"""Your own design variant, written in a notebook cell: subclass a design, override a step, register it.

A variant is written as the package's own broken variants are (``designs/mutants.py``): a subclass of a
design whose class body overrides one step method (the method keeps its program counter, its label and
its guard; only the behaviour changes) and names itself::

    class QueueWhenNonEmpty(e4.design_class("new")):
        name = "queue-when-nonempty"
        def add_test(self, w, t):                # ext4_add_complete_io's test, turned round
            if w.inode.completed:
                return self.mark_queued(w, t, "list not empty: set QUEUED on")
            return self.add_only(w, t, "list empty (no work queued)")

    e4.register_variant(QueueWhenNonEmpty)     # now "queue-when-nonempty" is a design name

From then on, in this Python process (the notebook's kernel), the name works wherever a design name does:
``e4.run``, ``e4.Run``, the explorer (``explore``, ``check``), the stepper (widget and ``print(run)``),
the pictures and the crash view. It is not saved anywhere: a new kernel knows only the package's designs.

``register_variant`` checks the class before anything runs it, and says what is wrong in one line
(``ValueError`` naming the parameter): a class that is not a design; a name missing, malformed or
taken (re-running the cell that defines a variant replaces it; another class under a taken name needs
``replace=True``, and the package's own names are never replaced); a method that is no step of the
design (a misspelt ``add_tset``), a behaviour switch the design does not have, a step method with the
wrong parameters, a ``t.pc`` that names no step; and then short runs of every scenario (round robin and
eight seeds, N = 1 to 3, no invariants checked) in which a step that crashes (an unknown pc, a wrong
return value, an unknown cost kind) is reported with where it happened. An invariant the variant breaks is not an
error: that is what the explorer is for.
"""

from __future__ import annotations

import ast
import difflib
import inspect
import re
import textwrap

from ..errors import InvariantViolation, bad_input, shown
from .base import Design

NAME_RE = re.compile(r"[a-z0-9][a-z0-9.+-]{0,39}")
NAME_ALLOWED = "lower-case letters, digits, '-', '+' or '.', at most 40 characters, e.g. 'queue-when-nonempty'"
PC_RE = re.compile(r"[A-Za-z]+\.[A-Za-z_]+")  # how every program counter of the tables looks
SMOKE_SEEDS = tuple(range(8))
SMOKE_IOS = (1, 2, 3)
SMOKE_STEPS = 400
CLASS_ALLOWED = "a subclass of a design, e.g. class Mine(e4.design_class('new')): ..."

USER: dict[str, type] = {}  # the variants registered through here, by name (the package's own are not)


def design_class(name: str) -> type[Design]:
    """The class of design ``name``, to subclass: ``class Mine(e4.design_class("new")): ...``."""
    from . import get_design

    return type(get_design(name))


def _package_class(cls: type) -> type:
    """The nearest class along the MRO that the package defines: what the variant changes."""
    return next(k for k in cls.__mro__ if k.__module__.startswith("ext4io_teach."))


def _own_attrs(cls: type, base: type) -> dict:
    """Attributes the student's classes (between ``cls`` and ``base``) define, most derived first."""
    out: dict = {}
    for k in cls.__mro__:
        if k is base:
            break
        for name, value in vars(k).items():
            out.setdefault(name, value)
    return out


def _check_name(cls, replace: bool) -> str:
    from . import DESIGNS, design_names

    name = vars(cls).get("name")
    if name is None:
        raise bad_input("name", f"{cls.__name__} has no name of its own (it would take over "
                        f"{getattr(cls, 'name', '?')!r})", f"a class attribute name = '...': {NAME_ALLOWED}")
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise bad_input("name", f"{shown(name)} is not a design name", NAME_ALLOWED)
    if name in design_names():
        old = DESIGNS[name]
        if USER.get(name) is not old:
            raise bad_input("name", f"{name!r} is taken by one of the package's designs", "a name of your own")
        same_cell = (old.__qualname__, old.__module__) == (cls.__qualname__, cls.__module__)
        if not (replace or same_cell):
            raise bad_input("name", f"{name!r} is taken by your variant class {old.__name__}",
                            "another name, or register_variant(..., replace=True) to replace it")
    return name


def _check_attrs(cls, base) -> None:
    """Every method a step method of ``base`` (an override) or one of its helpers; every switch one it has."""
    steps = {spec.method: spec for spec in base._pcs.values()}
    for attr, value in _own_attrs(cls, base).items():
        if attr.startswith("_") or attr in ("name", "title", "summary", "change", "account"):
            continue
        fn = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
        if inspect.isfunction(fn):
            if getattr(fn, "_spec", None) is not None:
                continue  # a step of its own, declared with @step: the table check below sees it
            if attr in steps:
                _check_params(cls, attr, fn, steps[attr].pc)
            elif not callable(getattr(base, attr, None)):
                near = difflib.get_close_matches(attr, list(steps), 1)
                raise bad_input("design", f"{cls.__name__}.{attr} is no step method of {base.name}"
                                + (f" (did you mean {near[0]}?)" if near else ""),
                                "an override of a step method (e4.get_design(...).listing() names them), or a "
                                "helper whose name starts with '_'")
        elif attr.isupper() and not hasattr(base, attr):
            near = difflib.get_close_matches(attr, [a for a in dir(base) if a.isupper()], 1)
            raise bad_input("design", f"{cls.__name__}.{attr} is no behaviour switch of {base.name}"
                            + (f" (did you mean {near[0]}?)" if near else ""), "a switch the design has")


def _check_params(cls, attr: str, fn, pc: str) -> None:
    params = list(inspect.signature(fn).parameters)
    if len(params) != 3:
        raise bad_input("design", f"{cls.__name__}.{attr} (step {pc}) takes ({', '.join(params)})",
                        "a step method takes (self, w, t): the World and the task")


def _named_pcs(fn) -> set:
    """String constants in ``fn`` that look like program counters (``"add.queue"``); none if no source."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return set()
    docs = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}  # docstrings name no pc
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docs and PC_RE.fullmatch(n.value)}


def _declared(design, spec):
    """The pcs step ``spec`` declares it may go to (``@step(..., next=...)``), or None where steps declare none."""
    if getattr(spec, "next", None) is None:
        return None
    from .reach import resolve

    return {resolve(design, entry, spec.pc) for entry in spec.next} - {None}


def _check_table(cls, base, design) -> None:
    """Every pc an overridden step names is in the table, and declared by its step where steps declare where
    they go; every step of the variant's own is reachable."""
    table = design.table
    by_method = {spec.method: spec for spec in cls._pcs.values()}
    for attr, value in _own_attrs(cls, base).items():
        if not inspect.isfunction(value):
            continue
        named = _named_pcs(value)
        for pc in sorted(named - set(table)):
            near = difflib.get_close_matches(pc, list(table), 1)
            raise bad_input("design", f"{cls.__name__}.{attr} names the pc {pc!r}, which is no step of the table"
                            + (f" (did you mean {near[0]}?)" if near else ""), "a pc of the table, or 'done'")
        spec = by_method.get(attr)
        declared = None if spec is None else _declared(design, spec)
        if declared is not None and named - declared:
            pc = sorted(named - declared)[0]
            raise bad_input("design", f"{cls.__name__}.{attr} goes to {pc!r}, which step {spec.pc} does not declare "
                            f"(next: {', '.join(sorted(declared)) or 'none'})",
                            f"@also_next({pc!r}) on the method, or the step redeclared with @step(..., next=...)")
    new = [pc for pc in cls._pcs if pc not in base._pcs]
    if new:
        reach = design.reachable()
        dead = [pc for pc in new if pc not in reach]
        if dead:
            raise bad_input("design", f"{cls.__name__}'s step {dead[0]!r} is never reached: no step goes to it",
                            "a step that another step's t.pc names")


def _known_kinds() -> frozenset:
    try:
        from .kinds import KINDS  # the step kinds once they are declared with the designs
    except ImportError:
        from ..costs import KINDS
    return frozenset(KINDS) | {"violation"}


def _smoke(name: str) -> None:
    """Short runs of every scenario; a step that crashes (anything but an invariant) is reported."""
    from ..scenarios import scenario_names
    from ..sched import run

    kinds = _known_kinds()
    for scenario in scenario_names():
        for n in SMOKE_IOS:
            for seed in (None, *SMOKE_SEEDS):
                where = f"a run of {scenario} (N={n}, {'round robin' if seed is None else f'seed {seed}'})"
                try:
                    res = run(scenario, name, n, seed=seed, max_steps=SMOKE_STEPS, checks=())
                except InvariantViolation:  # pragma: no cover - run() reports these as its outcome
                    continue
                except Exception as e:  # noqa: BLE001 - any crash of a student's step is the message
                    raise bad_input("design", f"{name}: {where} crashed: {type(e).__name__}: {e}",
                                    "step methods that set t.pc to a step of the table (or 'done') and return "
                                    "(kind, text, io)") from e
                for rec in res.steps:
                    if not (isinstance(rec.kind, str) and rec.kind in kinds and isinstance(rec.action, str)):
                        raise bad_input("design", f"{name}: in {where} step {rec.i} returned kind {shown(rec.kind)}, "
                                        f"text {shown(rec.action)}", f"(kind, text, io) with a kind of: "
                                        f"{', '.join(sorted(kinds - {'violation'}))}")


def _label(cls, base) -> None:
    """A variant is no kernel's code: it says so wherever a design is credited, unless it has its own words."""
    own = vars(cls)
    if "title" not in own:
        cls.title = f"your variant of {base.name} ({cls.__name__}, written in a cell)"
    if "commit" not in own:
        cls.commit = ""
    if "counterfactual" not in own:
        cls.counterfactual = True


def register_variant(cls, *, replace: bool = False):
    """Check ``cls`` (a subclass of a design, with a ``name`` of its own) and register it under its name for
    this Python process; returns the class, so it also works as a decorator. ValueError, in one line, for
    anything that would break a run (see the module's docstring)."""
    from . import DESIGNS

    if not (isinstance(cls, type) and issubclass(cls, Design)) or cls is Design:
        raise bad_input("design", f"{shown(cls)} is not a design class", CLASS_ALLOWED)
    base = _package_class(cls)
    if base is cls:
        raise bad_input("design", f"{cls.__name__} is one of the package's own classes", CLASS_ALLOWED)
    if not isinstance(replace, bool):
        raise bad_input("replace", f"{shown(replace)} is not true or false", "true or false")
    name = _check_name(cls, replace)
    _check_attrs(cls, base)
    try:
        design = cls()
    except Exception as e:  # noqa: BLE001
        raise bad_input("design", f"{cls.__name__}() failed: {type(e).__name__}: {e}", CLASS_ALLOWED) from e
    _check_table(cls, base, design)
    _label(cls, base)
    previous = DESIGNS.get(name)
    DESIGNS[name] = cls
    USER[name] = cls
    try:
        _smoke(name)
    except ValueError:
        if previous is None:
            del DESIGNS[name], USER[name]
        else:
            DESIGNS[name] = USER[name] = previous
        raise
    return cls


def unregister_variant(name: str) -> None:
    """Forget a variant registered with ``register_variant`` (the package's own designs stay)."""
    from . import DESIGNS

    if not isinstance(name, str) or name not in USER:
        raise bad_input("name", f"{shown(name)} is no variant of yours", ", ".join(USER) or "none registered")
    del DESIGNS[name], USER[name]


__all__ = ["design_class", "register_variant", "unregister_variant", "USER"]
