"""Benchmark (not a test): the zero-install site against JupyterLab, 03_hang in headless chromium.

    .venv/bin/python benchmarks/bench_site.py [--site site] [--rounds 3] [--out benchmarks/results_site.md]

For the JupyterLite site (``make site`` first): its size on disk, what a first visit downloads
(uncompressed), the seconds from opening 03_hang.ipynb in a fresh browser profile to an idle Pyodide
kernel, and the seconds of Run All (stored outputs cleared first) -- measured by tests/site_driver.py
inside ``unshare -n`` (loopback only, as the test does). For JupyterLab (the project's venv, a local
server, tests/browser_util.py): the seconds from opening the same notebook (kernel session started over
REST just before) to an idle kernel, and Run All the same way. Rounds alternate lite and lab. Without a
built site, chromium or ``unshare -n`` it says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks")]
from machine import describe  # noqa: E402


def lite_round(site: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.json"
        subprocess.run(["unshare", "-n", sys.executable, str(ROOT / "tests" / "site_driver.py"), "--site", str(site),
                        "--out", str(out), "--shots", tmp, "--only", "03"], check=True, capture_output=True)
        r = json.loads(out.read_text())
    return {"ready": r["kernel_ready_s"], "run_all": r["run_all_s"], "first_load_bytes": r["first_load_bytes"],
            "leaving": len(r["leaving"])}


def lab_round() -> dict:
    import browser_util as bu
    import site_driver as sd

    workdir = Path(tempfile.mkdtemp(prefix="e4-bench-lab-"))
    try:
        bu.copy_notebooks([ROOT / "notebooks" / "03_hang.ipynb"], workdir)
        with bu.server("lab", workdir) as (base, token, _), bu.playwright() as p, bu.browser(p, 1280, 900) as page:
            bu.start_session(base, token, "03_hang.ipynb")
            t0 = time.monotonic()
            page.goto(f"{base}/lab/workspaces/bench/tree/03_hang.ipynb?token={token}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
            sd.wait_kernel_idle(page)
            ready = time.monotonic() - t0
            t0 = time.monotonic()
            sd.run_all(page)
            page.wait_for_function(
                """() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                           return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }""",
                timeout=300_000)
            sd.wait_kernel_idle(page, 300_000)
            return {"ready": round(ready, 1), "run_all": round(time.monotonic() - t0, 1)}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def report(site: Path, lite: list[dict], lab: list[dict]) -> str:
    size = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    med = statistics.median
    rows = [(label, [r[key] for r in lite], [r[key] for r in lab])
            for label, key in (("time to an idle kernel, fresh browser profile (s)", "ready"),
                               ("Run All of 03_hang (s)", "run_all"))]
    lines = ["# The zero-install site against JupyterLab (benchmarks/bench_site.py)", "",
             f"Machine: {describe()}. Headless Debian chromium; the site served on 127.0.0.1 inside `unshare -n`; "
             f"{len(lite)} rounds, alternating; median (all rounds).", "",
             f"Site: {size / 2**20:.1f} MiB on disk; a first visit of 03_hang downloads "
             f"{med([r['first_load_bytes'] for r in lite]) / 2**20:.1f} MiB (uncompressed); requests that left "
             f"127.0.0.1: {sum(r['leaving'] for r in lite)}.", "",
             "| 03_hang.ipynb | JupyterLite (Pyodide, in the browser) | JupyterLab (local server, CPython) |",
             "|---|---:|---:|"]
    for label, a, b in rows:
        lines.append(f"| {label} | {med(a):.1f} ({', '.join(f'{x:.1f}' for x in a)}) | "
                     f"{med(b):.1f} ({', '.join(f'{x:.1f}' for x in b)}) |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", type=Path, default=ROOT / "site")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    if not (a.site / "index.html").exists():
        print(f"no site at {a.site}: run `make site` first; skipped")
        return 0
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        print("`unshare -n` is not allowed here; skipped")
        return 0
    lite, lab = [], []
    for k in range(a.rounds):
        lite.append(lite_round(a.site))
        lab.append(lab_round())
        print(f"round {k + 1}: lite {lite[-1]}, lab {lab[-1]}", flush=True)
    text = report(a.site, lite, lab)
    if a.out:
        a.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
