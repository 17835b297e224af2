"""``Stepper``: the ipywidgets view of a StepperController (you are the scheduler).

A thin view: each button calls one controller method and then ``refresh()`` re-renders the panels
from the controller. Every callback runs inside ``_guard``, which catches any exception and shows
it in the widget (and keeps it in ``errors``), so no error is lost in a kernel log.
"""

from __future__ import annotations

import time
import traceback

import ipywidgets as W

from ..designs import design_names
from ..errors import bad_input, shown
from ..scenarios import SCENARIOS
from ..sched import MAX_IOS
from . import render
from .challenges import CHALLENGES
from .controller import StepperController
from .style import CSS, MODES

SPEEDS_MS = (1000, 500, 250, 100)
SEARCH_LIMIT_S = 20.0  # "Show me": the explorer's time limit
SEARCH_REPORT_S = 0.25  # and how often the message shows how far it has got
ON_WORDS, OFF_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")  # split_rmw in a page address


class Stepper:
    """``Stepper(scenario, design, ios, mode="lecture"|"compact", challenge=None)``; display it as the
    last expression of a cell (or ``display(stepper.widget)``)."""

    def __init__(self, scenario: str = "truncate-vs-dio", design: str = "new", ios: int = 2, *,
                 split_rmw: bool = False, fail_io=None, challenge: str | None = None, mode: str = "lecture",
                 workers: int = 1):
        if mode not in MODES:
            raise ValueError(f"mode: unknown mode {shown(mode)}; allowed: {', '.join(MODES)}")
        self.ctrl = StepperController(scenario, design, ios, split_rmw=split_rmw, fail_io=fail_io,
                                      challenge=challenge, workers=workers)
        self.mode = mode
        self.errors: list[str] = []
        self._build()
        self.refresh()

    @classmethod
    def from_query(cls, query: str | None = None, **defaults) -> Stepper:
        """A Stepper configured by a URL query such as ``design=old&ios=1&challenge=hang`` (Voila passes the
        page's query to the kernel as the ``QUERY_STRING`` environment variable, the default here).
        Keys: scenario, design, ios, mode, challenge, schedule, split_rmw, fail_io, workers. A bad value never
        breaks the page: the stepper starts with the defaults and shows the error."""
        import os
        from urllib.parse import parse_qs

        q = os.environ.get("QUERY_STRING", "") if query is None else query
        args = {k: v[-1] for k, v in parse_qs(q).items()}
        kw = dict(defaults)
        for key in ("scenario", "design", "mode", "challenge"):
            if key in args:
                kw[key] = args[key]
        try:
            if "split_rmw" in args:
                word = args["split_rmw"].lower()
                if word not in ON_WORDS + OFF_WORDS:
                    raise bad_input("split_rmw", f"{shown(args['split_rmw'])} is not a yes or a no",
                                    ", ".join(ON_WORDS + OFF_WORDS))
                kw["split_rmw"] = word in ON_WORDS
            for key in ("ios", "fail_io", "workers"):
                if key in args:
                    if not (args[key].isascii() and args[key].isdigit() and len(args[key]) <= 6):
                        raise ValueError(f"{key}: {shown(args[key])} is not a whole number; allowed: 0, 1, 2, ...")
                    kw[key] = int(args[key])
            stepper = cls(**kw)
        except ValueError as e:
            stepper = cls(**defaults)
            stepper.ctrl.error = f"the page address asked for something the stepper cannot show: {e}"
            stepper.errors.append(stepper.ctrl.error)
            stepper.refresh()
            return stepper
        if args.get("schedule"):
            stepper._guard(lambda: stepper.ctrl.load(args["schedule"]))
        return stepper

    # ---------------------------------------------------------------- construction
    def _button(self, label, handler, tooltip="", icon=""):
        b = W.Button(description=label, tooltip=tooltip or label, icon=icon,
                     layout=W.Layout(width="auto"))
        b.on_click(lambda _b: self._guard(handler))
        return b

    def _ctrl_call(self, method: str):
        """A handler that calls ``self.ctrl.<method>()`` at click time."""
        return lambda: getattr(self.ctrl, method)()

    def _build(self):
        c = self.ctrl
        self.css = W.HTML(CSS)
        self.header = W.HTML()
        self.undo_btn = self._button("Undo", self._ctrl_call("undo"), "take back the last step", "undo")
        self.next_btn = self._button("Next", self._ctrl_call("forward"),
                                     "one step: the loaded schedule, else round robin", "step-forward")
        self.stage_btn = self._button("Next stage", self._ctrl_call("run_to_next_stage"),
                                      "run until a task enters the next stage", "fast-forward")
        self.reset_btn = self._button("Reset", self._ctrl_call("reset"), "back to the start", "refresh")
        self.show_btn = self._button("Show me", self._show_me,
                                     "the explorer's shortest counterexample", "search")
        self.play = W.Play(value=0, min=0, max=10**9, step=1, interval=SPEEDS_MS[1], show_repeat=False,
                           layout=W.Layout(width="auto"))
        self.play.observe(self._on_play, names="value")
        self.speed = W.Dropdown(options=[(f"{1000 // ms}/s" if ms <= 1000 else f"{ms} ms", ms) for ms in SPEEDS_MS],
                                value=SPEEDS_MS[1], description="speed", layout=W.Layout(width="8.5em"),
                                style={"description_width": "3.2em"})
        self.speed.observe(lambda ch: self._guard(lambda: setattr(self.play, "interval", ch["new"])), names="value")
        self.challenge_dd = W.Dropdown(options=[("no challenge", "none")] + [(ch.goal.split(":")[0].rstrip("."), n)
                                                                             for n, ch in CHALLENGES.items()],
                                       value=c.challenge.name if c.challenge else "none",
                                       layout=W.Layout(width="15em"))
        self.challenge_dd.observe(lambda ch: self._guard(lambda: self.ctrl.set_challenge(ch["new"])), names="value")
        self.mode_tb = W.ToggleButtons(options=list(MODES), value=self.mode, layout=W.Layout(width="auto"),
                                       style={"button_width": "5.5em"})
        self.mode_tb.observe(lambda ch: self._guard(lambda: self.set_mode(ch["new"])), names="value")
        self.controls = W.HBox([self.next_btn, self.undo_btn, self.stage_btn, self.reset_btn, self.play, self.speed,
                                self.show_btn, self.challenge_dd, self.mode_tb],
                               layout=W.Layout(flex_flow="row wrap", align_items="center"))
        self.task_area = W.HBox(layout=W.Layout(flex="2 1 0", align_items="stretch", min_width="0"))
        self.state = W.HTML(layout=W.Layout(flex="1 1 0", min_width="0"))
        self.state.add_class("e4-state")
        self.body = W.HBox([self.task_area, self.state], layout=W.Layout(width="100%"))
        self.cards = W.HTML()
        self.schedule = W.Text(description="schedule", placeholder="0,1,1,2 or the JSON of ext4io-teach run --json",
                               layout=W.Layout(flex="1 1 auto", width="auto"),
                               style={"description_width": "5em"})
        self.schedule.add_class("e4-schedule")
        self.load_btn = self._button("Load", lambda: self.ctrl.load(self.schedule.value),
                                     "replay this schedule", "upload")
        self.scenario_dd = W.Dropdown(options=list(SCENARIOS), value=c.inputs["scenario"],
                                      layout=W.Layout(width="11em"))
        self.design_dd = W.Dropdown(options=design_names(), value=c.inputs["design"], layout=W.Layout(width="9em"))
        self.ios_in = W.BoundedIntText(value=c.inputs["ios"], min=1, max=MAX_IOS, description="N",
                                       layout=W.Layout(width="6em"), style={"description_width": "1.5em"})
        self.start_btn = self._button("Start", self._start, "start over with this scenario, design and N", "play")
        self.bottom = W.HBox([self.schedule, self.load_btn, self.scenario_dd, self.design_dd, self.ios_in,
                              self.start_btn], layout=W.Layout(align_items="center"))
        self.command = W.HTML()
        self.command.add_class("e4-cmd")
        self.msg = W.HTML()
        self.widget = W.VBox([self.css, self.header, self.controls, self.msg, self.body, self.cards, self.bottom,
                              self.command])
        self.widget.add_class("e4-root")
        self._columns: list = []
        self._mode_class = None
        self.set_mode(self.mode)

    def _show_me(self):
        """Say that the explorer is searching (the message reaches the page at once), then ask it,
        showing how far it has got: at its first report and then at most every ``SEARCH_REPORT_S``."""
        t0 = time.perf_counter()
        shown_at = -SEARCH_REPORT_S

        def say(so_far: str = "") -> None:
            self.msg.value = f'<div class="e4-msg">The explorer is searching every schedule&hellip;{so_far}</div>'

        def searching(states: int, expanded: int) -> None:
            nonlocal shown_at
            now = time.perf_counter() - t0
            if expanded and now - shown_at >= SEARCH_REPORT_S:  # its first call comes before any work
                shown_at = now
                say(f" {states:,} states found, {expanded:,} looked at, {now:.1f} s "
                    f"(it stops after {SEARCH_LIMIT_S:g} s)")

        say()
        self.ctrl.show_me(max_seconds=SEARCH_LIMIT_S, progress=searching)

    def _start(self):
        self.ctrl.configure(self.scenario_dd.value, self.design_dd.value, int(self.ios_in.value))
        self._columns = []

    def set_mode(self, mode: str):
        if mode not in MODES:
            raise ValueError(f"mode: unknown mode {shown(mode)}; allowed: {', '.join(MODES)}")
        if self._mode_class:
            self.widget.remove_class(self._mode_class)
        self.mode, self._mode_class = mode, f"e4-{mode}"
        self.widget.add_class(self._mode_class)

    def _make_columns(self):
        """One column per task: its step button, why it cannot run, its pseudo-code."""
        cols, boxes = [], []
        for t in self.ctrl.world.tasks:
            btn = W.Button(description=f"step {t.tid}: {t.name}", layout=W.Layout(width="100%"))
            btn.add_class("e4-task-btn")
            btn.on_click(lambda _b, tid=t.tid: self._guard(lambda: self.ctrl.step(tid)))
            why, prog = W.HTML(), W.HTML()
            box = W.VBox([btn, why, prog], layout=W.Layout(flex="1 1 0", min_width="0", margin="0 2px"))
            box.add_class("e4-col")
            cols.append((btn, why, prog))
            boxes.append(box)
        self._columns = cols
        self.task_area.children = boxes

    # ---------------------------------------------------------------- callbacks
    def _guard(self, action):
        """Run a callback; any exception is shown in the widget and kept in ``errors``."""
        try:
            action()
            self.ctrl.error = None
        except Exception as e:  # noqa: BLE001 - every error must reach the user, never a log
            tb = traceback.extract_tb(e.__traceback__)[-1]
            text = f"{type(e).__name__}: {e}" + ("" if isinstance(e, ValueError) else
                                                 f"  [{tb.filename.rsplit('/', 1)[-1]}:{tb.lineno}]")
            self.ctrl.error = text
            self.errors.append(text)
            self.play.playing = False
        try:
            self.refresh()
        except Exception as e:  # noqa: BLE001
            self.errors.append(f"refresh failed: {type(e).__name__}: {e}")
            self.msg.value = f'<div class="e4-error">refresh failed: {type(e).__name__}: {e}</div>'

    def _on_play(self, change):
        if change["new"] <= change["old"] or not self.play.playing:
            return

        def tick():
            if not self.ctrl.play_tick():
                self.play.playing = False
        self._guard(tick)

    # ---------------------------------------------------------------- rendering
    def refresh(self):
        c = self.ctrl
        if len(self._columns) != len(c.world.tasks):
            self._make_columns()
        self.header.value = render.header_html(c)
        for b, (btn, why, prog) in zip(c.buttons(), self._columns):
            btn.description = f"step {b['tid']}: {b['name']}"
            btn.disabled = not b["runnable"]
            btn.tooltip = b["why"] or f"run one step of {b['name']}"
            btn.button_style = "info" if b["runnable"] else ""
            if b["next"]:
                btn.add_class("e4-next")
            else:
                btn.remove_class("e4-next")
            box = self.task_area.children[b["tid"]]
            box.layout.flex = "0.55 1 0" if b["why"].startswith("finished") else "1 1 0"  # room for the rest
            why.value = (f'<div class="e4-why" data-why="{b["tid"]}">{render.escape(b["why"])}</div>'
                         if b["why"] else '<div class="e4-why">runnable</div>')
            prog.value = render.program_html(c, b["tid"], self.mode)
        self.state.value = render.state_html(c)
        self.cards.value = render.cards_html(c, self.mode)
        self.msg.value = render.message_html(c)
        self.schedule.value = c.schedule_text
        self.command.value = f'<small class="e4-mono" data-command="1">{render.escape(c.command())}</small>'
        ended = c.outcome() is not None
        self.next_btn.disabled = ended
        self.stage_btn.disabled = ended
        self.undo_btn.disabled = not c.run.schedule
        for dd, key in ((self.scenario_dd, "scenario"), (self.design_dd, "design"), (self.ios_in, "ios")):
            if dd.value != c.inputs[key]:  # the pickers show what the model runs
                dd.value = c.inputs[key]

    # ---------------------------------------------------------------- notebook display
    def _repr_mimebundle_(self, **kw):
        return self.widget._repr_mimebundle_(**kw)

    # handy for tests and notebooks: press a button by name
    def click(self, name: str, tid: int | None = None):
        """Press a button: ``next``, ``undo``, ``stage``, ``reset``, ``show``, ``load``, ``start`` or ``task``
        (with ``tid``). Same code path as a real click."""
        if name == "task":
            self._columns[tid][0].click()
            return
        btn = {"next": self.next_btn, "undo": self.undo_btn, "stage": self.stage_btn, "reset": self.reset_btn,
               "show": self.show_btn, "load": self.load_btn, "start": self.start_btn}[name]
        btn.click()
