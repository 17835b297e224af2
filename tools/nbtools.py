"""Notebook tooling: build notebooks from their sources, make student versions, execute in place.

Sources
-------
Every notebook is written as a small Markdown file in ``tools/nbsrc/`` (diffable, reviewable):

* Markdown text is a markdown cell. A line ``+++`` ends a markdown cell; ``+++ {json}`` also sets the
  metadata of the next markdown cell (the MyST-NB convention).
* A fenced block opened by a line of three backticks plus ``python`` (optionally followed by a JSON
  object) is one code cell. The JSON may hold ``tags`` (a list), ``slide`` (a RISE slide type) and
  ``nbgrader``: ``"solution"`` or ``"tests"`` with ``id`` and, for tests, ``points``.
* Headings (``#``/``##``) start a RISE slide; other cells continue it (``slide`` overrides).
* A first line ``<!-- target: solutions/06_who_frees.ipynb -->`` says where the notebook goes
  (default: ``notebooks/<name>.ipynb``).

Student versions
----------------
``student_version(nb)`` replaces the code between nbgrader's ``### BEGIN SOLUTION`` and
``### END SOLUTION`` lines with ``# YOUR CODE HERE`` (the ``code_stub`` set in
``tools/nbgrader_config.py``; nbgrader's ``generate_assignment`` makes the same cells), clears the
outputs, and tags every autograded test cell ``raises-exception``: there the check raises
``Unanswered`` with a hint, and nbval expects that error.

Execution
---------
``execute(path)`` runs a notebook top to bottom in a fresh kernel (the current interpreter's
``python3`` kernel) with nbclient, without timing metadata, and writes it back in place; outputs
are deterministic, so executing twice gives identical files.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import re
import time
import uuid
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NBSRC = ROOT / "tools" / "nbsrc"
NOTEBOOKS = ROOT / "notebooks"
KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
CODE_STUB = "# YOUR CODE HERE"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
FENCE = re.compile(r"^```python\s*(\{.*\})?\s*$")
SEP = re.compile(r"^\+\+\+\s*(\{.*\})?\s*$")


# ---------------------------------------------------------------------------- parse + build
def parse(text: str, name: str) -> tuple[str, list[dict]]:
    """Source text -> (target path relative to notebooks/, list of cell dicts)."""
    lines = text.splitlines()
    target = f"{name}.ipynb"
    if lines and lines[0].startswith("<!-- target:"):
        target = lines[0].split("target:", 1)[1].split("-->")[0].strip()
        lines = lines[1:]
    cells: list[dict] = []
    md: list[str] = []
    md_meta: dict = {}

    def flush_md():
        nonlocal md, md_meta
        body = "\n".join(md).strip("\n")
        if body.strip():
            cells.append({"type": "markdown", "source": body, "meta": md_meta})
        md, md_meta = [], {}

    i = 0
    while i < len(lines):
        line = lines[i]
        m = FENCE.match(line)
        s = SEP.match(line)
        if m:
            flush_md()
            meta = json.loads(m.group(1)) if m.group(1) else {}
            body = []
            i += 1
            while i < len(lines) and lines[i].rstrip() != "```":
                body.append(lines[i])
                i += 1
            if i >= len(lines):
                raise ValueError(f"{name}: unclosed code fence")
            cells.append({"type": "code", "source": "\n".join(body), "meta": meta})
        elif s:
            flush_md()
            md_meta = json.loads(s.group(1)) if s.group(1) else {}
        else:
            md.append(line)
        i += 1
    flush_md()
    return target, cells


def _nbgrader_meta(kind: str, grade_id: str, points) -> dict:
    if kind == "solution":
        return {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3,
                "solution": True, "task": False}
    if kind == "tests":
        return {"grade": True, "grade_id": grade_id, "locked": True, "points": points, "schema_version": 3,
                "solution": False, "task": False}
    raise ValueError(f"nbgrader: unknown cell kind {kind!r}; allowed: solution, tests")


def build(src: Path) -> tuple[Path, nbformat.NotebookNode]:
    """Build the (unexecuted) notebook of one source file."""
    name = src.stem
    target, cells = parse(src.read_text(), name)
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": dict(KERNEL),
                   "language_info": {"name": "python"},
                   "rise": {"scroll": True, "enable_chalkboard": False, "transition": "none"}}
    stem = Path(target).stem
    for k, c in enumerate(cells):
        meta = dict(c["meta"])
        src_text = c["source"]
        md = {}
        slide = meta.pop("slide", None)
        if slide is None:
            slide = "slide" if (c["type"] == "markdown" and src_text.lstrip().startswith("#")) else "-"
        md["slideshow"] = {"slide_type": slide}
        tags = list(meta.pop("tags", []))
        kind = meta.pop("nbgrader", None)
        if kind is not None:
            md["nbgrader"] = _nbgrader_meta(kind, meta.pop("id"), meta.pop("points", 0))
        if meta:
            raise ValueError(f"{name}: cell {k}: unknown cell options {sorted(meta)}")
        if tags:
            md["tags"] = tags
        cid = f"{stem[:24]}-{k:02d}".replace("_", "-")
        if c["type"] == "markdown":
            src_text, attachments = _attach(src_text, name)
            cell = nbformat.v4.new_markdown_cell(src_text, metadata=md, id=cid)
            if attachments:
                cell.attachments = attachments
        else:
            cell = nbformat.v4.new_code_cell(src_text, metadata=md, id=cid)
        nb.cells.append(cell)
    return NOTEBOOKS / target, nb


ATTACH = re.compile(r"!\[([^\]]*)\]\(attach:([^)]+)\)")


def _attach(text: str, name: str) -> tuple[str, dict]:
    """``![alt](attach:docs/img/x.png)`` (a path from the repository root) becomes a cell attachment, so
    the picture travels inside the notebook: offline, in slides, outside JupyterLab's root directory."""
    attachments = {}

    def repl(m):
        path = ROOT / m.group(2)
        if not path.exists():
            raise ValueError(f"{name}: attached image {m.group(2)} not found")
        attachments[path.name] = {"image/png": base64.b64encode(path.read_bytes()).decode("ascii")}
        return f"![{m.group(1)}](attachment:{path.name})"

    return ATTACH.sub(repl, text), attachments


def sources() -> list[Path]:
    return sorted(NBSRC.glob("*.md"))


def same_cells(a: nbformat.NotebookNode, b: nbformat.NotebookNode) -> list[str]:
    """Differences in cell type, source and metadata (outputs and execution counts ignored)."""
    diffs = []
    if len(a.cells) != len(b.cells):
        diffs.append(f"{len(a.cells)} cells vs {len(b.cells)}")
    for k, (x, y) in enumerate(zip(a.cells, b.cells)):
        if x.cell_type != y.cell_type or x.source != y.source:
            diffs.append(f"cell {k}: source differs")
        elif sorted(x.get("attachments", {})) != sorted(y.get("attachments", {})):
            diffs.append(f"cell {k}: attachments differ")  # names only: a retaken screenshot is no drift
        elif dict(x.metadata) != dict(y.metadata):
            diffs.append(f"cell {k}: metadata differs")
    return diffs


# ---------------------------------------------------------------------------- student versions
def strip_solution(source: str) -> str:
    """Replace each BEGIN/END SOLUTION region (markers included) with the code stub."""
    out, inside, indent = [], False, ""
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError("nested ### BEGIN SOLUTION")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + CODE_STUB)
        elif stripped == END:
            if not inside:
                raise ValueError("### END SOLUTION without BEGIN")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError("### BEGIN SOLUTION without END")
    return "\n".join(out)


def is_graded_test(cell) -> bool:
    g = cell.metadata.get("nbgrader", {})
    return bool(g.get("grade")) and not g.get("solution")


def student_version(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student version of a solution notebook (outputs cleared; run it to fill them)."""
    st = copy.deepcopy(nb)
    for cell in st.cells:
        if cell.cell_type != "code":
            continue
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = strip_solution(cell.source)
        elif BEGIN in cell.source:
            raise ValueError(f"cell {cell.get('id')}: solution markers outside a solution cell")
        if is_graded_test(cell):
            tags = list(cell.metadata.get("tags", []))
            if "raises-exception" not in tags:
                tags.append("raises-exception")
            cell.metadata["tags"] = tags
        cell.outputs = []
        cell.execution_count = None
    return st


def student_path(solution: Path) -> Path:
    return NOTEBOOKS / "exercises" / solution.name


# ---------------------------------------------------------------------------- execution
def execute(path: Path, timeout: int = 120) -> float:
    """Execute a notebook in place in a fresh kernel; returns the wall seconds from the kernel start
    to the end of the last cell."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env_before = os.environ.get("NBGRADER_EXECUTION")
    os.environ.pop("NBGRADER_EXECUTION", None)
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                                record_timing=False, resources={"metadata": {"path": str(path.parent)}})
        t0 = time.perf_counter()  # from the kernel start: "after a restart"
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            seconds = time.perf_counter() - t0
    finally:
        if env_before is not None:
            os.environ["NBGRADER_EXECUTION"] = env_before
    unexpected = [c for c in nb.cells if c.cell_type == "code"
                  and any(o.output_type == "error" for o in c.outputs)
                  and "raises-exception" not in c.metadata.get("tags", [])]
    if unexpected:
        err = next(o for o in unexpected[0].outputs if o.output_type == "error")
        raise RuntimeError(f"{path.name}: cell {unexpected[0].get('id')} raised {err.ename}: {err.evalue}")
    missing = [c for c in nb.cells if c.cell_type == "code"
               and "raises-exception" in c.metadata.get("tags", [])
               and not any(o.output_type == "error" for o in c.outputs)]
    if missing:
        raise RuntimeError(f"{path.name}: cell {missing[0].get('id')} is tagged raises-exception but did not raise")
    for cell in nb.cells:  # widget state and transient ids are not content
        for k, o in enumerate(cell.get("outputs", [])):
            o.get("metadata", {}).pop("transient", None)
            view = o.get("data", {}).get(WIDGET_VIEW)
            if view:  # a random id of a model that is not saved: make it stable so files do not churn
                view["model_id"] = uuid.uuid5(uuid.NAMESPACE_URL, f"{path.name}/{cell.get('id')}/{k}").hex
        if cell.cell_type == "code":
            cell.outputs = coalesce_streams(cell.outputs)
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return seconds


def coalesce_streams(outputs: list) -> list:
    """Merge consecutive stream outputs of the same name: how a stream is chunked depends on timing."""
    out: list = []
    for o in outputs:
        if out and o.output_type == "stream" and out[-1].output_type == "stream" and out[-1].name == o.name:
            out[-1].text += o.text
        else:
            out.append(o)
    return out


MAIN_GLOB = "[0-9][0-9]*_*.ipynb"  # 00_overview ... 09_what_was_left, and an inserted 00b_primer


def main_notebooks() -> list[Path]:
    """The main path in reading order (``00b_primer`` sorts between ``00_overview`` and ``01_io_end``)."""
    return sorted(NOTEBOOKS.glob(MAIN_GLOB))


def all_notebooks() -> list[Path]:
    """Every committed notebook we own (stepper.ipynb belongs to the widgets issue)."""
    paths = main_notebooks()
    paths += sorted((NOTEBOOKS / "solutions").glob("*.ipynb"))
    paths += sorted((NOTEBOOKS / "exercises").glob("*.ipynb"))
    return paths
