"""An independent model checker agrees with the explorer: SPIN on the Promela models in
benchmarks/spin/ (truncate-vs-dio, old and new design, N = 1 and 2, safety and liveness under weak
fairness, and three broken variants) gives the same verdicts and stores exactly as many states.

Needs SPIN and a C compiler (Debian: ``apt-get install -y spin``; ``.ci/run`` installs it). Without
them the tests are skipped on a developer machine and fail under CI, like the browser tests."""

import os
import shutil
import sys
import types
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import bench_spin  # noqa: E402  (benchmarks/bench_spin.py)

from ext4io_teach.explore import explore  # noqa: E402

MISSING = [tool for tool in ("spin", "gcc") if shutil.which(tool) is None]
if MISSING:
    if os.environ.get("CI"):
        pytest.fail(f"CI must have {' and '.join(MISSING)} (.ci/run installs Debian's spin)", pytrace=False)
    pytest.skip(f"{' and '.join(MISSING)} not installed (apt-get install -y spin)", allow_module_level=True)

ARGS = types.SimpleNamespace(cc="gcc", cc_opt="", timeout=120.0, memlim=512, depth=200_000, hash_bits=20)
COMMON = (bench_spin.MODELS / "common.pml").read_text()


def model(design: str) -> str:
    return (bench_spin.MODELS / f"{design}.pml").read_text()


@pytest.mark.parametrize("prop", ["safety", "liveness"])
@pytest.mark.parametrize("design", ["old", "new"])
@pytest.mark.parametrize("ios", [1, 2])
def test_spin_agrees_with_the_explorer(design, prop, ios):
    spin = bench_spin.spin_check(model(design), design, ios, prop, ARGS, COMMON)
    ours = explore(bench_spin.SCENARIO, design, ios, property=prop, progress=False)
    assert bench_spin.SPIN_TO_EXPLORER.get(spin["verdict"]) == ours.verdict, spin
    # same abstraction, same granularity: the same number of states (for a livelock, SPIN stops at its
    # first cycle; the -c0 run counts the whole graph, which the explorer builds for liveness)
    assert spin["whole"] == ours.states


@pytest.mark.parametrize("variant", sorted(bench_spin.MUTANTS))
def test_spin_catches_the_same_broken_variants(variant):
    old, new = bench_spin.MUTANTS[variant]
    text = model("new")
    assert text.count(old) == 1, "the line the variant changes is no longer in new.pml"
    verdicts = []
    for ios in (1, 2):
        spin = bench_spin.spin_check(text.replace(old, new), "new", ios, "safety", ARGS, COMMON)
        ours = explore(bench_spin.SCENARIO, variant, ios, property="safety", progress=False)
        assert bench_spin.SPIN_TO_EXPLORER.get(spin["verdict"]) == ours.verdict, (ios, spin)
        verdicts.append(ours.verdict)
    assert verdicts[-1] != "ok", "the variant is caught at N = 2"
