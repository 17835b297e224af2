"""Reproduce the ``make test`` kernel flake: parallel TCP kernel starts lose their ports to other processes.

A TCP kernel's ports are chosen by binding port 0 and closing (jupyter_client), and bound by the kernel
only once it has started; a process that binds an ephemeral port in between takes it and the kernel dies
("Kernel died before replying to kernel_info"). This script starts kernels the way nbval does, several at
once, while "servers" pick ports the way ``tests/browser_util.free_port`` does and listen on them a moment
later, and counts what died. ``--transport ipc`` gives the kernels the test suite's IPC managers
(``tests/kernel_ipc.py``); ``--nbval NOTEBOOK`` runs whole ``pytest --nbval`` sessions instead, with
(``--fixed``) or without (``--noconftest``) the repository's conftest.

``--port-range 40000-40063`` runs everything in a fresh network namespace (``unshare -n``, root only) whose
ephemeral port range is that narrow, so collisions that take hours on the full range (28,232 ports) happen
in seconds; the machine's own network and range are not touched. Examples:

    .venv/bin/python tools/kernel_port_race.py --port-range 40000-40063 --transport tcp
    .venv/bin/python tools/kernel_port_race.py --port-range 40000-40063 --transport ipc
    .venv/bin/python tools/kernel_port_race.py --port-range 40000-40063 --nbval notebooks/00_overview.ipynb
    .venv/bin/python tools/kernel_port_race.py --port-range 40000-40063 --nbval notebooks/00_overview.ipynb --fixed
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSIDE = "E4_PORT_RACE_NETNS"


def steal(stop_at: float, failures) -> None:
    """Like a test server: take a free port (bind 0, close), start listening on it a moment later."""
    rng = random.Random(os.getpid())
    while time.time() < stop_at:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        time.sleep(rng.uniform(0.05, 0.4))  # the server process starting up
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            srv.bind(("127.0.0.1", port))
            srv.listen()
            time.sleep(rng.uniform(0.2, 1.0))
        except OSError:
            failures.value += 1
        finally:
            srv.close()


def kernels(rounds: int, transport: str, died, started, first_error) -> None:
    import nbval.kernel

    if transport == "ipc":
        sys.path.insert(0, str(ROOT / "tests"))
        from kernel_ipc import IpcKernelManager

        nbval.kernel.KernelManager = IpcKernelManager
    for _ in range(rounds):
        try:
            km, kc = nbval.kernel.start_new_kernel(startup_timeout=60, kernel_name=nbval.kernel.CURRENT_ENV_KERNEL_NAME,
                                                   stderr=subprocess.DEVNULL)
        except RuntimeError as e:
            died.value += 1
            if not first_error.value:
                first_error.value = str(e)[:200].encode()
            continue
        started.value += 1
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    if transport == "ipc":  # a forked worker ends without running atexit handlers
        import shutil

        import kernel_ipc
        shutil.rmtree(kernel_ipc._DIR, ignore_errors=True)


def nbval_session(notebook: str, fixed: bool, died, started, first_error) -> None:
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
           notebook] + ([] if fixed else ["--noconftest"])
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True).stdout
    if "Kernel died before replying to kernel_info" in out or "Address already in use" in out:
        died.value += 1
        if not first_error.value:
            first_error.value = b"Kernel died before replying to kernel_info"
    elif " passed" in out and " failed" not in out:
        started.value += 1
    elif not first_error.value:
        first_error.value = out[-200:].encode()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--transport", choices=("tcp", "ipc"), default="tcp")
    ap.add_argument("--workers", type=int, default=4, help="kernels started at the same time")
    ap.add_argument("--rounds", type=int, default=6, help="kernels (or nbval sessions) per worker")
    ap.add_argument("--stealers", type=int, default=4, help="processes taking ports like a test server")
    ap.add_argument("--port-range", default=None, help="e.g. 40000-40063: a narrow range in a new netns")
    ap.add_argument("--nbval", metavar="NOTEBOOK", default=None, help="run pytest --nbval sessions on it")
    ap.add_argument("--fixed", action="store_true", help="with --nbval: with the repository's conftest")
    args = ap.parse_args()
    if args.port_range and not os.environ.get(INSIDE):
        low, high = args.port_range.split("-")
        inner = (f"ip link set lo up && echo {low} {high} > /proc/sys/net/ipv4/ip_local_port_range && "
                 f"exec {sys.executable} {' '.join(map(repr, sys.argv))}")
        return subprocess.call(["unshare", "-n", "sh", "-c", inner], env=dict(os.environ, **{INSIDE: "1"}))
    died, started, failures = mp.Value("i", 0), mp.Value("i", 0), mp.Value("i", 0)
    first_error = mp.Array("c", 256)
    stop_at = time.time() + 3600
    stealers = [mp.Process(target=steal, args=(stop_at, failures)) for _ in range(args.stealers)]
    for p in stealers:
        p.start()
    t0 = time.time()
    if args.nbval:
        jobs = [mp.Process(target=lambda: [nbval_session(args.nbval, args.fixed, died, started, first_error)
                                           for _ in range(args.rounds)]) for _ in range(args.workers)]
    else:
        jobs = [mp.Process(target=kernels, args=(args.rounds, args.transport, died, started, first_error))
                for _ in range(args.workers)]
    for p in jobs:
        p.start()
    for p in jobs:
        p.join()
    for p in stealers:
        p.terminate()
        p.join()
    what = f"nbval sessions ({'with' if args.fixed else 'without'} the conftest fix)" if args.nbval \
        else f"{args.transport} kernels"
    print(f"{what}: {started.value} ok, {died.value} died; server port grabs that failed: {failures.value}; "
          f"port range {args.port_range or 'the machine’s'}; {time.time() - t0:.0f} s")
    if first_error.value:
        print("first error:", first_error.value.decode(errors="replace"))
    return 1 if died.value else 0


if __name__ == "__main__":
    sys.exit(main())
