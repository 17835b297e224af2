"""Timed workloads as data: who submits IO when, and who else wants i_mutex.

A ``Workload`` describes the load of one timed run (``ext4io_teach.timed``); ``make_workload`` builds
a named one for a number of IOs. Named workloads:

* ``classroom``: a handful of AIO direct writes (1 context, 4 in flight) and one overlapping truncate.
  Small enough to read every bar of the timeline.
* ``seed``: the seed's TEST_CASE1 (fallocate 1 GiB, ``aio-stress -I N -O -s 100m -n -t 1 -c 10 -o 2 -o 3``,
  then truncate). ``-I N`` is read as N async IOs in total over the random-write stage (-o 2) and the
  random-read stage (-o 3): N/2 writes into unwritten extents (each one io_end), then N/2 reads.
  ASSUMPTION: the seed runs aio-stress and truncate one after another (``sleep 2`` between them); we
  start the truncate while the write stage is still running (at the midpoint of the write stage),
  which is how we assume the hang is hit in practice, as xfstests 299 does.
* ``aio-stress``: the same IO without the truncate.
* ``buffered``: the write stage plus two buffered writers that take i_mutex for each write(), so the
  old worker's trylock fails and it requeues even without truncate.
* ``fsync``: the write stage plus an fsync every 2 ms (``ext4_sync_file`` holds i_mutex around its flush).
* ``xfstests-299``: fio-like direct random writes (4 jobs, 128 in flight each, 128 KiB blocks) while a
  loop truncates to 0 and fallocates again every 5 ms (generic/299, formerly Dmitry Monakhov's 286).

Device model: an IO completes ``device_latency_us`` after it was submitted, and the device finishes
at most one IO every ``device_per_io_us`` (± ``jitter_pct`` drawn from the run's seeded RNG), in
submission order. SIMPLIFICATION: submission and completion keep the same order, so the completion
task can complete io_ends 0..N-1 in order, exactly as in the stepping scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import bad_input, shown

MAX_TIMED_IOS = 1_000_000


@dataclass(frozen=True)
class Workload:
    name: str
    writes: int  # AIO direct writes into unwritten extents: one io_end each
    reads: int = 0  # AIO direct reads after the write stage (aio-stress -o 3): no io_end
    submitters: int = 1  # aio-stress threads (-t) or fio jobs
    contexts: int = 1  # io contexts per submitter (-c); IOs are spread over them round robin
    depth: int = 64  # AIOs in flight per context (-d, default 64)
    record_kib: int = 64  # record size (-r, default 64 KiB)
    device_latency_us: int = 400
    device_per_io_us: int = 60  # at 64 KiB; scaled by record_kib / 64
    jitter_pct: int = 25
    truncate_at_us: int | None = None  # one truncate (ext4_setattr) starting at this time
    truncate_every_us: int | None = None  # xfstests 299: truncate + fallocate, again and again
    fsync_every_us: int | None = None
    buffered_writers: int = 0
    buffered_every_us: int = 150  # each buffered writer calls write() this often
    time_limit_us: int | None = None  # None: derived from the expected duration
    story: str = ""

    def __post_init__(self):
        for name in ("writes", "submitters", "contexts", "depth", "record_kib", "device_per_io_us"):
            _positive(name, getattr(self, name))
        for name in ("reads", "device_latency_us", "jitter_pct", "buffered_writers", "buffered_every_us"):
            _positive(name, getattr(self, name), low=0)
        if self.jitter_pct > 90:
            raise bad_input("jitter_pct", f"{self.jitter_pct} is too large", "0..90")
        for name in ("truncate_at_us", "truncate_every_us", "fsync_every_us", "time_limit_us"):
            value = getattr(self, name)
            if value is not None:
                _positive(name, value, low=0 if name == "truncate_at_us" else 1)

    @property
    def per_io_us(self) -> int:
        return max(1, self.device_per_io_us * self.record_kib // 64)

    @property
    def expected_us(self) -> int:
        """How long the IO alone should take on the device (the time limit is derived from it)."""
        return (self.writes + self.reads) * self.per_io_us + self.device_latency_us

    @property
    def limit_us(self) -> int:
        return self.time_limit_us if self.time_limit_us is not None else 2 * self.expected_us + 20_000

    def with_(self, **changes) -> Workload:
        return replace(self, **changes)

    def describe(self) -> str:
        parts = [f"{self.writes} AIO direct writes into unwritten extents"]
        if self.reads:
            parts.append(f"then {self.reads} AIO direct reads")
        parts.append(f"{self.submitters} submitter(s) x {self.contexts} context(s) x {self.depth} in flight, "
                     f"{self.record_kib} KiB records")
        if self.truncate_at_us is not None:
            parts.append(f"truncate at {self.truncate_at_us} us")
        if self.truncate_every_us:
            parts.append(f"truncate + fallocate every {self.truncate_every_us} us")
        if self.fsync_every_us:
            parts.append(f"fsync every {self.fsync_every_us} us")
        if self.buffered_writers:
            parts.append(f"{self.buffered_writers} buffered writer(s), one write() every {self.buffered_every_us} us")
        return "; ".join(parts)


def _positive(name: str, value, low: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise bad_input(name, f"{shown(value)} is not a whole number >= {low}", f"an integer >= {low}")


def _seed(ios: int) -> Workload:
    writes = max(1, ios // 2)
    base = Workload("seed", writes, ios - writes, contexts=10, depth=64)
    return base.with_(truncate_at_us=writes // 2 * base.per_io_us,
                      story="aio-stress -I N -O -n -t 1 -c 10 -o 2 -o 3 with a truncate in the middle of the writes")


def _classroom(ios: int) -> Workload:
    base = Workload("classroom", ios, contexts=1, depth=4, device_latency_us=100, device_per_io_us=40, jitter_pct=0)
    return base.with_(truncate_at_us=base.device_latency_us + (ios // 2) * base.per_io_us,
                      time_limit_us=base.expected_us + 2_000,
                      story="a few AIO direct writes and one truncate that overlaps them")


WORKLOADS = {
    "classroom": _classroom,
    "seed": _seed,
    "aio-stress": lambda n: _seed(n).with_(name="aio-stress", truncate_at_us=None,
                                           story="the seed's aio-stress run, no truncate"),
    "buffered": lambda n: Workload("buffered", n, contexts=10, depth=64, buffered_writers=2,
                                   story="aio-stress writes and two buffered writers taking i_mutex"),
    "fsync": lambda n: Workload("fsync", n, contexts=10, depth=64, fsync_every_us=2_000,
                                story="aio-stress writes and an fsync every 2 ms"),
    "xfstests-299": lambda n: Workload("xfstests-299", n, submitters=4, contexts=1, depth=128, record_kib=128,
                                       truncate_every_us=5_000,
                                       story="fio direct randwrite x4 (iodepth 128, bs 128k) while a loop "
                                             "truncates and fallocates"),
}

DEFAULT_IOS = {"classroom": 12, "seed": 100_000, "aio-stress": 100_000, "buffered": 10_000, "fsync": 10_000,
               "xfstests-299": 10_000}


def workload_names() -> list[str]:
    return list(WORKLOADS)


def make_workload(name: str, ios: int, **changes) -> Workload:
    """The named workload for ``ios`` IOs, with optional field changes (validated)."""
    if not isinstance(name, str) or name not in WORKLOADS:
        raise bad_input("scenario", f"unknown timed scenario {shown(name)}", ", ".join(WORKLOADS))
    if isinstance(ios, bool) or not isinstance(ios, int) or not 1 <= ios <= MAX_TIMED_IOS:
        raise bad_input("ios", f"{shown(ios)} is out of range", f"1..{MAX_TIMED_IOS}")
    if name == "seed" and ios < 2:
        raise bad_input("ios", f"{ios} is too small for the seed's write and read stages", f"2..{MAX_TIMED_IOS}")
    w = WORKLOADS[name](ios)
    if changes:
        try:
            w = w.with_(**changes)
        except TypeError as e:
            raise bad_input("workload", str(e), "fields of Workload") from None
    return w
