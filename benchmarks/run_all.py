"""Run every benchmark script in turn (``make bench``). Each prints its own table and the machine."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [["bench_sched.py"], ["bench_explore.py"], ["bench_explore.py", "--memory"], ["bench_timed.py"],
           ["bench_timed.py", "--memory"], ["bench_widgets.py"], ["bench_notebooks.py"],
           ["bench_spin.py"],  # bench_spin says so and exits 0 when spin is not installed
           ["bench_site.py"]]  # says so and exits 0 without a built site (make site) or unshare -n

if __name__ == "__main__":
    failed = 0
    for name, *args in SCRIPTS:
        print(f"\n===== {' '.join([name, *args])} =====", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / name), *args]) != 0
    sys.exit(1 if failed else 0)
