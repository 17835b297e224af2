"""The zero-install JupyterLite site: pins, the rewritten Pyodide lock, a reproducible build, and the site
driven in Debian's chromium inside a network namespace that has only loopback.

The build (``tools/site/build_site.py``, as ``make site`` runs it) needs npm and the package registries;
the browser test needs chromium, Playwright and ``unshare -n`` (root, as in CI). Without them the tests
skip locally; with the environment variable CI set they fail. ``E4_SITE_DIR`` names an already built site
to test instead of building one (the reproducibility test still builds twice). The browser check itself
is ``tests/site_driver.py`` (see its docstring); screenshots go to $E4_SHOTS_DIR.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE_TOOLS = ROOT / "tools" / "site"
sys.path.insert(0, str(SITE_TOOLS))
import pyodide_lock  # noqa: E402

BUILD_CMD = [sys.executable, str(SITE_TOOLS / "build_site.py")]
WORK = ROOT / "build" / "site"  # the build venv and the download caches, shared by every build here


def _missing(*needs: str) -> str | None:
    if "npm" in needs and shutil.which("npm") is None:
        return "npm not found (the site build fetches Pyodide from the npm registry)"
    if "browser" in needs:
        if not os.path.exists(os.environ.get("E4_CHROMIUM", "/usr/bin/chromium")):
            return "chromium not found"
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError as e:
            return f"playwright not importable: {e}"
        if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
            return "`unshare -n` is not allowed here (needs root or user namespaces)"
    return None


def need(*needs: str) -> None:
    why = _missing(*needs)
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"the site tests must run in CI: {why}")
        pytest.skip(why)


def build(out: Path) -> None:
    res = subprocess.run([*BUILD_CMD, "--out", str(out), "--work", str(WORK)], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    given = os.environ.get("E4_SITE_DIR")
    if given and (Path(given) / "index.html").exists():
        return Path(given)
    need("npm")
    out = tmp_path_factory.mktemp("lite") / "site"
    build(out)
    return out


def tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ pins and the lock rewrite (no network)
def test_every_pin_is_exact_and_hashed():
    for name in ("requirements.txt", "runtime.txt"):
        reqs = [line for line in (SITE_TOOLS / name).read_text().splitlines()
                if line and not line.startswith(("#", " "))]
        assert reqs, name
        for line in reqs:
            assert "==" in line and line.endswith("\\"), (name, line)  # a version and hashes follow
    pins = json.loads((SITE_TOOLS / "pins.json").read_text())["pyodide"]
    assert pins["integrity"].startswith("sha512-") and pins["version"].count(".") == 2


def _wheel(tmp: Path, name: str, version: str, requires: list[str], top: str | None = None) -> Path:
    path = tmp / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w") as z:
        pkg = top or name.replace("-", "_")
        z.writestr(f"{pkg}/__init__.py", "")
        z.writestr(f"{name.replace('-', '_')}-{version}.dist-info/METADATA", meta)
    return path


def _npm_lock(tmp: Path) -> Path:
    lock = tmp / "npm-lock.json"
    lock.write_text(json.dumps({"info": {"abi_version": "2026_0", "arch": "wasm32", "platform": "emscripten_5_0_3",
                                         "python": "3.14.2"},
                                "packages": {"numpy": {"name": "numpy", "file_name": "numpy-2-cp314.whl"}}}))
    return lock


def test_lock_rewrite_names_exactly_the_shipped_wheels(tmp_path):
    wheels = [_wheel(tmp_path, "top-pkg", "1.0", ["dep_a>=1", "pexpect; sys_platform != 'emscripten'",
                                                  "colorama; sys_platform == 'win32'", "extra-only; extra == 'x'",
                                                  "pandas", "backport; python_version < '3.12'"], top="top"),
              _wheel(tmp_path, "dep-a", "2.0", [])]
    out = tmp_path / "pyodide-lock.json"
    lock = pyodide_lock.rewrite(_npm_lock(tmp_path), wheels, out)
    assert json.loads(out.read_text()) == lock
    assert lock["info"]["python"] == "3.14.2" and set(lock["packages"]) == {"top-pkg", "dep-a"}  # numpy dropped
    top = lock["packages"]["top-pkg"]
    assert top["depends"] == ["dep-a"]  # pandas is allowed missing; the markers rule out the rest
    assert top["imports"] == ["top"] and top["file_name"] == wheels[0].name
    assert top["sha256"] == hashlib.sha256(wheels[0].read_bytes()).hexdigest()


def test_lock_rewrite_refuses_a_dependency_the_site_does_not_ship(tmp_path):
    wheels = [_wheel(tmp_path, "top-pkg", "1.0", ["not-there"])]
    with pytest.raises(ValueError, match="not-there"):
        pyodide_lock.rewrite(_npm_lock(tmp_path), wheels, tmp_path / "out.json")


# ------------------------------------------------------------------ the built site
@pytest.mark.slow
def test_site_loads_nothing_from_elsewhere(site):
    """Every lock entry is a file on the site with the sha256 the lock names, every wheel there is in the
    lock, the kernel preloads the project and its widgets, and the config points at the local Pyodide."""
    cfg = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = cfg["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs" and kernel["disablePyPIFallback"] is True
    pyo = site / "static" / "pyodide"
    lock = json.loads((pyo / "pyodide-lock.json").read_text())["packages"]
    for name, e in lock.items():
        assert "://" not in e["file_name"], name
        assert hashlib.sha256((pyo / e["file_name"]).read_bytes()).hexdigest() == e["sha256"], name
        assert all(d in lock for d in e["depends"]), name
    assert {e["file_name"] for e in lock.values()} == {p.name for p in pyo.glob("*.whl")}
    assert {"ext4io-teach", "ipywidgets", "comm", "tqdm", "ipython", "micropip"} <= set(
        kernel["loadPyodideOptions"]["packages"]) <= set(lock)
    with zipfile.ZipFile(pyo / lock["ext4io-teach"]["file_name"]) as z:
        assert {"ext4io_teach/figures/timeline_classroom.png", "ext4io_teach/widgets/stepper.py"} <= set(z.namelist())
    assert (site / "files" / "03_hang.ipynb").exists() and (site / "files" / "exercises").is_dir()
    assert not (site / "files" / "solutions").exists()
    text = "\n".join(p.read_text(errors="ignore") for p in (site / "jupyter-lite.json", pyo / "pyodide-lock.json"))
    assert "cdn.jsdelivr" not in text and "pypi.org" not in text


@pytest.mark.slow
def test_build_is_reproducible(site, tmp_path):
    need("npm")
    again = tmp_path / "site"
    build(again)
    assert tree_digest(again) == tree_digest(site)


@pytest.mark.slow
def test_notebooks_run_in_chromium_offline(site, tmp_path):
    """03_hang and its exercise notebook in a browser that can reach nothing but 127.0.0.1."""
    need("browser")
    shots = Path(os.environ.get("E4_SHOTS_DIR") or tmp_path / "shots")
    out = tmp_path / "result.json"
    res = subprocess.run(["unshare", "-n", sys.executable, str(ROOT / "tests" / "site_driver.py"), "--site", str(site),
                          "--out", str(out), "--shots", str(shots)], capture_output=True, text=True, timeout=900)
    result = json.loads(out.read_text()) if out.exists() else {}
    assert res.returncode == 0, (result.get("error") or "") + res.stderr[-3000:]
    # the request log sees the kernel worker's fetches (the runtime and the project's wheel) ...
    assert result["pyodide_seen"] and result["wheel_seen"] and result["requests"] > 100
    # ... and none of them left the machine
    assert result["leaving"] == []
    assert [line.split()[:2] for line in result["verdict_lines"]] == [
        ["old", "livelock"], ["old-blocking", "deadlock"], ["new", "ok"]]
    assert result["stepper_steps_checked"] > 10
    kinds = [f.split(":")[0].split(".")[0] for f in result["exercise_feedback"]]
    assert kinds == ["Unanswered", "Incorrect", "Correct"]


def test_the_example_publishing_workflow_builds_and_uploads_the_site():
    yaml = pytest.importorskip("yaml")
    flow = yaml.safe_load((ROOT / "docs" / "publish-site.yml").read_text())
    steps = flow["jobs"]["build"]["steps"]
    assert {"run": "make site"} in steps
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"
    assert flow["permissions"]["pages"] == "write" and flow["jobs"]["deploy"]["needs"] == "build"
