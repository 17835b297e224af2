"""Helpers for the real-browser tests: a JupyterLab or Voila server on 127.0.0.1 serving a temporary
copy of the notebooks, and Debian's chromium driven by Playwright (the pip package; never
``playwright install``). Follows ../shared/notes/browser_probe.py: isolated config dirs, the kernel
session started over REST (no "Select Kernel" dialog), a fresh user-data-dir, the server stopped by
its own pid.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = os.environ.get("E4_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str | None = None, timeout: float = 2):
    req = urllib.request.Request(url, headers={"Authorization": f"token {token}"} if token else {})
    return urllib.request.urlopen(req, timeout=timeout)


def wait_http(url: str, token: str | None = None, timeout: float = 90, proc=None) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            _get(url, token)
            return
        except Exception:
            time.sleep(0.25)
    raise TimeoutError(url)


def copy_notebooks(paths, workdir: Path) -> list[str]:
    """Copy notebooks (keeping their folder under notebooks/) into ``workdir``; returns relative names."""
    names = []
    for p in paths:
        rel = Path(p).resolve().relative_to(ROOT / "notebooks")
        dest = workdir / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(p, dest)
        names.append(rel.as_posix())
    return names


def _env(workdir: Path) -> dict:
    cfg = workdir / ".cfg"
    env = dict(os.environ)
    env.update(JUPYTER_CONFIG_DIR=str(cfg / "config"), JUPYTER_RUNTIME_DIR=str(cfg / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(cfg / "workspaces"), JUPYTERLAB_SETTINGS_DIR=str(cfg / "settings"),
               PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
    settings = {
        ("apputils-extension", "notification"): {"fetchNews": "false", "checkForUpdates": False},
        ("notebook-extension", "tracker"): {"autoStartDefaultKernel": True, "windowingMode": "defer"},
    }
    for (ext, name), value in settings.items():
        d = cfg / "settings" / "@jupyterlab" / ext
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{name}.jupyterlab-settings").write_text(json.dumps(value))
    return env


def _command(mode: str, port: int, token: str, workdir: Path) -> tuple[list[str], str, str | None]:
    """The server's command line, the URL that answers once it is up, and its token (None: Voila).
    Its kernels talk over IPC (see kernel_ipc.py), and it exits instead of moving to another port when
    its port is taken (``port_retries=0``): ``server`` then starts it again on a new one."""
    base = f"http://127.0.0.1:{port}"
    if mode == "lab":
        return ([sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
                 "--allow-root", f"--IdentityProvider.token={token}", "--ServerApp.password=",
                 "--ServerApp.disable_check_xsrf=True", f"--ServerApp.root_dir={workdir}",
                 "--ServerApp.port_retries=0", "--KernelManager.transport=ipc"], f"{base}/api/status", token)
    return ([sys.executable, "-m", "voila", "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
             f"--Voila.root_dir={workdir}", "--Voila.port_retries=0", "--KernelManager.transport=ipc"],
            f"{base}/", None)


PORT_TAKEN = ("is already in use", "is not available", "could not be started")
START_ATTEMPTS = 5


@contextmanager
def server(mode: str, workdir: Path):
    """Start ``lab`` or ``voila`` serving ``workdir``; yields (base_url, token, proc) (see ``launch``)."""
    with launch(lambda port, token: _command(mode, port, token, workdir), workdir, _env(workdir), mode) as up:
        yield up


@contextmanager
def launch(command, workdir: Path, env: dict, name: str):
    """Start the server ``command(port, token)`` describes (its command line, the URL that answers once it is
    up, its token or None) in ``workdir``; yields (base_url, token, proc) and stops it afterwards.
    ``free_port`` only finds a port free now: if another process takes it before the server listens, the
    server exits saying so (it must run with ``port_retries=0``) and is started again on a new port (at
    most ``START_ATTEMPTS`` times)."""
    for attempt in range(START_ATTEMPTS):
        port, token = free_port(), secrets.token_hex(16)
        cmd, ready, token = command(port, token)
        log_path = workdir / f"{name}-server.log"
        log = open(log_path, "w")
        proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_http(ready, token, proc=proc)
            break
        except RuntimeError:
            log.close()
            if attempt + 1 < START_ATTEMPTS and any(t in log_path.read_text() for t in PORT_TAKEN):
                continue  # the port went to someone else between free_port() and the server's listen
            raise
    try:
        yield f"http://127.0.0.1:{port}", token, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def start_session(base: str, token: str, path: str) -> dict:
    """Create the notebook's kernel session over REST (Authorization header carries the token)."""
    req = urllib.request.Request(
        f"{base}/api/sessions", method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"token {token}"},
        data=json.dumps({"path": path, "type": "notebook", "name": path,
                         "kernel": {"name": "python3"}}).encode())
    with urllib.request.urlopen(req) as r:
        return json.load(r)


@contextmanager
def playwright():
    """One Playwright driver per test module (the sync API allows one at a time)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@contextmanager
def browser(p, width: int = 1280, height: int = 900):
    """A headless chromium page with a fresh profile (user-data-dir), from the driver ``p``."""
    profile = tempfile.mkdtemp(prefix="e4-chromium-")
    try:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                   args=CHROMIUM_ARGS, viewport={"width": width, "height": height})
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        try:
            yield page
        finally:
            ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def open_lab_notebook(page, base: str, token: str, path: str) -> dict:
    """Open ``path`` in JupyterLab (in a workspace of its own, so no other notebook is restored
    beside it) with its kernel idle, and run all cells. Returns the REST session."""
    session = start_session(base, token, path)
    workspace = "w" + secrets.token_hex(4)
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{path}?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    page.locator(".jp-Toolbar-kernelName:visible", has_text="Python 3").first.wait_for(timeout=90_000)
    page.wait_for_function("() => document.querySelector('.jp-Notebook-ExecutionIndicator')"
                           "?.getAttribute('data-status') === 'idle'", timeout=90_000)
    dlg = page.locator(".jp-Dialog")
    if dlg.count() and dlg.first.is_visible():
        dlg.locator(".jp-mod-accept").first.click()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    # wait until every code cell has an execution count (or stopped on an error)
    page.wait_for_function(
        """() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                   return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }""", timeout=300_000)
    page.wait_for_function("() => document.querySelector('.jp-Notebook-ExecutionIndicator')"
                           "?.getAttribute('data-status') === 'idle'", timeout=300_000)
    return session


def stop_session(base: str, token: str, session: dict) -> None:
    """Delete the session (and its kernel) over REST."""
    req = urllib.request.Request(f"{base}/api/sessions/{session['id']}", method="DELETE",
                                 headers={"Authorization": f"token {token}"})
    urllib.request.urlopen(req).close()


def error_outputs(page) -> list[str]:
    """Texts of error outputs and widget-display failures on the page."""
    found = []
    for sel in (".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
                ".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']"):
        found += [t[:300] for t in page.locator(sel).all_inner_texts() if "Traceback" in t or "Error" in t]
    body = page.locator("body").inner_text()
    if "Error displaying widget" in body:
        found.append("Error displaying widget")
    if "Model not found" in body or "model not found" in body:
        found.append("widget model not found")
    return found
