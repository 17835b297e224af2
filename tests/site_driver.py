"""Drive the built JupyterLite site in headless chromium with no network but loopback.

    unshare -n python tests/site_driver.py --site SITE --out RESULT.json [--shots DIR]

Run inside a fresh network namespace (``unshare -n``, which only root or a user namespace may do): the
namespace has a loopback interface and nothing else, so a request to any other host cannot succeed.
This script brings loopback up, serves SITE on 127.0.0.1 (tools/site/serve.py), and with Playwright
(Debian's chromium, a fresh profile, so nothing is cached):

1. opens 03_hang.ipynb in JupyterLite's lab, waits for the Pyodide kernel to be idle, runs all cells, and
   checks that no output is an error, that every cell's printed text equals the text stored in the
   notebook (written by CPython, so the browser's explorer finds the same verdicts and state counts), and
   that the stepper's DOM matches the model after task clicks, Undo, Show me and each Next;
2. opens the exercise notebook exercises/03_hang_exercises.ipynb, runs all cells (they stop at the first
   check, which must say Unanswered), types a wrong and then a right answer and checks the feedback;
3. records every request the browser made (pages, workers and service workers) and the timings.

Assertion failures end the script with a traceback and exit status 1; the JSON result is written either
way (``error`` holds the failure). tests/test_site.py runs it; benchmarks/bench_site.py reads its timings.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import socket
import struct
import sys
import time
import traceback
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tools" / "site")]

import browser_util as bu  # noqa: E402
import serve  # noqa: E402
import test_browser as tb  # noqa: E402

import ext4io_teach as e4  # noqa: E402
from ext4io_teach.explore import explore  # noqa: E402

REQUESTS: list[str] = []  # every URL the browser asked for (pages, workers, service workers)
LOCAL_SCHEMES = ("data", "blob", "attachment", "about", "chrome-extension")
STDOUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stdout']"


def loopback_up() -> None:
    """``ip link set lo up`` without iproute2: SIOCGIFFLAGS, set IFF_UP, SIOCSIFFLAGS."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack("16sh", fcntl.ioctl(s, 0x8913, struct.pack("16sh", b"lo", 0)))[1]
        fcntl.ioctl(s, 0x8914, struct.pack("16sh", b"lo", flags | 1))


def leaves_loopback(url: str) -> bool:
    u = urlparse(url)
    return u.scheme not in LOCAL_SCHEMES and u.hostname not in ("127.0.0.1",)


def bytes_of(site: Path, base: str, urls: list[str]) -> int:
    """Size on disk of the distinct site files among ``urls`` (what a first visit downloads, uncompressed)."""
    files = {site / urlparse(u).path.lstrip("/") for u in urls if u.startswith(base)}
    return sum(f.stat().st_size for f in files if f.is_file())


def wait_kernel_idle(page, timeout: int = 180_000) -> None:
    page.wait_for_function("() => document.querySelector('.jp-Notebook-ExecutionIndicator')"
                           "?.getAttribute('data-status') === 'idle'", timeout=timeout)


def run_all(page) -> None:
    """Clear every stored output first (so each output checked after this is the browser's), then Run All.
    (Under load a menu click is sometimes lost: the clearing is retried until no prompt has a number.)"""
    for attempt in range(3):
        page.get_by_role("menuitem", name="Edit", exact=True).click()
        page.get_by_role("menuitem", name="Clear Outputs of All Cells", exact=True).click()
        try:
            page.wait_for_function("() => ![...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]"
                                   ".some(e => /\\[\\d+\\]/.test(e.textContent))", timeout=20_000)
            break
        except Exception:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def open_notebook(page, base: str, path: str) -> float:
    """Open ``path`` in the lab app; returns seconds until the kernel is idle."""
    t0 = time.monotonic()
    page.goto(f"{base}/lab/index.html?path={path}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    page.locator(".jp-Toolbar-kernelName:visible", has_text="Pyodide").first.wait_for(timeout=120_000)
    wait_kernel_idle(page)
    return time.monotonic() - t0


def stored_stdout(notebook: Path) -> list[str]:
    """The stdout text of every code cell that printed, in order, as CPython stored it."""
    nb = json.loads(notebook.read_text())
    out = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        text = "".join("".join(o["text"]) for o in cell.get("outputs", [])
                       if o.get("output_type") == "stream" and o.get("name") == "stdout")
        if text:
            out.append(text)
    return out


def norm(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def check_03(page, base: str, site: Path, shots: Path, result: dict) -> None:
    result["kernel_ready_s"] = round(open_notebook(page, base, "03_hang.ipynb"), 1)
    result["first_load_bytes"] = bytes_of(site, base, REQUESTS)
    t0 = time.monotonic()
    run_all(page)
    page.wait_for_function(
        """() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                   return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }""", timeout=300_000)
    wait_kernel_idle(page, 300_000)
    result["run_all_s"] = round(time.monotonic() - t0, 1)
    page.screenshot(path=str(shots / "lite-03_hang.png"))
    tb.no_errors(page)
    # every printed text equals CPython's (merged stream outputs of one cell render as one node or more)
    shown = [norm("\n".join(page.locator(".jp-CodeCell").nth(k).locator(STDOUT).all_inner_texts()))
             for k in range(page.locator(".jp-CodeCell").count())]
    want = [norm(t) for t in stored_stdout(site / "files" / "03_hang.ipynb")]
    assert [s for s in shown if s] == want, ([s for s in shown if s], want)
    verdicts = [f"{d:12} {explore('truncate-vs-dio', d, 2, property='liveness', progress=False).verdict:9}"
                for d in ("old", "old-blocking", "new")]
    body = page.locator("body").inner_text()
    result["verdict_lines"] = [line for line in body.splitlines() if line.startswith(tuple(verdicts))]
    assert len(result["verdict_lines"]) == 3, (verdicts, result["verdict_lines"])
    check_stepper(page, shots, result)


def check_stepper(page, shots: Path, result: dict) -> None:
    root = page.locator(".e4-root").first
    root.scroll_into_view_if_needed()
    r = tb.click_through(page, root, 8)
    tb.check_undo(page, root, r)
    inp = tb.stepper_inputs(root)
    cex = explore(inp["scenario"], inp["design"], inp["ios"], property="liveness", progress=False).counterexample
    tb.button(root, "Show me").click()
    root.locator("[data-message]", has_text="shortest counterexample").wait_for(timeout=120_000)
    tb.wait_schedule(page, root, "")
    for k in range(1, len(cex.schedule) + 1):
        tb.button(root, "Next").click()
        tb.wait_schedule(page, root, ",".join(map(str, cex.schedule[:k])))
        tb.assert_dom_matches(root, tb.model_after(inp, cex.schedule[:k]))
    result["stepper_steps_checked"] = len(r.schedule) + len(cex.schedule)
    root.screenshot(path=str(shots / "lite-03_hang-stepper.png"))
    tb.no_errors(page)


def type_into_cell(page, cell, code: str) -> None:
    """Replace a code cell's source and run it and the cell below (Shift+Enter twice)."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")


def check_exercise(page, base: str, shots: Path, result: dict) -> None:
    open_notebook(page, base, "exercises/03_hang_exercises.ipynb")
    run_all(page)
    first_error = page.locator(".jp-OutputArea-output", has_text="Unanswered:").first
    first_error.wait_for(timeout=120_000)  # (the execution indicator stays busy after an aborted Run All)
    feedback = [first_error.inner_text()]
    assert feedback[0].startswith("Unanswered: 03-outcomes is still the placeholder"), feedback
    # Run All stopped at that check: the cells below it did not run
    assert page.locator(".jp-CodeCell .jp-InputPrompt", has_text="[ ]").count() > 3
    cells = page.locator(".jp-CodeCell")
    answer = next(k for k in range(cells.count()) if "answer_outcomes = ..." in cells.nth(k).inner_text())
    check = cells.nth(answer + 1)
    for code, want in (('answer_outcomes = {"old": "running", "old-blocking": "deadlock", "new": "completed"}',
                        "Incorrect: 03-outcomes: 2 of 3 entries are wrong: 'old', 'old-blocking'"),
                       ('answer_outcomes = {"old": "completed", "old-blocking": "completed", "new": "completed"}',
                        "Correct. 03-outcomes: all 3 entries are right.")):
        type_into_cell(page, cells.nth(answer), code)
        check.locator(".jp-OutputArea-output", has_text=want.split(":")[0]).first.wait_for(timeout=60_000)
        feedback.append(check.locator(".jp-OutputArea-output").first.inner_text())
        assert feedback[-1].startswith(want), (feedback[-1], want)
    result["exercise_feedback"] = [f.splitlines()[0] for f in feedback]
    page.screenshot(path=str(shots / "lite-03_hang_exercises.png"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--shots", type=Path, default=Path("/tmp"))
    ap.add_argument("--only", choices=("03", "exercise"), default=None)
    a = ap.parse_args(argv)
    a.shots.mkdir(parents=True, exist_ok=True)
    result: dict = {"python": e4.__name__, "error": None}
    loopback_up()
    httpd, served = serve.start(a.site)
    base = f"http://127.0.0.1:{httpd.server_port}"
    requests = REQUESTS
    try:
        with bu.playwright() as p:
            for name, check in (("03", lambda page: check_03(page, base, a.site, a.shots, result)),
                                ("exercise", lambda page: check_exercise(page, base, a.shots, result))):
                if a.only not in (None, name):
                    continue
                with bu.browser(p, 1280, 900) as page:  # a fresh profile each: a first visit, nothing cached
                    page.context.on("request", lambda r: requests.append(r.url))
                    page.context.on("requestfailed", lambda r: requests.append(r.url))
                    try:
                        check(page)
                    except Exception:
                        page.screenshot(path=str(a.shots / f"lite-{name}-FAILED.png"))
                        raise
    except Exception:
        result["error"] = traceback.format_exc()
    finally:
        httpd.shutdown()
    paths = {urlparse(u).path for u in requests if u.startswith(base)}
    result.update(requests=len(requests), leaving=sorted({u for u in requests if leaves_loopback(u)}),
                  served=len(served), bytes_loaded=bytes_of(a.site, base, requests),
                  pyodide_seen=any(p.endswith("pyodide.asm.wasm") for p in paths),
                  wheel_seen=any("/ext4io_teach-" in p for p in paths))
    a.out.write_text(json.dumps(result, indent=1))
    if result["error"]:
        print(result["error"], file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
