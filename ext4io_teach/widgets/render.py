"""HTML for the stepper's panels, built from a StepperController (plain strings, no ipywidgets).

Every piece of model state the browser test reads carries a ``data-`` attribute: each io_end card
has ``data-io`` and ``data-flags`` (the flag word as ``describe`` writes it) and one ``e4-badge``
per flag that is set, so the DOM can be compared with the model's snapshot.
"""

from __future__ import annotations

from html import escape

from .. import panel
from ..model.flags import NAMES, describe
from .cards import STAGE_TITLES
from .program import SHORT_TITLES
from .style import FLAG_COLOURS

BADGE_FLAGS = ("UNWRITTEN", "QUEUED", "DIRECT", "IN_FSYNC", "ERROR")
_BIT = {name: bit for bit, name in NAMES.items()}
LECTURE_WINDOW = 6  # lines of one block shown in lecture mode (a window around the current line)


def badges(flags: int) -> str:
    return "".join(f'<span class="e4-badge e4-f-{n}" style="background:{FLAG_COLOURS[n]}">{n}</span>'
                   for n in BADGE_FLAGS if flags & _BIT[n])


# -------------------------------------------------------------------- task columns
def program_html(ctrl, tid: int, mode: str) -> str:
    """Task ``tid``'s pseudo-code, the current step highlighted, the return points marked.
    In lecture mode, blocks the task is not in are folded to their title."""
    t = ctrl.world.tasks[tid]
    stack = set(t.stack)
    caller = t.stack[-1] if t.stack else None  # lecture mode unfolds the current block and its caller's
    out, folded = [], []
    for blk in ctrl.program(tid):
        pcs = {ln.pc for ln in blk.lines}
        if mode == "lecture":  # the current block, and the caller's block around ext4_end_io
            here = t.pc in pcs or (caller in pcs and t.pc.startswith("eio."))
        else:
            here = t.pc in pcs or bool(stack & pcs)
        if mode == "lecture" and not here:
            short = SHORT_TITLES.get(blk.segment, blk.segment)
            folded.append(escape("v3.6 completion" if blk.title.startswith("v3.6 completion") else short))
            continue
        lines = []
        shown = [ln for ln in blk.lines if not (mode == "lecture" and ln.local and ln.pc != t.pc)]
        above = below = 0
        if mode == "lecture" and len(shown) > LECTURE_WINDOW:  # a window around the current line
            at = next((i for i, ln in enumerate(shown) if ln.pc == t.pc or ln.pc == caller), 0)
            lo = max(0, min(at - 2, len(shown) - LECTURE_WINDOW))
            above, below = lo, len(shown) - lo - LECTURE_WINDOW
            shown = shown[lo:lo + LECTURE_WINDOW]
        if above:
            lines.append(f'<div class="e4-ln e4-fold">&#8942; {above} line(s) above</div>')
        for ln in shown:
            cls = "e4-ln e4-mono"
            if ln.local:
                cls += " e4-local"
            if ln.pc == t.pc:
                cls += " e4-cur"
            elif ln.pc in stack:
                cls += " e4-ret"
            mark = "&#9654; " if ln.pc == t.pc else ("&#8617; " if ln.pc in stack else "")
            lines.append(f'<div class="{cls}" data-pc="{escape(ln.pc)}">{mark}{escape(ln.text)}</div>')
        if below:
            lines.append(f'<div class="e4-ln e4-fold">&#8942; {below} line(s) below</div>')
        out.append(f'<div class="e4-blk"><div class="e4-blk-t">{escape(blk.title)}</div>{"".join(lines)}</div>')
    if t.pc == "done":
        out.append(f'<div class="e4-ln e4-cur">&#10003; finished{": " + escape(t.result) if t.result else ""}</div>')
    if folded:
        out.append(f'<div class="e4-blk e4-fold">&#9656; also: {" &middot; ".join(folded)}</div>')
    return f'<div data-task="{tid}" data-pc="{escape(t.pc)}">{"".join(out)}</div>'


# -------------------------------------------------------------------- state panel (facts from ..panel)
def io_card(w, io, touched: int | None) -> str:
    cls = "e4-io" + (" e4-freed" if io.freed else "") + (" e4-touched" if io.id == touched else "")
    where = escape(panel.io_where(w, io))
    bits = [escape(b).replace("FREED", "<b>FREED</b>", 1) for b in panel.io_status(w, io)]
    flags = describe(io.flags)
    return (f'<div class="{cls}" data-io="{io.id}" data-flags="{flags}" data-freed="{io.freed}" '
            f'data-where="{escape(io.where or "")}"><span class="e4-io-h">io#{io.id}</span> '
            f'{badges(io.flags) or "<i>no flags</i>"}<br>{where}<br>{"; ".join(bits)}</div>')


def state_html(ctrl) -> str:
    w = ctrl.world
    rec = ctrl.last()
    touched = rec.io if rec is not None else None
    rows = []
    for label, parts in panel.state_rows(w):
        parts = [escape(x) for x in parts]
        if label == "i_dio_count":
            parts[0] = f'<b data-dio-count="{parts[0]}">{parts[0]}</b>'
        rows.append((escape(label), " &nbsp; ".join(parts)))
    table = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
    cards = "".join(io_card(w, io, touched) for io in w.ios)
    return f'<table class="e4-kv">{table}</table><div class="e4-ios">{cards}</div>'


# -------------------------------------------------------------------- invariant cards
_SYMBOL = {"ok": "&#10003;", "checked": "&#10003;&#10003;", "off": "&#8211;", "broken": "&#10007;"}


def cards_html(ctrl, mode: str) -> str:
    groups = ctrl.invariant_cards()
    out, accounts, off = [], [], []
    for stage, cs in groups.items():
        if mode == "lecture":  # fold the cards this design does not check into one chip at the end
            off += [c for c in cs if c.state == "off"]
            cs = [c for c in cs if c.state != "off"]
            if not cs:
                continue
        chips = "".join(
            f'<span class="e4-inv e4-{c.state}" data-inv="{c.name}" data-state="{c.state}" '
            f'title="{escape(c.summary)}">{_SYMBOL[c.state]} {escape(c.name)}</span>' for c in cs)
        out.append(f'<div class="e4-inv-g"><span class="e4-inv-g-t">{STAGE_TITLES.get(stage, stage)}:</span> '
                   f"{chips}</div>")
        accounts += [f'<div class="e4-account" data-account="{c.name}">&#10007; {escape(c.name)}: '
                     f"{escape(c.account)}<br><small>rule: {escape(c.summary)}</small></div>"
                     for c in cs if c.state == "broken"]
    if off:
        names = ", ".join(c.name for c in off)
        out.append(f'<span class="e4-inv e4-off" data-inv-off="{len(off)}" title="{escape(names)}">&#8211; '
                   f"{len(off)} not checked for this design</span>")
    legend = ("<small>&#10003;&#10003; checked by the last step &nbsp; &#10003; holds &nbsp; "
              "&#8211; not checked for this design &nbsp; &#10007; broken</small>")
    return "".join(accounts) + "".join(out) + ("" if mode == "lecture" else f"<div>{legend}</div>")


# -------------------------------------------------------------------- header and messages
def header_html(ctrl) -> str:
    i = ctrl.inputs
    d = ctrl.world.design
    out = ctrl.outcome() or "running"
    extra = (" split-rmw" if i["split_rmw"] else "") + (f" fail-io {i['fail_io']}" if i["fail_io"] is not None
                                                       else "")
    extra += f" {i['workers']} kworkers" if i.get("workers", 1) != 1 else ""
    head = (f'<b>{escape(i["scenario"])}</b> &middot; design <b>{escape(i["design"])}</b> &middot; '
            f'{i["ios"]} io_end(s){escape(extra)} &middot; step {len(ctrl.run.schedule)} &nbsp;'
            f'<span class="e4-banner e4-out-{out}" data-outcome="{out}">{out}</span>'
            f' &nbsp;<small>{escape(d.title)}</small>')
    return head


def message_html(ctrl) -> str:
    parts = []
    if ctrl.error:
        parts.append(f'<div class="e4-error" data-error="1">&#9888; {escape(ctrl.error)}</div>')
    if ctrl.challenge is not None:
        if ctrl.won:
            parts.append(f'<div class="e4-win" data-won="1">&#9733; {escape(ctrl.won)}</div>')
        else:
            parts.append(f'<div class="e4-msg"><b>Challenge:</b> {escape(ctrl.challenge.goal)}</div>')
    parts.append(f'<div class="e4-msg" data-message="1">{escape(ctrl.message)}</div>')
    if ctrl.explanation:
        parts.append(f'<div class="e4-explain">{escape(ctrl.explanation)}</div>')
    return "".join(parts)
