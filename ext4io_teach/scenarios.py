"""Named scenarios as data: which tasks start, and what to expect from each design.

All tasks start at once. The ``dio`` task completes io_ends 0..N-1 in order: each is an AIO direct
write into an unwritten extent (flags UNWRITTEN|DIRECT, an iocb to complete), so ``i_dio_count`` and
``i_unwritten`` both start at N. In a ``buffered`` scenario the ``writeback`` task completes buffered
writeback bios instead (``ext4_end_bio``: flags UNWRITTEN, no iocb, pages under writeback until the bio
completes): ``i_unwritten`` starts at N and ``i_dio_count`` at 0. The worker counts as finished when the
queue is empty and it is idle.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import bad_input, shown


@dataclass(frozen=True)
class Scenario:
    name: str
    roles: tuple  # ((task name, role), ...) in task-id order
    story: str
    expect_new: str
    expect_old: str
    needs_fail_io: bool = False
    buffered: bool = False  # the io_ends are buffered writeback bios, completed by a "wb" task

    @property
    def task_names(self) -> list[str]:
        return [name for name, _ in self.roles]

    def roles_with(self, workers: int = 1) -> tuple:
        """The roles with ``workers`` kworkers (``max_active``): ``worker2``, ``worker3`` follow ``worker``."""
        out = []
        for name, role in self.roles:
            out.append((name, role))
            if role == "worker":
                out += [(f"worker{k}", "worker") for k in range(2, workers + 1)]
        return tuple(out)


SCENARIOS: dict[str, Scenario] = {}
MAX_WORKERS = 3  # kworkers of dio_unwritten_wq: 1 is the kernel's (max_active 1), 2 and 3 ask "what if"


def _add(s: Scenario) -> None:
    SCENARIOS[s.name] = s


_add(Scenario(
    "truncate-vs-dio", (("dio", "dio"), ("worker", "worker"), ("truncate", "truncate")),
    "After the seed's TEST_CASE1, in small: AIO direct writes into fallocated (unwritten) space complete while "
    "truncate takes i_mutex and waits in inode_dio_wait for them. ASSUMPTION: the seed's script runs truncate "
    "after aio-stress has exited (sleep 2 between them); the overlap is this package's assumption of how the "
    "hang is hit, as xfstests 299 does with its truncate loop beside fio (see workload.py, docs/timelines.md).",
    "completes", "can hang: truncate never returns while the worker requeues and yields forever"))
_add(Scenario(
    "fsync-vs-worker", (("dio", "dio"), ("worker", "worker"), ("fsync", "fsync")),
    "fsync (ext4_sync_file, holding i_mutex around its flush in both versions) drains the completed "
    "list while the worker runs: who converts and who frees each io_end?",
    "completes; fsync may return while the worker still converts, but an AIO write is owed nothing before "
    "its aio_complete (fsync-durable holds)", "completes (fsync releases i_mutex in the end)"))
_add(Scenario(
    "punch-hole-error", (("dio", "dio"), ("worker", "worker"), ("punch", "punch")),
    "Punch hole flushes the completed list (no i_mutex, no DIO wait at 28a535f9); one conversion fails "
    "(--fail-io K).",
    "punch returns the error and removes nothing (when its flush met the failure); it can remove blocks "
    "while conversions are pending (punch-waits fails; 02d262df waits)",
    "punch ignores the error and removes the blocks", needs_fail_io=True))
_add(Scenario(
    "nolock-dio-read", (("dio", "dio"), ("worker", "worker"), ("reader", "reader")),
    "A dioread_nolock direct read flushes pending conversions first: without i_mutex after 28a535f9, "
    "under i_mutex before (v3.6) and again with c278531d (v3.7: only while i_unwritten != 0, and it waits).",
    "completes", "completes"))
_add(Scenario(
    "completion-storm", (("dio", "dio"), ("worker", "worker")),
    "Many completions, one worker: how many work items run?",
    "one work item drains many io_ends", "one work item per io_end"))
_add(Scenario(
    "fsync-vs-writeback", (("writeback", "wb"), ("worker", "worker"), ("fsync", "fsync")),
    "Buffered writeback bios into unwritten extents complete (ext4_end_bio ends page writeback, then queues "
    "the conversion) while fsync waits for page writeback and then flushes under i_mutex. Unlike an AIO "
    "write, nothing tells the application to wait for the conversion: fsync owes it.",
    "completes, but fsync can return while the worker still holds an unconverted io_end whose pages were "
    "written back (fsync-durable fails; c278531d waits)",
    "completes; fsync-durable holds (the v3.6 worker converts only under i_mutex, which fsync holds)",
    buffered=True))
_add(Scenario(
    "mixed", (("dio", "dio"), ("worker", "worker"), ("fsync", "fsync"), ("truncate", "truncate")),
    "Two flushers at once: AIO direct writes complete while fsync and truncate (both under i_mutex) and "
    "the worker all drain the completed list.",
    "completes", "can hang: truncate never returns while the worker requeues and yields forever, and fsync waits "
    "behind it on i_mutex"))


def get_scenario(name: str) -> Scenario:
    if not isinstance(name, str) or name not in SCENARIOS:
        raise bad_input("scenario", f"unknown scenario {shown(name)}", ", ".join(SCENARIOS))
    return SCENARIOS[name]


def scenario_names() -> list[str]:
    return list(SCENARIOS)
