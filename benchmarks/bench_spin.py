"""Benchmark (not a test): SPIN side by side with the explorer on truncate-vs-dio (optional: needs spin).

For the old (v3.6) and the new (28a535f9) design at N = 1..--max-ios, properties safety and liveness,
it runs the Promela models in ``benchmarks/spin/`` through SPIN (``spin -a``, ``gcc``, ``./pan``) in a
temporary directory and ``ext4io_teach.explore.explore`` on the same scenario/design/N/property, and
prints one Markdown table: both verdicts, both state counts, and the seconds of each SPIN phase
(generate, compile, verify) next to the explorer's seconds (in this process, and end to end as
``ext4io-teach check`` in a fresh process). Then, unless ``--no-mutants``, three
broken variants of the new design (the same one-line changes as the explorer's mutants of those names)
at N = 1, 2, safety only.

* safety: ``gcc -DSAFETY -DNOCLAIM``, ``./pan``: assertions (the model's checks) and invalid end
  states (deadlocks);
* liveness: ``./pan -a -f -N live``: an acceptance cycle of ``<> (truncate returned && every io_end
  freed)`` under weak fairness is a livelock (the explorer's liveness goals). SPIN stops at the first
  cycle; the run is repeated with ``-c0`` (go on past errors) to count the whole graph, which is what
  the explorer builds for liveness.

    .venv/bin/python benchmarks/bench_spin.py [--max-ios 6] [--cc-opt -O0] [--timeout 300] [--no-mutants]

If ``spin`` (Debian package spin) or a C compiler is missing it says so and exits 0.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe  # noqa: E402  (benchmarks/machine.py)

HERE = Path(__file__).resolve().parent
MODELS = HERE / "spin"
SCENARIO = "truncate-vs-dio"
DESIGNS = ("old", "new")
PROPERTIES = ("safety", "liveness")

# pan's verdicts in the explorer's words
SPIN_TO_EXPLORER = {"ok": "ok", "assertion violated": "violation", "invalid end state": "deadlock",
                    "acceptance cycle": "livelock"}

# Broken variants of new.pml: (text in new.pml, replacement). Same changes as the explorer's mutants.
MUTANTS = {
    "drain-one": (
        "    i = 0;\n    do\n    :: i < lst[INODE].n ->\n"
        "       li = lst[INODE].e[i]; assert(!freed[li]);\n"
        "       lst[UNW(me)].e[i] = li; where[li] = UNW(me); lst[INODE].e[i] = 0; i++\n"
        "    :: else -> break\n    od;\n    lst[UNW(me)].n = lst[INODE].n; lst[INODE].n = 0;\n",
        "    if\n    :: lst[INODE].n > 0 -> fnd = lst[INODE].e[0]; list_del_init(fnd); list_add_tail(fnd, UNW(me))\n"
        "    :: else -> skip\n    fi;\n"),
    "free-without-unlink": (
        "  io = lst[TOF(me)].e[0]; list_del_init(io)\n",
        "  io = lst[TOF(me)].e[0]\n"),
    "queued-test-on-work-io": (
        "if :: !(flags[io] & QUEUED) -> list_add(io",
        "if :: !(flags[wio] & QUEUED) -> list_add(io"),
}


def children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run(cmd: list[str], cwd: Path, timeout: float) -> tuple[str, float]:
    """Run a command; return (stdout+stderr, wall seconds). Raises on failure or timeout."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout)
    dt = time.perf_counter() - t0
    if p.returncode != 0 and cmd[0] != "./pan":  # pan exits 0 even when it finds an error
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout[-2000:]}")
    return p.stdout, dt


def parse_pan(out: str) -> dict:
    """Verdict, stored states, transitions and the first error message from pan's report."""
    def num(pattern: str) -> int | None:
        m = re.search(pattern, out)
        return int(m.group(1)) if m else None

    errors = num(r"errors: (\d+)")
    m = re.search(r"pan:1: (.*?)(?: \(at depth \d+\))?$", out, re.M)
    message = m.group(1).strip() if m else ""
    incomplete = re.search(r"max search depth too small|out of memory|reached -DMEMLIM bound", out)
    if errors is None:
        verdict = "no report"
    elif incomplete:
        verdict = "incomplete"
    elif errors == 0:
        verdict = "ok"
    elif "acceptance cycle" in message:
        verdict = "acceptance cycle"
    elif "invalid end state" in message:
        verdict = "invalid end state"
    elif "assertion violated" in message:
        verdict = "assertion violated"
    else:
        verdict = message or "error"
    return {"verdict": verdict, "errors": errors, "states": num(r"(\d+) states, stored"),
            "transitions": num(r"(\d+) transitions"), "message": message}


def spin_check(model_text: str, name: str, n: int, prop: str, args, common: str) -> dict:
    """spin -a, gcc, pan for one case in a fresh temporary directory; timings and pan's verdict."""
    with tempfile.TemporaryDirectory(prefix="ext4io-spin-") as tmp:
        d = Path(tmp)
        (d / "common.pml").write_text(common)
        (d / f"{name}.pml").write_text(model_text)
        cpu0 = children_cpu()
        _, t_gen = run(["spin", "-a", f"-DN={n}", f"{name}.pml"], d, args.timeout)
        cflags = [f"-DMEMLIM={args.memlim}"] + (["-DSAFETY", "-DNOCLAIM"] if prop == "safety" else [])
        if args.cc_opt:
            cflags.insert(0, args.cc_opt)
        _, t_cc = run([args.cc, *cflags, "-o", "pan", "pan.c"], d, args.timeout)
        pan = ["./pan", f"-m{args.depth}", f"-w{args.hash_bits}"]
        if prop == "liveness":
            pan += ["-a", "-f", "-N", "live"]
        out, t_pan = run(pan, d, args.timeout)
        cpu = children_cpu() - cpu0
        res = parse_pan(out)
        res.update(gen=t_gen, cc=t_cc, pan=t_pan, total=t_gen + t_cc + t_pan, cpu=cpu, whole=res["states"])
        if prop == "liveness" and res["errors"]:  # pan stopped at the first cycle: count the whole graph (-c0)
            out_all, _ = run(pan + ["-c0"], d, args.timeout)
            res["whole"] = parse_pan(out_all)["states"]
        return res


def explorer_check(design: str, n: int, prop: str) -> dict:
    from ext4io_teach.explore import explore

    c0 = time.process_time()
    r = explore(SCENARIO, design, n, property=prop, progress=False)
    cpu = time.process_time() - c0
    what = f" ({r.violation['invariant']})" if r.violation else ""
    return {"verdict": r.verdict, "detail": r.verdict + what, "states": r.states, "seconds": r.seconds, "cpu": cpu}


def cli_seconds(design: str, n: int, prop: str) -> str:
    """Wall seconds of ``ext4io-teach check`` end to end (interpreter start, imports, search, report)."""
    exe = Path(sys.executable).parent / "ext4io-teach"
    if not exe.exists():
        return "-"
    t0 = time.perf_counter()
    subprocess.run([str(exe), "check", SCENARIO, "--design", design, "--ios", str(n), "--property", prop],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return f"{time.perf_counter() - t0:.2f}"


def fmt_states(s: dict) -> str:
    if s["whole"] is not None and s["whole"] != s["states"]:
        return f"{s['states']:,} (whole graph {s['whole']:,})"
    return f"{s['states']:,}" if s["states"] is not None else "?"


def tool_versions(cc: str) -> str:
    spin = subprocess.run(["spin", "-V"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.strip()
    gcc = subprocess.run([cc, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True).stdout.splitlines()[0]
    return f"{spin}; {gcc}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-ios", type=int, default=6, help="largest N (the explorer's cap is 6)")
    ap.add_argument("--cc", default=os.environ.get("CC", "gcc"), help="C compiler for pan.c")
    ap.add_argument("--cc-opt", default="", help="optimisation flag for pan.c, e.g. -O2 (default: none, i.e. -O0)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per spin/gcc/pan command")
    ap.add_argument("--memlim", type=int, default=512, help="pan's memory limit in MB (-DMEMLIM)")
    ap.add_argument("--depth", type=int, default=200_000, help="pan's search depth limit (-m)")
    ap.add_argument("--hash-bits", type=int, default=20, help="pan's hash table size, 2^k slots (-w)")
    ap.add_argument("--no-mutants", action="store_true", help="skip the broken variants")
    args = ap.parse_args()

    missing = [tool for tool in ("spin", args.cc) if shutil.which(tool) is None]
    if missing:
        print(f"{' and '.join(missing)} not found: this optional benchmark needs SPIN (Debian: "
              "apt-get install -y spin) and a C compiler. Nothing was measured.")
        return 0

    print(f"machine: {describe(load=True)}")
    print(f"tools: {tool_versions(args.cc)}; pan.c compiled with `{args.cc} {args.cc_opt or '(no -O flag)'}`\n")
    common = (MODELS / "common.pml").read_text()
    texts = {d: (MODELS / f"{d}.pml").read_text() for d in DESIGNS}

    print("| design | N | property | SPIN verdict | explorer verdict | agree | SPIN states stored | explorer states "
          "| spin -a s | gcc s | pan s | SPIN total s (CPU s) | explorer s (CPU s) | explorer CLI s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    disagreements = 0
    for design in DESIGNS:
        for n in range(1, args.max_ios + 1):
            for prop in PROPERTIES:
                s = spin_check(texts[design], design, n, prop, args, common)
                e = explorer_check(design, n, prop)
                agree = SPIN_TO_EXPLORER.get(s["verdict"]) == e["verdict"]
                disagreements += not agree
                print(f"| {design} | {n} | {prop} | {s['verdict']} | {e['detail']} | {'yes' if agree else '**NO**'} "
                      f"| {fmt_states(s)} | {e['states']:,} | {s['gen']:.2f} | {s['cc']:.2f} | {s['pan']:.3f} "
                      f"| {s['total']:.2f} ({s['cpu']:.2f}) | {e['seconds']:.3f} ({e['cpu']:.3f}) "
                      f"| {cli_seconds(design, n, prop)} |", flush=True)

    if not args.no_mutants:
        from ext4io_teach.explore import explore

        print("\nBroken variants of new.pml (safety, every invariant of the new design's family):\n")
        print("| variant | N | SPIN verdict | SPIN message | explorer verdict | agree | SPIN states stored "
              "| explorer states |")
        print("|---|---|---|---|---|---|---|---|")
        for name, (old, new) in MUTANTS.items():
            if texts["new"].count(old) != 1:
                print(f"| {name} | - | (the text to change is not in new.pml once: skipped) | | | | | |")
                continue
            text = texts["new"].replace(old, new)
            for n in (1, 2):
                s = spin_check(text, "new", n, "safety", args, common)
                r = explore(SCENARIO, name, n, property="safety", progress=False)
                what = f" ({r.violation['invariant']})" if r.violation else ""
                agree = SPIN_TO_EXPLORER.get(s["verdict"]) == r.verdict
                disagreements += not agree
                message = (s["message"] or "-").replace("|", "\\|")
                print(f"| {name} | {n} | {s['verdict']} | `{message}` | {r.verdict}{what} "
                      f"| {'yes' if agree else '**NO**'} | {s['states']:,} | {r.states:,} |", flush=True)

    print(f"\n{'all verdicts agree' if not disagreements else f'{disagreements} verdict(s) disagree'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
