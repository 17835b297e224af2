"""One problem set per student: from a list of seeds, one student notebook per seed, its problem cells run, its
answer cells blank, its checks not run (``ext4io-teach problemset``).

Why not papermill on the exercise notebooks: on the *solution* notebooks it hands out the answers; on the
*student* versions it stops at the first check, whose ``Unanswered`` is intended (papermill raises on any error
output, whatever the cell's tags), so no notebook comes out. Here the student version (nbgrader's
``generate_assignment`` output, ``notebooks/exercises/``) is the starting point, and only its problem cells run:

* the ``parameters`` cell, with ``SEED = <seed>`` written into it;
* every other code cell that is neither an nbgrader cell (an answer cell stays the placeholder ``...``, a check
  cell is not run) nor tagged ``check`` (an ungraded check, ``ex.discuss``) or ``widget`` (a live stepper).

The notebook goes to ``OUT/seed-<seed>/<its own file name>``: nbgrader matches a submission by its file name, and
the ``SEED`` a student got stays in the submitted notebook, so ``nbgrader autograde`` checks that student's own
problems. Kernels run over IPC (a Unix socket per kernel), so parallel runs cannot take each other's TCP ports.
nbformat, nbclient and jupyter_client are imported only here (they come with jupyterlab).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from .errors import bad_input, shown
from .sched import SEED_MAX

SKIP_TAGS = frozenset({"check", "widget"})  # ungraded checks and live widgets: not run in a problem set
MAX_SEEDS = 1000
SEED_RE = re.compile(r"^SEED = .*$", re.M)
_RANGE = r"\s*\d{1,20}(?:\s*-\s*\d{1,20})?\s*"
SEEDS_RE = re.compile(rf"{_RANGE}(?:,{_RANGE})*")
SOURCE = Path(__file__).resolve().parent.parent / "notebooks" / "exercises"  # in a checkout of the repository


def parse_seeds(text: str) -> list[int]:
    """``"1-30"``, ``"3,7,9"``, ``"1-5,10"`` -> the seeds, in order, without repeats; ValueError naming --seeds."""
    allowed = f"whole numbers and ranges such as 1-30 or 3,7,9 (at most {MAX_SEEDS} seeds, each at most {SEED_MAX})"
    if not isinstance(text, str) or not SEEDS_RE.fullmatch(text):
        raise bad_input("seeds", f"{shown(text)} is not a list of seeds", allowed)
    seeds: list[int] = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        a, b = int(lo), int(hi or lo)
        if not 0 <= a <= b <= SEED_MAX:
            raise bad_input("seeds", f"{part.strip()} is not a range from low to high", allowed)
        if b - a >= MAX_SEEDS or len(seeds) + b - a >= MAX_SEEDS:
            raise bad_input("seeds", f"{shown(text)} names more than {MAX_SEEDS} seeds", allowed)
        seeds += [s for s in range(a, b + 1) if s not in seeds]
    return seeds


def _nb(path: Path):
    import nbformat

    return nbformat.read(path, as_version=4)


def _parameters_cell(nb):
    return next((c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])
                 and SEED_RE.search(c.source)), None)


def seeded_notebooks(source: Path | str = SOURCE) -> dict[str, Path]:
    """Student notebooks with a ``SEED`` parameter, by name (``06_who_frees_exercises``)."""
    ok = isinstance(source, (str, Path)) and str(source).strip() and "\0" not in str(source)
    try:
        ok = ok and Path(source).is_dir()
    except OSError:  # a name too long for the file system
        ok = False
    if not ok:
        raise bad_input("source", f"{shown(str(source))} is not a directory",
                        "the directory of the student notebooks (notebooks/exercises of the repository)")
    source = Path(source)
    return {p.stem: p for p in sorted(source.glob("*.ipynb")) if _parameters_cell(_nb(p)) is not None}


def find_notebook(name: str, source: Path | str = SOURCE) -> Path:
    """The one seeded student notebook whose name starts with ``name`` (``06``, ``06_who``, a file name)."""
    found = seeded_notebooks(source)
    stem = Path(name).stem if isinstance(name, str) else ""
    match = [p for n, p in found.items() if stem and n.startswith(stem)]
    if len(match) != 1:
        what = "matches no" if not match else "matches more than one"
        raise bad_input("notebook", f"{shown(name)} {what} student notebook with a SEED parameter",
                        ", ".join(n.split("_")[0] for n in found) + f" (in {source})")
    return match[0]


def problem_cells(nb) -> list[int]:
    """Indices of the cells a problem set runs (see the module's docstring)."""
    return [k for k, c in enumerate(nb.cells) if c.cell_type == "code" and "nbgrader" not in c.metadata
            and not SKIP_TAGS & set(c.metadata.get("tags", []))]


def check_out(out) -> Path:
    """``--out``: a directory that exists or can be made (not a file)."""
    if not isinstance(out, (str, Path)) or not str(out).strip():
        raise bad_input("out", f"{shown(out)} is not a directory name", "a directory to write the notebooks into")
    path = Path(out)
    try:
        if path.exists() and not path.is_dir():
            raise bad_input("out", f"{shown(str(out))} is a file", "a directory to write the notebooks into")
        path.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path, prefix=".problemset-", delete=True)
        probe.close()
    except OSError as e:
        raise bad_input("out", f"cannot write into {shown(str(out))} ({e.strerror or e})",
                        "a directory you may write into") from None
    return path


def make(notebook: Path, seed: int, out: Path, *, timeout: int = 120) -> Path:
    """Write ``out/seed-<seed>/<notebook's name>``: the student notebook with ``SEED = seed`` and its problem
    cells executed in a fresh kernel. Returns the path written."""
    import nbformat
    from jupyter_client import AsyncKernelManager
    from nbclient import NotebookClient
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    nb = _nb(notebook)
    for cell in nb.cells:  # the committed student version stores its own run: start from none
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    params = _parameters_cell(nb)
    params.source = SEED_RE.sub(f"SEED = {seed}  # your own problem set: keep this number", params.source, count=1)
    target = out / f"seed-{seed}" / notebook.name
    target.parent.mkdir(parents=True, exist_ok=True)
    sockets = tempfile.mkdtemp(prefix="e4ps-")  # short: a Unix socket path may not exceed 107 bytes
    saved = os.environ.pop("NBGRADER_EXECUTION", None)  # graded cells never run here; ex.grading() is False
    try:
        km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "k"))
        client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=False, record_timing=False,
                                resources={"metadata": {"path": str(target.parent)}})
        with client.setup_kernel():
            for k in problem_cells(nb):
                client.execute_cell(nb.cells[k], k)
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
        if saved is not None:
            os.environ["NBGRADER_EXECUTION"] = saved
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            o.get("metadata", {}).pop("transient", None)
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    nbformat.write(nb, target)
    return target
