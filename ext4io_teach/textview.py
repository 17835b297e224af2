"""The text stepper: the stepper's state panel and each task's next step as plain text.

``print(run)`` and ``run.show()`` (``sched.Run``) and the terminal stepper ``ext4io-teach play``
print what the widget stepper shows (``widgets/render.py``), read from the same facts
(``ext4io_teach.panel``, the invariant cards of ``widgets/cards.py``, the pseudo-code of the design's
step table), so it works where widgets do not: nbconvert, slides, a terminal, a screen reader.

Plain ASCII words, no colour, no box drawing and no symbol that means something only to the eye: a
flag is written by name, a broken invariant says BROKEN, the task the loaded schedule steps next is
marked ``*`` and the legend says so. Standard library only.
"""

from __future__ import annotations

from . import panel
from .model.flags import describe
from .step import where


def _cards(run) -> list:
    """The invariant cards of the run's state (as the widget's controller builds them)."""
    from .widgets import cards as cards_mod

    w = run.world
    rec = run.trace[-1] if run.trace else None
    checked = cards_mod.checked_by(rec, w.checks, w.all_finished())
    return [c for cs in cards_mod.cards(w.checks, checked, run.violation).values() for c in cs]


def header_lines(run) -> list[str]:
    i = run.inputs
    extra = (", split-rmw" if i["split_rmw"] else "") + (f", fail-io {i['fail_io']}" if i["fail_io"] is not None
                                                         else "")
    extra += f", {i['workers']} kworkers" if i.get("workers", 1) != 1 else ""
    out = run.outcome() or "running"
    lines = [f"{i['scenario']}, design {i['design']}, {i['ios']} io_end(s){extra}, step {len(run.schedule)}: {out}",
             f"  {run.world.design.title}"]
    rec = run.trace[-1] if run.trace else None
    if rec is not None and run.violation is not None and rec.kind == "violation":
        lines.append(f"last step: {rec.i} {rec.name} broke {run.violation.invariant}")
    elif rec is not None:
        lines.append(f"last step: {rec.i} {rec.name}: {rec.label}")
    lines.append("schedule: " + (",".join(map(str, run.schedule)) or "(none yet)"))
    return lines


def state_lines(world) -> list[str]:
    """The state panel: locks, the completed list, the counters, the workqueue, drainers' local lists."""
    rows = [(label, "   ".join(parts)) for label, parts in panel.state_rows(world)]
    width = max(len(k) for k, _ in rows)
    return ["state:"] + [f"  {k:<{width}}  {v}" for k, v in rows]


def io_lines(world, touched: int | None) -> list[str]:
    out = ["io_ends:"]
    for io in world.ios:
        where = ("on " if io.where else "") + panel.io_where(world, io)
        facts = "; ".join([where, *panel.io_status(world, io)])
        mark = "   (touched by the last step)" if io.id == touched else ""
        out.append(f"  io#{io.id}  {describe(io.flags).replace('-', 'no flags')}  {facts}{mark}")
    return out


def invariant_lines(cards) -> list[str]:
    """One summary line, then every broken invariant with the model's account and the rule."""
    n = {s: sum(1 for c in cards if c.state == s) for s in ("ok", "checked", "off", "broken")}
    line = f"invariants: {n['ok'] + n['checked']} hold"
    if n["checked"]:
        line += f" ({n['checked']} checked by the last step)"
    if n["broken"]:
        line += f", {n['broken']} BROKEN"
    if n["off"]:
        line += f", {n['off']} not checked for this design"
    out = [line]
    for c in cards:
        if c.state == "broken":
            out += [f"  BROKEN {c.name}: {c.account}", f"    rule: {c.summary}"]
    return out


def next_step_text(world, t) -> str:
    """Where task ``t`` stands: its next step as the stepper's pseudo-code line, named like a trace
    label (function, stage) and, for a step of ``ext4_end_io``, after the code it runs for."""
    spec = world.design.table[t.pc][0]
    return f"{where(*world.design.label_of(t))}: {spec.text.strip()}"


def task_lines(run, buttons=None, prompt: bool = False) -> list[str]:
    """One entry per task: can it run, and its next step (or why it waits, and where)."""
    w = run.world
    if buttons is None:
        stopped = run.violation is not None
        buttons = [dict(zip(("runnable", "why"), panel.task_status(w, t.tid, stopped)), tid=t.tid, name=t.name,
                        next=False) for t in w.tasks]
    width = max(len(b["name"]) for b in buttons)
    head = "tasks (type a task number to step it):" if prompt else "tasks:"
    out = [head]
    for b in buttons:
        t = w.tasks[b["tid"]]
        line = f"{'*' if b['next'] else ' '} {b['tid']} {b['name']:<{width}}  "
        if b["runnable"]:
            out.append(line + "can run; next: " + next_step_text(w, t))
            continue
        out.append(line + b["why"])
        if not b["why"].startswith(("finished", "stopped")):
            out.append(f"  {'':<{len(str(b['tid'])) + width + 1}}  at: {next_step_text(w, t)}")
    if any(b["next"] for b in buttons):
        out.append("  (* = the next step of the loaded schedule: press Enter to take it)")
    return out


def run_text(run, *, buttons=None, prompt: bool = False) -> str:
    """The whole panel of a ``sched.Run`` as text (what ``print(run)`` shows)."""
    rec = run.trace[-1] if run.trace else None
    lines = header_lines(run) + state_lines(run.world) + io_lines(run.world, rec.io if rec else None)
    lines += invariant_lines(_cards(run))
    lines += task_lines(run, buttons, prompt)
    return "\n".join(lines)


def controller_text(ctrl) -> str:
    """The panel of a ``widgets.StepperController`` (the terminal stepper): the run's panel, the
    controller's next-step mark, then the challenge and the message, as the widget shows them."""
    lines = [run_text(ctrl.run, buttons=ctrl.buttons(), prompt=True)]
    if ctrl.challenge is not None:
        lines.append(ctrl.won if ctrl.won else f"challenge: {ctrl.challenge.goal}")
    # the widget's button names become the terminal's key
    msg = ctrl.message.replace("Press Next or Play", "Press Enter").replace("press Next (or Play)", "press Enter")
    lines.append(msg)
    return "\n".join(lines)
