"""The generated step listing is in sync with the code, and the glossary covers every label prefix."""

from pathlib import Path

from ext4io_teach.designs import get_design
from ext4io_teach.listing import CORE, render

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_steps_md_is_in_sync_with_the_designs():
    assert (DOCS / "steps.md").read_text() == render(), "run: python -m ext4io_teach.listing > docs/steps.md"


def test_glossary_names_every_function_used_in_step_labels():
    glossary = (DOCS / "glossary.md").read_text()
    funcs = {spec.func for name in CORE for spec in get_design(name).listing() if spec.func}
    missing = sorted(f for f in funcs if f"`{f}" not in glossary)
    assert missing == []


def test_invariants_md_is_in_sync_with_the_registry():
    from ext4io_teach.invariant_table import render as render_invariants
    from ext4io_teach.invariants import REGISTRY

    text = (DOCS / "invariants.md").read_text()
    assert text == render_invariants(), "run: python -m ext4io_teach.invariant_table > docs/invariants.md"
    for name, inv in REGISTRY.items():  # one row each, with its whole summary
        assert text.count(f"| `{name}` | {inv.summary} |") == 1, name
