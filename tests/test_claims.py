"""The claims register (docs/claims.md) and the commit table of docs/glossary.md keep up with the texts.

* Every kernel commit id named in a notebook source, in docs/*.md, the README or DESIGN.md is in the
  glossary's table of commits, with a one-line description.
* Every claim tag (``[K20]``) in a notebook source names a row of the register, and the row's "cited in"
  column lists exactly the notebooks that cite it.
* Every markdown paragraph, bullet or table row of a notebook source that names a kernel commit carries
  a claim tag: a sentence about a commit is a kernel claim and must say where it comes from.
* Every row has a claim, a source and a status (V, I or M, possibly qualified).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import nbtools  # noqa: E402

DOCS = ROOT / "docs"
SOURCES = nbtools.sources()
TEXTS = sorted(DOCS.glob("*.md")) + [ROOT / "README.md", ROOT / "DESIGN.md"]

# A kernel commit id as the texts write it: 7 to 40 lower-case hex digits with at least one digit and one
# letter, so that neither a plain number (100000) nor a word made of hex letters ("decade") counts.
COMMIT = re.compile(r"(?<![0-9A-Za-z_#])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,40}(?![0-9A-Za-z_])")
TAG = re.compile(r"\[(K\d\d)\]")
ROW = re.compile(r"^\| (K\d\d) \|(.*)\|\s*$")


def short(src: Path) -> str:
    """``tools/nbsrc/03_hang.md`` -> ``03``; ``ex03_hang.md`` -> ``ex03``."""
    return src.stem.split("_")[0]


def register() -> dict[str, dict]:
    rows = {}
    for line in (DOCS / "claims.md").read_text().splitlines():
        m = ROW.match(line)
        if not m:
            continue
        cells = [c.strip() for c in m.group(2).split(" | ")]
        assert len(cells) == 5, f"{m.group(1)}: expected claim | source | status | kf | cited in, got {cells}"
        claim, source, status, kf, cited = cells
        assert m.group(1) not in rows, f"{m.group(1)} appears twice"
        rows[m.group(1)] = {"claim": claim, "source": source, "status": status, "kf": kf,
                            "cited": set() if cited == "-" else {c.strip() for c in cited.split(",")}}
    return rows


def glossary_commits() -> dict[str, str]:
    out = {}
    text = (DOCS / "glossary.md").read_text()
    table = text.split("## Commits", 1)[1]
    for line in table.splitlines():
        m = re.match(r"^\| `([0-9a-f]{7,40})` \|(.*)\|\s*$", line)
        if m:
            out[m.group(1)] = m.group(2).split(" | ")[-1].strip()
    return out


def markdown_units(src: Path) -> list[str]:
    """The paragraphs, bullets and table rows of a source's markdown cells (headings are left out)."""
    _, cells = nbtools.parse(src.read_text(), src.stem)
    units: list[str] = []
    for cell in cells:
        if cell["type"] != "markdown":
            continue
        current: list[str] = []
        for line in cell["source"].splitlines() + [""]:
            starts = re.match(r"^(\s*[*-] |\s*\d+\. |\||#)", line)
            if not line.strip() or starts:
                if current:
                    units.append(" ".join(current))
                current = [] if not line.strip() or line.startswith("#") else [line.strip()]
            else:
                current.append(line.strip())
    return units


def commits_in(text: str) -> set[str]:
    return set(COMMIT.findall(text))


# ---------------------------------------------------------------------------- the tests
def test_the_commit_pattern_finds_commit_ids_and_nothing_else():
    found = commits_in("28a535f9 and `c278531d`, 266991b1's fix; not 100000, 0x10, decade, #D55E00 or 1.2e3x")
    assert found == {"28a535f9", "c278531d", "266991b1"}


def test_every_commit_named_anywhere_is_in_the_glossary_with_a_description():
    known = glossary_commits()
    assert len(known) >= 12
    missing = {}
    for path in [*SOURCES, *TEXTS]:
        for c in commits_in(path.read_text()):
            if not any(k.startswith(c) or c.startswith(k) for k in known):
                missing.setdefault(c, path.name)
    assert missing == {}, f"commit ids not in docs/glossary.md (## Commits): {missing}"
    empty = [c for c, line in known.items() if len(line.split()) < 4]
    assert empty == [], f"glossary commits without a one-line description: {empty}"


def test_every_register_row_has_a_claim_a_source_and_a_status():
    rows = register()
    assert len(rows) >= 40
    for cid, row in rows.items():
        assert len(row["claim"].split()) >= 8, cid
        assert row["source"] not in ("", "-"), f"{cid} has no source"
        assert re.match(r"^[VIM]\b", row["status"]), f"{cid}: status {row['status']!r} is not V, I or M"
        # a source names a commit, a file or a version
        assert (commits_in(row["source"]) or re.search(r"\.[ch]\b|v\d\.\d|xfstests|kernel", row["source"])), cid


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.name)
def test_every_claim_tag_in_a_notebook_is_registered_for_it(src):
    rows = register()
    tags = set(TAG.findall(src.read_text()))
    unknown = sorted(tags - set(rows))
    assert unknown == [], f"{src.name} cites claims that docs/claims.md does not have: {unknown}"
    unlisted = sorted(t for t in tags if short(src) not in rows[t]["cited"])
    assert unlisted == [], f"docs/claims.md does not list {short(src)} as citing {unlisted}"


def test_the_register_lists_only_notebooks_that_cite_the_claim():
    rows = register()
    by_short = {short(s): s for s in SOURCES}
    wrong = []
    for cid, row in rows.items():
        for nb in row["cited"]:
            assert nb in by_short, f"{cid}: 'cited in' names {nb}, which is no notebook source"
            if f"[{cid}]" not in by_short[nb].read_text():
                wrong.append((cid, nb))
    assert wrong == [], f"docs/claims.md says these notebooks cite these claims, but they do not: {wrong}"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.name)
def test_every_sentence_about_a_commit_carries_a_claim_tag(src):
    untagged = [u for u in markdown_units(src) if commits_in(u) and not TAG.search(u)]
    assert untagged == [], f"{src.name}: name a commit without a claim tag:\n" + "\n".join(untagged)


def test_main_notebooks_cite_claims():
    """Every main notebook but the overview's map states kernel facts; each must tag some."""
    for src in SOURCES:
        if src.stem[0].isdigit():
            assert TAG.search(src.read_text()), f"{src.name} cites no claim"
