"""Real-browser tests: Debian's chromium, driven by Playwright, against JupyterLab and Voila.

For every notebook of the main path (notebooks/NN_*.ipynb), every solution notebook
(notebooks/solutions/*.ipynb) and the stepper app (notebooks/stepper.ipynb): open it in JupyterLab
(a temporary copy, a token this test knows), run all cells, and check that no cell shows an error
and no widget failed to display. Where a stepper is on the page, click its task buttons and check
after every click that the schedule text and the io_end flag badges in the DOM equal the model's
state for that schedule (replayed here, in the test process). The stepper app is also opened in
Voila at 1280x720 in lecture mode, where it must fit without scrolling.

Without chromium these tests skip locally; with the environment variable CI set they fail.
Screenshots go to $E4_SHOTS_DIR (default: a pytest temporary directory).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import browser_util as bu
import pytest

from ext4io_teach.explore import explore
from ext4io_teach.model.flags import describe
from ext4io_teach.sched import Run

ROOT = bu.ROOT
CLICKS = 14  # task-button clicks per stepper checked


def _have_browser() -> str | None:
    if not os.path.exists(bu.CHROMIUM):
        return f"chromium not found at {bu.CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as e:
        return f"playwright not importable: {e}"
    return None


@pytest.fixture(scope="module", autouse=True)
def need_browser():
    why = _have_browser()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests must run in CI: {why}")
        pytest.skip(why)


def notebooks() -> list[Path]:
    nb = ROOT / "notebooks"
    found = sorted(nb.glob("[0-9]*.ipynb")) + sorted((nb / "solutions").glob("*.ipynb"))
    return found + [nb / "stepper.ipynb"]


@pytest.fixture(scope="module")
def shots_dir(tmp_path_factory) -> Path:
    d = Path(os.environ.get("E4_SHOTS_DIR") or tmp_path_factory.mktemp("browser-shots"))
    d.mkdir(parents=True, exist_ok=True)
    return d


@pytest.fixture(scope="module")
def workdir():
    d = Path(tempfile.mkdtemp(prefix="e4-browser-"))
    bu.copy_notebooks(notebooks(), d)
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def lab(workdir):
    with bu.server("lab", workdir) as srv:
        yield srv


@pytest.fixture(scope="module")
def pw():
    with bu.playwright() as p:
        yield p


@pytest.fixture(scope="module")
def page(pw):
    with bu.browser(pw, 1280, 900) as p:
        yield p


# ------------------------------------------------------------------ model vs DOM
CMD = re.compile(r"ext4io-teach run (\S+) --design (\S+) --ios (\d+)( --split-rmw)?(?: --fail-io (\d+))?"
                 r"(?: --schedule ([\d,]+))?")


def stepper_inputs(root) -> dict:
    """The stepper's inputs, read from the CLI line it shows."""
    text = root.locator("[data-command]").first.text_content()
    m = CMD.search(text)
    assert m, f"no CLI line in the stepper: {text!r}"
    return {"scenario": m.group(1), "design": m.group(2), "ios": int(m.group(3)), "split_rmw": bool(m.group(4)),
            "fail_io": int(m.group(5)) if m.group(5) else None,
            "schedule": [int(x) for x in m.group(6).split(",")] if m.group(6) else []}


def model_after(inp: dict, schedule: list[int]) -> Run:
    r = Run(inp["scenario"], inp["design"], inp["ios"], split_rmw=inp["split_rmw"], fail_io=inp["fail_io"])
    r.replay(schedule)
    return r


def button(root, label: str):
    """The stepper's control button whose text is exactly ``label`` (icons add no text)."""
    return root.locator("button.widget-button", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).first


def wait_schedule(page, root, text: str) -> None:
    inp = root.locator(".e4-schedule input").first
    page.wait_for_function("([el, want]) => el.value === want", arg=[inp.element_handle(), text], timeout=30_000)


def assert_dom_matches(root, r: Run) -> None:
    """Schedule text, io_end flag badges and the outcome in the DOM equal the model's state."""
    assert root.locator(".e4-schedule input").first.input_value() == ",".join(map(str, r.schedule))
    cards = root.locator("[data-io]")
    assert cards.count() == len(r.world.ios)
    for io in r.world.ios:
        card = root.locator(f'[data-io="{io.id}"]').first
        want = describe(io.flags)
        assert card.get_attribute("data-flags") == want, (io.id, r.schedule)
        badges = card.locator(".e4-badge").all_text_contents()
        assert "|".join(badges) == ("" if want == "-" else want), (io.id, badges, want, r.schedule)
        assert card.get_attribute("data-freed") == str(io.freed)
    outcome = r.outcome() or "running"
    assert root.locator("[data-outcome]").first.get_attribute("data-outcome") == outcome


def click_through(page, root, clicks: int = CLICKS) -> Run:
    """Click task buttons (round robin over the runnable ones, by the model) and compare after each."""
    inp = stepper_inputs(root)
    r = model_after(inp, inp["schedule"])
    assert_dom_matches(root, r)
    names = [t.name for t in r.world.tasks]
    for _ in range(clicks):
        runnable = r.runnable()
        if not runnable:
            break
        last = r.schedule[-1] if r.schedule else -1
        tid = next((t for t in runnable if t > last), runnable[0])
        # a blocked task's button is disabled in the DOM too
        for other in range(len(names)):
            btn = root.locator(".e4-task-btn", has_text=f"step {other}: {names[other]}").first
            assert btn.is_disabled() == (other not in runnable), (other, r.schedule)
        root.locator(".e4-task-btn", has_text=f"step {tid}: {names[tid]}").first.click()
        try:
            r.step(tid)
        except Exception:  # a violation is a state the widget must show too
            pass
        wait_schedule(page, root, ",".join(map(str, r.schedule)))
        assert_dom_matches(root, r)
    return r


def check_undo(page, root, r: Run) -> None:
    if not r.schedule:
        return
    inp = stepper_inputs(root)
    button(root, "Undo").click()
    prev = model_after(inp, r.schedule[:-1])
    wait_schedule(page, root, ",".join(map(str, prev.schedule)))
    assert_dom_matches(root, prev)
    button(root, "Next").click()  # replays the undone step
    wait_schedule(page, root, ",".join(map(str, r.schedule)))
    assert_dom_matches(root, model_after(inp, r.schedule))


def no_errors(page) -> None:
    errs = bu.error_outputs(page)
    assert not errs, errs
    assert page.locator(".e4-error").count() == 0, page.locator(".e4-error").all_inner_texts()


# ------------------------------------------------------------------ JupyterLab
@pytest.mark.slow
@pytest.mark.parametrize("nb", notebooks(), ids=lambda p: p.relative_to(ROOT / "notebooks").as_posix())
def test_notebook_in_jupyterlab(nb, lab, page, shots_dir):
    base, token, _ = lab
    rel = nb.relative_to(ROOT / "notebooks").as_posix()
    session = None
    try:
        session = bu.open_lab_notebook(page, base, token, rel)
        no_errors(page)
        roots = page.locator(".e4-root")
        if rel == "stepper.ipynb":
            roots.first.wait_for(timeout=60_000)
            assert roots.count() >= 1
        for k in range(min(roots.count(), 2)):
            root = roots.nth(k)
            root.scroll_into_view_if_needed()
            r = click_through(page, root)
            check_undo(page, root, r)
            root.screenshot(path=str(shots_dir / f"lab-{rel.replace('/', '_')}-stepper{k}.png"))
        no_errors(page)
        page.screenshot(path=str(shots_dir / f"lab-{rel.replace('/', '_')}.png"))
    except Exception:
        page.screenshot(path=str(shots_dir / f"lab-{rel.replace('/', '_')}-FAILED.png"))
        raise
    finally:  # leave the page and stop the kernel so the next notebook starts clean
        page.goto("about:blank")
        if session is not None:
            bu.stop_session(base, token, session)


# ------------------------------------------------------------------ Voila app
def assert_fits(page, root, width: int = 1280, height: int = 720) -> None:
    """Lecture mode fits the projector: scrolled to the top, the whole stepper lies inside the viewport
    (Voila scrolls an inner container, so measure the stepper itself, not the document)."""
    page.evaluate("() => { window.scrollTo(0, 0); document.querySelectorAll('*').forEach(e => { "
                  "if (e.scrollTop) e.scrollTop = 0; }); }")
    box = root.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, box
    widest = page.evaluate("(el) => Math.max(...[...el.querySelectorAll('*')]"
                           ".map(e => e.getBoundingClientRect().right))", root.element_handle())
    assert widest <= width, widest



@pytest.mark.slow
def test_stepper_app_in_voila(workdir, shots_dir, pw):
    with bu.server("voila", workdir) as (base, _, _), bu.browser(pw, 1280, 720) as page:
        page.goto(f"{base}/voila/render/stepper.ipynb")
        root = page.locator(".e4-root").first
        root.wait_for(timeout=120_000)
        page.locator(".e4-task-btn").first.wait_for(timeout=60_000)
        no_errors(page)
        assert "e4-lecture" in (root.get_attribute("class") or "")
        r = click_through(page, root, 10)
        page.screenshot(path=str(shots_dir / "voila-stepper.png"))
        assert_fits(page, root)
        check_undo(page, root, r)
        inp = stepper_inputs(root)
        for k in range(5):  # through the flush stages: the stepper must still fit, and match the model
            before = stepper_inputs(root)["schedule"]
            button(root, "Next stage").click()
            page.wait_for_function("([el, old]) => el.value !== old",
                                   arg=[root.locator(".e4-schedule input").first.element_handle(),
                                        ",".join(map(str, before))], timeout=30_000)
            now = [int(x) for x in root.locator(".e4-schedule input").first.input_value().split(",")]
            assert now[:len(before)] == before and len(now) > len(before)
            assert_dom_matches(root, model_after(inp, now))
            page.screenshot(path=str(shots_dir / f"voila-stepper-stage{k}.png"))
            assert_fits(page, root)
        no_errors(page)


@pytest.mark.slow
def test_voila_query_configures_the_stepper(workdir, shots_dir, pw):
    with bu.server("voila", workdir) as (base, _, _), bu.browser(pw, 1280, 720) as page:
        page.goto(f"{base}/voila/render/stepper.ipynb?design=old&ios=1&challenge=hang&schedule=0")
        root = page.locator(".e4-root").first
        root.wait_for(timeout=120_000)
        page.locator(".e4-task-btn").first.wait_for(timeout=60_000)
        inp = stepper_inputs(root)
        assert (inp["design"], inp["ios"], inp["schedule"]) == ("old", 1, [0])
        click_through(page, root, 4)
        page.screenshot(path=str(shots_dir / "voila-old-challenge.png"))
        assert root.locator("[data-won]").count() == 1  # truncate holds i_mutex: the challenge is won
        # "Show me": the explorer's shortest livelock, replayed step by step with Next
        res = explore("truncate-vs-dio", "old", 1, property="liveness")
        cex = res.counterexample.schedule
        button(root, "Show me").click()
        root.locator("[data-message]", has_text="shortest counterexample").wait_for(timeout=60_000)
        wait_schedule(page, root, "")
        for k in range(1, len(cex) + 1):
            button(root, "Next").click()
            wait_schedule(page, root, ",".join(map(str, cex[:k])))
            assert_dom_matches(root, model_after(inp, cex[:k]))
        no_errors(page)


@pytest.mark.slow
def test_show_me_reports_the_search_live_in_voila(workdir, shots_dir, pw):
    """The explorer's progress reaches the page while the search runs (about 2 s at N = 5), not only at
    its end: the kernel is busy in the button's callback the whole time."""
    query = "scenario=fsync-vs-worker&design=new&ios=5&challenge=double-free"
    with bu.server("voila", workdir) as (base, _, _), bu.browser(pw, 1280, 720) as page:
        page.goto(f"{base}/voila/render/stepper.ipynb?{query}")
        root = page.locator(".e4-root").first
        root.wait_for(timeout=120_000)
        page.locator(".e4-task-btn").first.wait_for(timeout=60_000)
        button(root, "Show me").click()
        root.locator(".e4-msg", has_text="states found").wait_for(timeout=60_000)
        page.screenshot(path=str(shots_dir / "voila-show-me-searching.png"))
        root.locator("[data-message]", has_text="No schedule wins").wait_for(timeout=60_000)
        assert root.locator(".e4-msg", has_text="states found").count() == 0
        no_errors(page)
