"""The primer's threads demo: the old worker spins until the timeout, the new one completes; and the
demo stays outside the model core (no other module imports it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ext4io_teach import threads_demo


def test_the_old_worker_spins_until_the_timeout():
    out = threads_demo.old_worker_hang(timeout=0.3)
    assert out.returned is False
    assert out.rounds > 10  # it kept running: every round a failed trylock and a requeue


def test_the_new_worker_converts_without_the_lock():
    out = threads_demo.new_worker_completes(timeout=5.0)
    assert out.returned is True and out.rounds == 1


def test_no_thread_is_left_running():
    import threading

    before = threading.active_count()
    threads_demo.old_worker_hang(timeout=0.1)
    threads_demo.new_worker_completes(timeout=1.0)
    assert threading.active_count() == before


def test_the_demo_is_outside_the_model_core():
    pkg = Path(threads_demo.__file__).parent
    importers = [p.relative_to(pkg).as_posix() for p in pkg.rglob("*.py")
                 if p.name != "threads_demo.py" and "threads_demo" in p.read_text()]
    assert importers == []
    probe = ("import sys, ext4io_teach as e4\ne4.run('truncate-vs-dio', 'old', 1, max_steps=50)\n"
             "print('ext4io_teach.threads_demo' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
