"""Rewrite Pyodide's ``pyodide-lock.json`` so that it names only the wheels this site ships.

The npm package ``pyodide`` carries the runtime (the WebAssembly interpreter, the standard library) and a
lock file describing Pyodide's full distribution of 350-odd packages, whose wheels live only on a CDN.
The kernel loads micropip, IPython and their dependencies through that lock at start-up. This module
keeps the lock's ``info`` (ABI, platform, Python version) and replaces its packages with one entry per
wheel we ship (pure-Python wheels from PyPI, the kernel's own wheels, the project's wheel): name, version,
file name, the sha256 of *our* file, its imports and its dependencies (read from the wheel's metadata,
evaluated for Pyodide's Python on ``sys_platform == "emscripten"``). Every other entry is dropped, so no
lookup can fall through to a file that is not on the site.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from email.parser import Parser
from pathlib import Path

# runtime dependencies of shipped wheels that the browser does without: widgetsnbextension and
# jupyterlab_widgets only carry the ipywidgets front end (the site has it as a federated extension);
# ext4io-teach's jupyterlab, matplotlib and pandas have no build for Pyodide on PyPI, and the package
# degrades without the last two (plain tables, committed figures); the site itself replaces JupyterLab
NOT_SHIPPED = {"widgetsnbextension", "jupyterlab-widgets", "jupyterlab", "matplotlib", "pandas"}


def normalize(name: str) -> str:
    """PEP 503 normalised name (``Prompt_Toolkit`` -> ``prompt-toolkit``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def wheel_metadata(path: Path):
    """The parsed METADATA of a wheel, and the names of its top-level importable packages."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        meta = Parser().parsestr(z.read(meta_name).decode("utf-8"))
        top = [n for n in names if n.endswith(".dist-info/top_level.txt") and n.count("/") == 1]
        if top:
            imports = [x.strip() for x in z.read(top[0]).decode().splitlines() if x.strip()]
        else:  # no top_level.txt (hatchling, flit): the top-level folders and modules of the wheel
            imports = sorted({n.split("/")[0].removesuffix(".py") for n in names
                              if not n.split("/")[0].endswith((".dist-info", ".data"))
                              and (n.count("/") >= 1 or n.endswith(".py"))})
    return meta, imports


def requirements(meta, python: str) -> list[str]:
    """The normalised names this wheel requires on Pyodide (markers evaluated, extras not requested)."""
    from packaging.markers import Marker, default_environment
    from packaging.requirements import Requirement

    env = default_environment()
    env.update(sys_platform="emscripten", platform_system="Emscripten", os_name="posix",
               platform_machine="wasm32", python_version=".".join(python.split(".")[:2]),
               python_full_version=python, implementation_name="cpython",
               platform_python_implementation="CPython", extra="")
    out = []
    for spec in meta.get_all("Requires-Dist") or []:
        req = Requirement(spec)
        if req.marker is None or Marker(str(req.marker)).evaluate(env):
            out.append(normalize(req.name))
    return out


def entry(path: Path, python: str) -> dict:
    meta, imports = wheel_metadata(path)
    return {"name": normalize(meta["Name"]), "version": meta["Version"], "file_name": path.name,
            "install_dir": "site", "sha256": sha256(path), "package_type": "package",
            "imports": imports, "depends": requirements(meta, python), "unvendored_tests": False}


def rewrite(npm_lock: Path, wheels: list[Path], out: Path) -> dict:
    """Write ``out``: the npm lock's ``info`` with one package entry per wheel in ``wheels``.
    Raises ValueError when a wheel needs a package that is neither shipped nor in ``NOT_SHIPPED``."""
    lock = json.loads(npm_lock.read_text())
    python = lock["info"]["python"]
    packages = {}
    for w in sorted(wheels, key=lambda p: p.name):
        e = entry(w, python)
        if e["name"] in packages:
            raise ValueError(f"two wheels for {e['name']}: {packages[e['name']]['file_name']} and {w.name}")
        packages[e["name"]] = e
    for e in packages.values():
        missing = [d for d in e["depends"] if d not in packages and d not in NOT_SHIPPED]
        if missing:
            raise ValueError(f"{e['name']} needs {missing}, which the site does not ship (add them to runtime.in)")
        e["depends"] = [d for d in e["depends"] if d in packages]
    new = {"info": lock["info"], "packages": dict(sorted(packages.items()))}
    out.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n")
    return new


def pure_constraints(npm_lock: Path) -> list[str]:
    """``name==version`` for every pure-Python wheel in the npm lock: the versions Pyodide tested,
    used as constraints when the runtime pins are compiled."""
    lock = json.loads(npm_lock.read_text())
    return sorted(f"{normalize(p['name'])}=={p['version']}" for p in lock["packages"].values()
                  if p["file_name"].endswith("-none-any.whl"))
