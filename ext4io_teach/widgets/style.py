"""Colours and CSS of the stepper.

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies), and no state
is told by colour alone: every badge carries its name and every card a symbol (ok, checked, broken).
Two modes: ``lecture`` (large type, program blocks folded to what runs now, fits 1280x720) and
``compact`` (small type, every line shown, for self-study).
"""

from __future__ import annotations

OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000"}
FLAG_COLOURS = {"UNWRITTEN": OKABE_ITO["orange"], "QUEUED": OKABE_ITO["sky"], "DIRECT": OKABE_ITO["green"],
                "IN_FSYNC": OKABE_ITO["purple"], "ERROR": OKABE_ITO["vermillion"]}
MODES = ("lecture", "compact")

CSS = """
<style>
.e4-root { font-family: "DejaVu Sans", Arial, sans-serif; color: #111; }
.e4-root .e4-mono { font-family: "DejaVu Sans Mono", monospace; }
.e4-lecture { font-size: 15px; }
.e4-compact { font-size: 12px; }
.e4-root .widget-button { font-size: inherit; height: auto; min-height: 28px; }
.e4-root .widget-html, .e4-root .widget-html-content { font-size: inherit; line-height: 1.25; }
.e4-root input { font-size: inherit; }
.e4-col { border: 1px solid #bbb; border-radius: 4px; padding: 3px; background: #fafafa; overflow: hidden; }
.e4-col .widget-html, .e4-col .widget-html-content, .e4-state .widget-html-content {
    width: 100%; min-width: 0; white-space: normal; overflow-wrap: anywhere; }
.e4-lecture .e4-cmd { display: none; }
.e4-col .e4-why { color: #555; font-style: italic; min-height: 1.2em; }
.e4-blk { margin: 2px 0; }
.e4-blk-t { font-weight: bold; color: #0072B2; }
.e4-fold { color: #666; }
.e4-ln { white-space: pre-wrap; padding: 0 3px; border-left: 4px solid transparent; }
.e4-ln.e4-local { color: #666; }
.e4-ln.e4-cur { background: #FFF3C4; border-left-color: #E69F00; font-weight: bold; }
.e4-ln.e4-ret { border-left-color: #56B4E9; background: #EAF5FC; }
.e4-badge { display: inline-block; padding: 0 4px; margin: 1px; border-radius: 3px; color: #000;
            font-size: 0.85em; font-weight: bold; border: 1px solid #333; }
.e4-io { display: inline-block; vertical-align: top; border: 2px solid #0072B2; border-radius: 4px;
         padding: 2px 4px; margin: 2px; min-width: 9.5em; background: #fff; }
.e4-io.e4-freed { border-color: #999; background: #eee; color: #555; }
.e4-io.e4-touched { box-shadow: 0 0 0 3px #E69F00; }
.e4-io-h { font-weight: bold; }
.e4-kv td { padding: 0 6px 0 0; vertical-align: top; }
.e4-kv td:first-child { color: #444; white-space: nowrap; }
.e4-inv-g { display: inline; margin: 0 8px 0 0; line-height: 1.6; }
.e4-inv-g-t { font-weight: bold; }
.e4-inv { display: inline-block; border-radius: 3px; padding: 0 4px; margin: 1px; border: 1px solid #888;
          font-size: 0.85em; }
.e4-inv.e4-ok { background: #fff; }
.e4-inv.e4-checked { background: #D6EBF7; border-color: #0072B2; }
.e4-inv.e4-off { color: #888; border-style: dashed; }
.e4-inv.e4-broken { background: #D55E00; color: #fff; border-color: #000; font-weight: bold; }
.e4-account { background: #D55E00; color: #fff; padding: 3px 6px; border-radius: 4px; margin: 3px 0; }
.e4-banner { padding: 2px 6px; border-radius: 4px; font-weight: bold; display: inline-block; }
.e4-out-completed { background: #009E73; color: #fff; }
.e4-out-deadlock, .e4-out-violation { background: #D55E00; color: #fff; }
.e4-out-running { background: #56B4E9; color: #000; }
.e4-win { background: #F0E442; color: #000; padding: 3px 6px; border-radius: 4px; font-weight: bold; }
.e4-error { background: #fff0e6; border: 2px solid #D55E00; color: #000; padding: 3px 6px;
            white-space: pre-wrap; font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em; }
.e4-msg { color: #111; }
.e4-explain { white-space: pre-wrap; font-size: 0.85em; color: #333; max-height: 7em; overflow: auto; }
.e4-compact .e4-explain { max-height: none; }
.e4-run-btn button, .e4-root .e4-task-btn { font-weight: bold; }
.e4-root .e4-task-btn.e4-next { outline: 3px solid #E69F00; }
</style>
"""
