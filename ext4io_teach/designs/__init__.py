"""Designs by name. Every name runs in every scenario, in the scheduler, the CLI and the stepper.

``register`` lets ``designs/mutants.py`` (the broken variants) add its names to the same table.
"""

from __future__ import annotations

from ..errors import bad_input, shown
from .base import Design
from .new import C278531d, D02d262df, NewDesign
from .old import OldBlocking, OldDesign, OldWith02d262dfPunch

DESIGNS: dict[str, type[Design]] = {}


def register(cls: type[Design]) -> type[Design]:
    DESIGNS[cls.name] = cls
    return cls


for _cls in (OldDesign, OldBlocking, NewDesign, C278531d, D02d262df, OldWith02d262dfPunch):
    register(_cls)


def _load_variants() -> None:
    try:
        from . import mutants  # noqa: F401  (registers the broken variants)
    except ImportError:  # pragma: no cover - the module is optional while it is being written
        pass


def design_names() -> list[str]:
    _load_variants()
    return list(DESIGNS)


def get_design(name: str) -> Design:
    """A fresh design instance; ValueError naming the allowed designs for an unknown name."""
    _load_variants()
    if not isinstance(name, str) or name not in DESIGNS:
        raise bad_input("design", f"unknown design {shown(name)}", ", ".join(DESIGNS))
    return DESIGNS[name]()


__all__ = ["DESIGNS", "Design", "get_design", "design_names", "register"]
