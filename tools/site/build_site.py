"""Build the zero-install JupyterLite site (``make site``): the notebooks, the stepper and the explorer
running in the browser on Pyodide, from PyPI and the npm registry only (no CDN at build or run time).

    python tools/site/build_site.py [--out site] [--work build/site]   # build
    python tools/site/build_site.py --compile                          # re-pin runtime.txt (needs the net)

Steps (DESIGN.md says which a library option covers and which are scripted here, and why):

1. a build venv (``build/site/venv``) from ``requirements.txt`` (pinned with hashes): jupyterlite-core,
   jupyterlite-pyodide-kernel, the ipywidgets front end (jupyterlab_widgets), setuptools and wheel;
2. the Pyodide runtime from the npm package ``pyodide`` at the version the kernel pins (``npm pack``),
   checked against the integrity recorded in ``pins.json``, unpacked to the lite dir's ``static/pyodide``
   (where jupyterlite-pyodide-kernel's Pyodide addon picks it up and points the kernel at it);
3. the pure-Python wheels of ``runtime.txt`` (micropip, IPython and its dependencies, comm, ipywidgets,
   tqdm) from PyPI with ``pip download --require-hashes``, the kernel's own wheels (piplite, pyodide-kernel,
   its ipykernel shim) from the installed kernel package, and the project's wheel built here;
4. ``pyodide-lock.json`` rewritten to name exactly these wheels with their hashes (``pyodide_lock.py``),
   and the kernel told to preload them all (``jupyter-lite.json``), so the notebooks run unmodified;
5. ``jupyter lite build`` with the notebooks (main path, stepper, exercises) as contents, settings
   overrides (no news fetch) and ``SOURCE_DATE_EPOCH`` from the last commit, into ``site/``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
import pyodide_lock  # noqa: E402

PINS = json.loads((HERE / "pins.json").read_text())
PYODIDE_KEEP = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide.js",
                "package.json")
KERNEL_WHEELS = ("piplite", "pyodide_kernel", "ipykernel")  # from the kernel package's static/pypi
PRELOAD = ["micropip", "piplite", "ipykernel", "pyodide-kernel", "comm", "jedi", "ipython", "ipywidgets", "tqdm",
           "ext4io-teach"]
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"


def log(msg: str) -> None:
    print(f"[site] {msg}", flush=True)


def run(cmd, **kw) -> None:
    log(" ".join(map(str, cmd)))
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def uv() -> list[str]:
    """uv from the project's venv (``make venv`` installs it), else on PATH."""
    exe = Path(sys.executable).with_name("uv")
    return [str(exe)] if exe.exists() else ["uv"]


def build_venv(work: Path) -> Path:
    """The build venv, created from requirements.txt (hashes required); reused while that file is unchanged."""
    venv, stamp = work / "venv", work / "venv" / ".requirements"
    want = (HERE / "requirements.txt").read_text()
    if stamp.exists() and stamp.read_text() == want:
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    run([sys.executable, "-m", "venv", venv])
    run([*uv(), "pip", "install", "--quiet", "--python", venv / "bin" / "python", "--require-hashes",
         "-r", HERE / "requirements.txt"])
    stamp.write_text(want)
    return venv


def npm_pyodide(cache: Path) -> Path:
    """The npm tarball of pyodide at the pinned version, checked against the pinned integrity."""
    pin = PINS["pyodide"]
    tgz = cache / f"pyodide-{pin['version']}.tgz"
    if not tgz.exists():
        cache.mkdir(parents=True, exist_ok=True)
        run(["npm", "pack", f"pyodide@{pin['version']}", "--silent", "--pack-destination", cache])
    algo, want = pin["integrity"].split("-", 1)
    got = base64.b64encode(hashlib.new(algo, tgz.read_bytes()).digest()).decode()
    if got != want:
        tgz.unlink()
        raise SystemExit(f"{tgz.name}: integrity {algo}-{got} is not the pinned {pin['integrity']}")
    return tgz


def unpack_pyodide(tgz: Path, dest: Path) -> Path:
    """The runtime files (no consoles, typings or source maps) into ``dest``; returns the npm lock file."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    with tarfile.open(tgz) as t:
        for name in (*PYODIDE_KEEP, "pyodide-lock.json"):
            member = t.getmember(f"package/{name}")
            target = dest / (name if name != "pyodide-lock.json" else "npm-pyodide-lock.json")
            target.write_bytes(t.extractfile(member).read())
    return dest / "npm-pyodide-lock.json"


def fetch_wheels(venv: Path, cache: Path) -> list[Path]:
    """The runtime wheels of runtime.txt from PyPI, verified against its hashes."""
    dest = cache / "wheels"
    dest.mkdir(parents=True, exist_ok=True)
    run([venv / "bin" / "python", "-m", "pip", "download", "-qq", "--no-deps", "--only-binary", ":all:",
         "--require-hashes", "--python-version", PINS["pyodide"]["python"], "--platform", "any",
         "--implementation", "py", "--abi", "none", "-d", dest, "-r", HERE / "runtime.txt"])
    wanted = {pyodide_lock.normalize(line.split("==")[0]) for line in (HERE / "runtime.txt").read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    wheels = [w for w in sorted(dest.glob("*.whl")) if pyodide_lock.normalize(w.name.split("-")[0]) in wanted]
    if len(wheels) != len(wanted):
        raise SystemExit(f"runtime wheels: found {len(wheels)} for {len(wanted)} pins in {dest}")
    return wheels


def kernel_wheels(venv: Path) -> list[Path]:
    """piplite, pyodide-kernel and the ipykernel shim, as the installed kernel package ships them."""
    pypi = venv / "share/jupyter/labextensions/@jupyterlite/pyodide-kernel-extension/static/pypi"
    return [w for w in sorted(pypi.glob("*.whl")) if w.name.split("-")[0] in KERNEL_WHEELS]


def project_wheel(venv: Path, cache: Path, epoch: str) -> Path:
    """The project's own wheel, built from a clean copy of the sources (a stale build/ in the worktree can
    never leak into it), without build isolation: setuptools and wheel come pinned in the build venv."""
    src, dest = cache / "own-src", cache / "own"
    for d in (src, dest):
        shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(ROOT / "ext4io_teach", src / "ext4io_teach",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, src / name)
    env = dict(os.environ, SOURCE_DATE_EPOCH=epoch)
    run([venv / "bin" / "python", "-m", "pip", "wheel", "-qq", "--no-deps", "--no-build-isolation",
         "-w", dest, src], env=env)
    (wheel,) = dest.glob("ext4io_teach-*.whl")
    return wheel


# main notebooks left out of the site, and why (the README says so too)
LOCAL_ONLY = {"00b_primer.ipynb": "its demo starts real Python threads, which Pyodide cannot"}


def stage_contents(work: Path) -> Path:
    """The notebooks a student opens: the main path (but ``LOCAL_ONLY``), the stepper app and the
    exercises (not the solutions)."""
    dest = work / "contents"
    shutil.rmtree(dest, ignore_errors=True)
    nb = ROOT / "notebooks"
    (dest / "exercises").mkdir(parents=True)
    for p in [*sorted(nb.glob("[0-9]*.ipynb")), nb / "stepper.ipynb"]:
        if p.name not in LOCAL_ONLY:
            shutil.copy(p, dest / p.name)
    for p in sorted((nb / "exercises").glob("*.ipynb")):
        shutil.copy(p, dest / "exercises" / p.name)
    return dest


def lite_config(lite: Path, contents: Path, out: Path) -> None:
    """jupyter_lite_config.json (what to build), jupyter-lite.json (the kernel preloads every shipped
    wheel and never falls back to PyPI) and overrides.json (no news fetch, every cell rendered)."""
    (lite / "jupyter_lite_config.json").write_text(json.dumps({"LiteBuildConfig": {
        "contents": [str(contents)], "output_dir": str(out), "apps": ["lab", "notebooks", "tree"],
        "no_sourcemaps": True, "no_unused_shared_packages": True}}, indent=1))
    (lite / "jupyter-lite.json").write_text(json.dumps({
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {"appName": "ext4io-teach", "litePluginSettings": {KERNEL_PLUGIN: {
            "loadPyodideOptions": {"packages": PRELOAD}, "disablePyPIFallback": True}}}}, indent=1))
    (lite / "overrides.json").write_text(json.dumps({
        "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/notebook-extension:tracker": {"windowingMode": "defer"}}, indent=1))


def epoch() -> str:
    """SOURCE_DATE_EPOCH: the caller's, else the last commit's time (a fixed value outside git)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        return subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%ct"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "1700000000"


def build(out: Path, work: Path) -> None:
    cache, lite = work / "cache", work / "lite"
    work.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(lite, ignore_errors=True)
    venv = build_venv(work)
    pyo = lite / "static" / "pyodide"
    npm_lock = unpack_pyodide(npm_pyodide(cache), pyo)
    stamp = epoch()
    wheels = [*fetch_wheels(venv, cache), *kernel_wheels(venv), project_wheel(venv, cache, stamp)]
    for w in wheels:
        shutil.copy(w, pyo / w.name)
    pyodide_lock.rewrite(npm_lock, [pyo / w.name for w in wheels], pyo / "pyodide-lock.json")
    npm_lock.unlink()
    # jupyter lite build resets the mtime of every file under its output's *parent* to SOURCE_DATE_EPOCH,
    # so it writes into a folder of its own under work/ and the result is moved to ``out`` afterwards
    staged = work / "output" / "site"
    shutil.rmtree(staged.parent, ignore_errors=True)
    lite_config(lite, stage_contents(work), staged)
    env = dict(os.environ, SOURCE_DATE_EPOCH=stamp, JUPYTER_CONFIG_DIR=str(work / "jupyter-config"),
               JUPYTER_DATA_DIR=str(work / "jupyter-data"), JUPYTER_PLATFORM_DIRS="1")
    run([venv / "bin" / "jupyter", "lite", "build", "--lite-dir", lite], cwd=lite, env=env)
    shutil.rmtree(out, ignore_errors=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(staged, out)
    log(f"built {out} ({sum(f.stat().st_size for f in out.rglob('*') if f.is_file()) / 2**20:.1f} MiB)")


def compile_pins(work: Path) -> None:
    """Re-pin runtime.txt from runtime.in for Pyodide's Python, constrained to the versions Pyodide's own
    lock names (needs PyPI and npm)."""
    npm_lock = unpack_pyodide(npm_pyodide(work / "cache"), work / "npm-pyodide")
    constraints = work / "pyodide-constraints.txt"
    constraints.write_text("\n".join(pyodide_lock.pure_constraints(npm_lock)) + "\n")
    run([*uv(), "pip", "compile", "--quiet", "--generate-hashes", "--python-version", PINS["pyodide"]["python"],
         "--python-platform", "wasm32-pyodide2025", "--only-binary", ":all:", "--constraint", constraints,
         *[a for n in ("jupyterlab-widgets", "widgetsnbextension") for a in ("--no-emit-package", n)],
         "--custom-compile-command", "python tools/site/build_site.py --compile",
         HERE / "runtime.in", "-o", HERE / "runtime.txt"], cwd=ROOT)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "site", help="where the site goes (default: site/)")
    ap.add_argument("--work", type=Path, default=ROOT / "build" / "site", help="build venv, caches, lite dir")
    ap.add_argument("--compile", action="store_true", help="re-pin runtime.txt instead of building")
    a = ap.parse_args(argv)
    if a.compile:
        compile_pins(a.work.resolve())
    else:
        build(a.out.resolve(), a.work.resolve())


if __name__ == "__main__":
    main()
