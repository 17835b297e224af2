"""Screenshots of the stepper app (Voila, lecture mode, 1280x720) at each flush stage A-D, for docs/img/.

Not a test: run ``.venv/bin/python tests/browser_shots.py [OUTDIR]`` (default docs/img). Each shot
opens notebooks/stepper.ipynb in Voila with ``?schedule=...``: the round-robin schedule of
truncate-vs-dio on the new design (N=2) cut where the worker stands at the chosen step of a stage.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import browser_util as bu

from ext4io_teach.widgets import StepperController

# stage -> the worker's program counter at the moment of the shot
STOPS = {"A": "A.unlock", "B": "eio.dio_done", "C": "C.place", "D": "D.free"}


def schedule_until(scenario: str, design: str, ios: int, tid: int, pc: str, skip: int = 0) -> list[int]:
    c = StepperController(scenario, design, ios)
    seen = 0
    while c.outcome() is None:
        c.forward()
        if c.world.tasks[tid].pc == pc:
            if seen == skip:
                return c.schedule
            seen += 1
    raise SystemExit(f"task {tid} never stood at {pc}")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    shots = {f"stepper-stage-{st}.png": ("truncate-vs-dio", "new", 2, schedule_until("truncate-vs-dio", "new", 2, 1,
                                                                                      pc, skip=1 if st == "B" else 0))
             for st, pc in STOPS.items()}
    shots["stepper-old-hang.png"] = ("truncate-vs-dio", "old", 1, [0, 2, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1])
    work = Path(tempfile.mkdtemp(prefix="e4-shots-"))
    try:
        bu.copy_notebooks([bu.ROOT / "notebooks" / "stepper.ipynb"], work)
        with bu.server("voila", work) as (base, _, _), bu.playwright() as pw, bu.browser(pw, 1280, 720) as page:
            for name, (scenario, design, ios, sched) in shots.items():
                extra = "&challenge=hang" if design == "old" else ""
                url = (f"{base}/voila/render/stepper.ipynb?scenario={scenario}&design={design}&ios={ios}"
                       f"&schedule={','.join(map(str, sched))}{extra}")
                page.goto(url)
                page.locator(".e4-schedule input").first.wait_for(timeout=120_000)
                page.wait_for_function("([want]) => document.querySelector('.e4-schedule input')?.value === want",
                                       arg=[",".join(map(str, sched))], timeout=60_000)
                page.wait_for_timeout(500)
                box = page.locator(".e4-root").first.bounding_box()
                page.screenshot(path=str(out / name))
                fits = box["y"] + box["height"] <= 720 and box["x"] + box["width"] <= 1280
                print(f"{out / name}: schedule {','.join(map(str, sched))}; stepper ends at "
                      f"x={box['x'] + box['width']:.0f}, y={box['y'] + box['height']:.0f}"
                      + ("" if fits else "  DOES NOT FIT 1280x720"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else bu.ROOT / "docs" / "img")
