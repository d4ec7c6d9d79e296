"""How many CPU threads a training should use: the cores this process really gets.

torch's default is one intra-op thread per core of the machine. In a container limited by
CPU affinity or a cgroup quota that is too many, and on a machine whose cores other
processes keep busy it is much worse than too few: every operator splits its work over all
threads and waits for the slowest, so one thread descheduled by a competing process stalls
the others (measured: ``benchmarks/training_time.py`` 7× slower at load 3–5 on 2 cores with
2 threads; see BENCHMARKS.md and ``benchmarks/first_training.py``). Nothing here imports
Django or torch.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")


def training_threads(
    *,
    affinity: int | None = None,
    quota: float | None = None,
    load: float | None = None,
) -> int:
    """Intra-op threads for a training starting now.

    ``affinity`` (cores this process may run on), ``quota`` (cores' worth of CPU time the
    cgroup allows, ``math.inf`` for none) and ``load`` (cores' worth of other processes that
    want the CPU, ``other_load``) are read from the system when not given. Every core the
    others leave idle gets a thread; at least one.
    """
    cores = affinity if affinity is not None else available_cores()
    allowed = quota if quota is not None else cgroup_quota()
    busy = load if load is not None else other_load()
    usable = min(cores, max(1, math.floor(allowed)) if math.isfinite(allowed) else cores)
    # A core counts as taken once another process keeps it busy more than half the time.
    return max(1, min(usable, usable - math.floor(busy + 0.5)))


def available_cores() -> int:
    """Cores in this process's CPU affinity mask (``os.cpu_count()`` where unsupported)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def cgroup_quota(root: Path = CGROUP, proc_cgroup: Path = Path("/proc/self/cgroup")) -> float:
    """CPU time this cgroup may use per unit of wall time (2.0 = two cores); ``inf`` if unlimited.

    cgroup v2 ``cpu.max`` ("max 100000" or "150000 100000"), else v1
    ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``, in this process's own cgroup or at the root
    of the mount (what a container sees).
    """
    for quota_file, parse in (("cpu.max", _parse_v2), ("cpu.cfs_quota_us", _parse_v1)):
        for directory in _cgroup_dirs(root, proc_cgroup, "" if quota_file == "cpu.max" else "cpu"):
            path = directory / quota_file
            try:
                return parse(path)
            except (OSError, ValueError):
                continue
    return math.inf


def _cgroup_dirs(root: Path, proc_cgroup: Path, controller: str) -> list[Path]:
    """This process's cgroup directory for ``controller`` ("" for v2), then the mount's root."""
    base = root / controller if controller else root
    dirs = []
    try:
        for line in proc_cgroup.read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if (controller and controller in controllers.split(",")) or (
                not controller and controllers == ""
            ):
                dirs.append(base / path.lstrip("/"))
    except OSError:
        pass
    return [d for d in dirs if d != base] + [base]


def _parse_v2(path: Path) -> float:
    quota, period = path.read_text().split()[:2]
    return math.inf if quota == "max" else int(quota) / int(period)


def _parse_v1(path: Path) -> float:
    quota = int(path.read_text())
    period = int((path.parent / "cpu.cfs_period_us").read_text())
    return math.inf if quota <= 0 else quota / period


def other_load(
    loadavg: float | None = None, runnable: float | None = None, *, samples: int = 5
) -> float:
    """Cores' worth of other processes that want the CPU: the smaller of the one-minute load
    average and the processes runnable right now besides this one.

    The average alone lags by a minute or more, so a worker whose own previous task (a
    training, a rescore) just ended would see its own load as someone else's; the
    instantaneous count alone misses a competitor that sleeps in short bursts. Both agree on
    the case that matters: processes that keep cores busy. ``runnable`` is the mean of
    ``samples`` reads of /proc/loadavg, 10 ms apart.
    """
    average = os.getloadavg()[0] if loadavg is None else loadavg
    now = _runnable_now(samples) if runnable is None else runnable
    return max(0.0, min(average, now))


def _runnable_now(
    samples: int, path: Path = Path("/proc/loadavg"), own_tasks: Path = Path("/proc/self/task")
) -> float:
    """Runnable tasks of other processes, averaged over a few reads (inf if unknown).

    This process's own runnable threads are left out: the reader, and OpenMP workers that
    still spin after the last parallel region (they would count as a competitor).
    """
    counts = []
    for i in range(samples):
        try:
            running = int(path.read_text().split()[3].split("/")[0])
        except (OSError, ValueError, IndexError):
            return math.inf
        counts.append(max(0, running - _own_runnable(own_tasks)))
        if i + 1 < samples:
            time.sleep(0.01)
    return sum(counts) / len(counts)


def _own_runnable(own_tasks: Path) -> int:
    """Threads of this process in state R (at least 1: the one reading)."""
    running = 0
    for stat in own_tasks.glob("*/stat"):
        try:
            # The state follows the parenthesised command name, which may hold spaces.
            running += stat.read_text().rsplit(")", 1)[1].split()[0] == "R"
        except (OSError, IndexError):
            continue
    return max(1, running)
