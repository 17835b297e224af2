"""``import ext4io_teach`` stays light: no pandas, matplotlib or ipywidgets until they are needed."""

import subprocess
import sys

HEAVY = ("pandas", "matplotlib", "ipywidgets", "numpy", "tqdm")


def imported_after(code: str) -> list[str]:
    probe = f"{code}\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return [m for m in out.strip().split(",") if m]


def test_package_import_pulls_in_no_heavy_module():
    assert imported_after("import ext4io_teach") == []


def test_a_whole_run_and_the_cli_stay_light():
    code = ("import ext4io_teach as e\n"
            "e.run('fsync-vs-worker', 'new', 3, seed=1)\n"
            "from ext4io_teach.designs import design_names; design_names()\n"
            "from ext4io_teach.cli import build_parser; build_parser()")
    assert imported_after(code) == []


def test_to_frame_imports_pandas_only_when_called():
    code = ("import ext4io_teach as e\nfrom ext4io_teach.trace import to_frame\n"
            "df = to_frame(e.run('truncate-vs-dio', 'new', 1).steps)\nassert len(df) > 10")
    assert "pandas" in imported_after(code)
