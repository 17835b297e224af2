"""Notebook tooling: notebooks from their sources (jupytext), student versions (nbgrader), execution in place.

Sources
-------
Every notebook is written as a MyST Markdown notebook in ``tools/nbsrc/`` (diffable, reviewable), read by
jupytext (``md:myst``); ``to_source`` writes a notebook back in the same format:

* Markdown text is a markdown cell; a line ``+++`` ends a markdown cell; ``+++ {json}`` also sets the
  metadata of the next markdown cell.
* A fenced block ```` ```{code-cell} ipython3 ```` is a code cell; option lines right after the fence
  (``:tags: [parameters]``, ``:slide: skip``) are its metadata.
* A front matter ``target: solutions/06_who_frees_exercises.ipynb`` says where the notebook goes (default:
  ``notebooks/<name>.ipynb``).

What jupytext does not, the build adds (``build``), each a few lines:

* Slides for RISE: a markdown cell that starts with a heading starts a slide, every other cell continues
  it; ``slide: skip`` (any RISE slide type) overrides. Authors write a slide type only where it differs.
* nbgrader's cell metadata from a shorthand: ``nbgrader: solution`` or ``nbgrader: tests`` with
  ``grade_id`` and, for tests, ``points`` becomes the full ``nbgrader`` record (schema 3) that nbgrader's
  "Create Assignment" toolbar would write.
* Cell ids derived from the notebook name and the cell's position, so a rebuild does not churn them.
* ``![alt](attach:docs/img/x.png)`` (a path from the repository root) becomes a cell attachment, so the
  picture travels inside the notebook: offline, in slides, outside JupyterLab's root directory.

``tools/nbsrc_to_myst.py`` converts a source of the earlier, MyST-like format (```` ```python {json} ````
code fences, a ``<!-- target: ... -->`` first line) to this one.

Student versions
----------------
``student_versions(solutions)`` runs nbgrader's own ``generate_assignment`` (with
``tools/nbgrader_config.py``: the code stub ``# YOUR CODE HERE``) in a temporary course directory, then
tags every autograded test cell ``raises-exception``: there the check raises ``Unanswered`` with a hint,
and nbval and ``execute`` expect that error. nbgrader also locks the cells (``deletable``/``editable``) and
records checksums, as in any nbgrader release.

Execution
---------
``execute(path)`` runs a notebook top to bottom in a fresh kernel (the current interpreter's ``python3``
kernel) with nbclient, without timing metadata, and writes it back in place; outputs are deterministic, so
executing twice gives identical files.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
NBSRC = ROOT / "tools" / "nbsrc"
NOTEBOOKS = ROOT / "notebooks"
IMAGES = ROOT / "docs" / "img"  # where ``to_source`` looks up an attachment's file
NBGRADER_CONFIG = ROOT / "tools" / "nbgrader_config.py"
KERNEL = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
OPTIONS = ("slide", "tags", "nbgrader", "grade_id", "points")  # what a source may say about a cell
OLD_FENCE = re.compile(r"^```python\b.*$", re.M)


# ---------------------------------------------------------------------------- sources -> notebooks
def read_source(text: str, name: str) -> tuple[str, nbformat.NotebookNode]:
    """Source text -> (target path relative to notebooks/, jupytext's notebook: cells with the source's
    options as their metadata)."""
    old = OLD_FENCE.search(text)
    if old or text.startswith("<!-- target:"):
        raise ValueError(f"{name}: {(old.group(0) if old else 'a <!-- target: --> line')!r} is the earlier source "
                         "format; convert it with tools/nbsrc_to_myst.py (a code cell is ```{code-cell} ipython3)")
    nb = jupytext.reads(text, fmt="md:myst")
    return nb.metadata.get("target", f"{name}.ipynb"), nb


def parse(text: str, name: str) -> tuple[str, list[dict]]:
    """Source text -> (target, cells as ``{"type", "source", "meta"}``): the source as written."""
    target, nb = read_source(text, name)
    return target, [{"type": c.cell_type, "source": c.source, "meta": dict(c.metadata)} for c in nb.cells]


def _nbgrader_meta(kind: str, grade_id: str, points) -> dict:
    if kind == "solution":
        return {"grade": False, "grade_id": grade_id, "locked": False, "schema_version": 3,
                "solution": True, "task": False}
    if kind == "tests":
        return {"grade": True, "grade_id": grade_id, "locked": True, "points": points, "schema_version": 3,
                "solution": False, "task": False}
    raise ValueError(f"nbgrader: unknown cell kind {kind!r}; allowed: solution, tests")


def _default_slide(cell_type: str, source: str) -> str:
    return "slide" if (cell_type == "markdown" and source.lstrip().startswith("#")) else "-"


def _cell_metadata(options: dict, cell_type: str, source: str, where: str) -> dict:
    """A source's cell options -> the notebook cell's metadata (slideshow, nbgrader, tags)."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise ValueError(f"{where}: unknown cell options {unknown}; allowed: {', '.join(OPTIONS)}")
    md = {"slideshow": {"slide_type": options.get("slide", _default_slide(cell_type, source))}}
    if "nbgrader" in options:
        md["nbgrader"] = _nbgrader_meta(options["nbgrader"], options["grade_id"], options.get("points", 0))
    if options.get("tags"):
        md["tags"] = list(options["tags"])
    return md


def build(src: Path) -> tuple[Path, nbformat.NotebookNode]:
    """Build the (unexecuted) notebook of one source file."""
    name = src.stem
    target, jt = read_source(src.read_text(), name)
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": dict(KERNEL),
                   "language_info": {"name": "python"},
                   "rise": {"scroll": True, "enable_chalkboard": False, "transition": "none"}}
    stem = Path(target).stem
    for k, c in enumerate(jt.cells):
        md = _cell_metadata(dict(c.metadata), c.cell_type, c.source, f"{name}: cell {k}")
        cid = f"{stem[:24]}-{k:02d}".replace("_", "-")
        if c.cell_type == "markdown":
            text, attachments = _attach(c.source, name)
            cell = nbformat.v4.new_markdown_cell(text, metadata=md, id=cid)
            if attachments:
                cell.attachments = attachments
        else:
            cell = nbformat.v4.new_code_cell(c.source, metadata=md, id=cid)
        nb.cells.append(cell)
    return NOTEBOOKS / target, nb


ATTACH = re.compile(r"!\[([^\]]*)\]\(attach:([^)]+)\)")


def _attach(text: str, name: str) -> tuple[str, dict]:
    """``![alt](attach:docs/img/x.png)`` -> ``![alt](attachment:x.png)`` and the PNG as a cell attachment."""
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


# ---------------------------------------------------------------------------- notebooks -> sources
def _cell_options(cell) -> dict:
    """The inverse of ``_cell_metadata``: the options a source writes for this cell."""
    md = dict(cell.metadata)
    options = {}
    slide = md.pop("slideshow", {}).get("slide_type")
    if slide is not None and slide != _default_slide(cell.cell_type, cell.source):
        options["slide"] = slide
    if md.get("tags"):
        options["tags"] = list(md.pop("tags"))
    if "nbgrader" in md:
        g = md.pop("nbgrader")
        kind = "solution" if g.get("solution") else "tests"
        options.update(nbgrader=kind, grade_id=g["grade_id"], **({"points": g["points"]} if kind == "tests" else {}))
        if _nbgrader_meta(kind, g["grade_id"], options.get("points", 0)) != g:
            raise ValueError(f"cell {cell.get('id')}: nbgrader metadata {g} is more than a source can say")
    md.pop("tags", None)
    if md:
        raise ValueError(f"cell {cell.get('id')}: metadata a source cannot say: {sorted(md)}")
    return options


def _unattach(cell) -> str:
    def repl(m):
        if not (IMAGES / m.group(2)).exists():
            raise ValueError(f"cell {cell.get('id')}: attachment {m.group(2)} is not a file in docs/img")
        return f"![{m.group(1)}](attach:{(IMAGES / m.group(2)).relative_to(ROOT)})"

    return re.sub(r"!\[([^\]]*)\]\(attachment:([^)]+)\)", repl, cell.source)


def to_source(nb: nbformat.NotebookNode, target: str) -> str:
    """A built (or edited) notebook -> its source text: the inverse of ``build`` (outputs left out)."""
    out = nbformat.v4.new_notebook()
    for cell in nb.cells:
        text = _unattach(cell) if cell.cell_type == "markdown" else cell.source
        make = nbformat.v4.new_markdown_cell if cell.cell_type == "markdown" else nbformat.v4.new_code_cell
        out.cells.append(make(text, metadata=_cell_options(cell)))
    default = Path(target).name == target
    out.metadata = {"jupytext": {"notebook_metadata_filter": "-all" if default else "target,-all",
                                 "default_lexer": "ipython3"}}
    if not default:
        out.metadata["target"] = target
    return jupytext.writes(out, fmt="md:myst")


# ---------------------------------------------------------------------------- student versions
def is_graded_test(cell) -> bool:
    g = cell.metadata.get("nbgrader", {})
    return bool(g.get("grade")) and not g.get("solution")


def student_versions(solutions: dict[str, nbformat.NotebookNode]) -> dict[str, nbformat.NotebookNode]:
    """nbgrader's ``generate_assignment`` on solution notebooks (file name -> notebook), in a temporary
    course directory with ``tools/nbgrader_config.py``; each graded test cell is then tagged
    ``raises-exception`` (no library does that: nbgrader does not run the notebooks it releases)."""
    with tempfile.TemporaryDirectory(prefix="ext4io-nbgrader-") as tmp:
        course = Path(tmp)
        (course / "source" / "ext4io").mkdir(parents=True)
        shutil.copy(NBGRADER_CONFIG, course / "nbgrader_config.py")
        for name, nb in solutions.items():
            nbformat.write(nb, course / "source" / "ext4io" / name)
        env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        p = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "generate_assignment", "ext4io", "--force"],
                           cwd=course, env=env, capture_output=True, text=True, timeout=600)  # (it runs `alembic`)
        if p.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment failed:\n{p.stdout[-2000:]}{p.stderr[-4000:]}")
        out = {name: nbformat.read(course / "release" / "ext4io" / name, as_version=4) for name in solutions}
    for nb in out.values():
        for cell in nb.cells:
            if cell.cell_type == "code" and is_graded_test(cell):
                tags = list(cell.metadata.get("tags", []))
                cell.metadata["tags"] = tags + ["raises-exception"] * ("raises-exception" not in tags)
    return out


def student_path(solution: Path) -> Path:
    return NOTEBOOKS / "exercises" / solution.name


# ---------------------------------------------------------------------------- execution
def execute(path: Path, timeout: int = 120) -> float:
    """Execute a notebook in place in a fresh kernel; returns the wall seconds from the kernel start
    to the end of the last cell."""
    from nbclient import NotebookClient
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

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
    _check_errors(nb, path)
    for cell in nb.cells:  # widget state and transient ids are not content
        for k, o in enumerate(cell.get("outputs", [])):
            o.get("metadata", {}).pop("transient", None)
            view = o.get("data", {}).get(WIDGET_VIEW)
            if view:  # a random id of a model that is not saved: make it stable so files do not churn
                view["model_id"] = uuid.uuid5(uuid.NAMESPACE_URL, f"{path.name}/{cell.get('id')}/{k}").hex
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})  # how a stream is chunked depends on timing
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)
    return seconds


def _check_errors(nb, path: Path) -> None:
    """Errors exactly in the cells tagged ``raises-exception``."""
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
