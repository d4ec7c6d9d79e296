"""Uncached renders of the web requests: in a bounded pool of worker processes, under a time budget,
and at most a few at a time per user.

Threads cannot be killed, so a render that a web thread ran itself held that thread (and its share
of the process) for as long as it took. Here each render runs in a pebble `ProcessPool` of
``ECHOLOOP_RENDER_PROCESSES`` processes per web process: a render still running at
``ECHOLOOP_RENDER_BUDGET_S`` has its process killed (pebble starts a fresh one) and the request
answers 503 with Retry-After. The processes run at a lower priority (``ECHOLOOP_RENDER_NICE``), so
the light requests of the annotators keep the cores they need, and each holds at most
``ECHOLOOP_RENDER_MEMORY_MB`` of data beyond what it started with: past that numpy raises
MemoryError in the render process, the request answers 400, and the web process never held the
memory. Cached views never come here.

The per-user limit (``ECHOLOOP_RENDERS_PER_USER``) counts leases in the database, so it holds
across gunicorn processes and needs no Redis; a lease expires after the budget, so a process
that dies holding one frees its slot.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from pebble import ProcessExpired, ProcessPool

log = logging.getLogger(__name__)
T = TypeVar("T")

# Imported once in the fork server, so a replacement render process starts in milliseconds.
_PRELOAD = [
    "numpy",
    "scipy.fft",
    "scipy.signal",
    "soundfile",
    "PIL.Image",
    "annotator.dsp",
    "annotator.imaging",
]
# A render process is replaced after this many renders, so whatever its allocator kept from the
# largest of them is returned to the system.
_RENDERS_PER_PROCESS = 200
# Margin past the budget before a lease counts as abandoned (the answer is on its way by then).
_LEASE_GRACE_S = 2.0


class OverBudget(Exception):
    """A render that did not finish within the budget (HTTP 503 with Retry-After)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QueueFull(OverBudget):
    """This web process already has ``ECHOLOOP_RENDER_QUEUE`` renders waiting or running (503)."""


class TooManyRenders(Exception):
    """The user already holds their share of concurrent renders (HTTP 429 with Retry-After)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RenderFailed(Exception):
    """A render that ran out of its memory or its process (HTTP 400; the message names the limit)."""


# --------------------------------------------------------------------------- the pool


class _Pool:
    """One pebble pool per web process, started in the background (its fork server imports numpy,
    scipy and the renderers: seconds on a busy machine) and rebuilt when its settings change
    (tests shrink them) or the process was forked; a caller waits for it at most its budget."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pool: ProcessPool | None = None
        self.owner: tuple | None = None  # (settings, pid) the pool was made for
        self.starting: tuple | None = None
        self.ready = threading.Event()

    def get(self, timeout: float) -> ProcessPool | None:
        """The pool, or None if it is not running within ``timeout`` seconds."""
        owner = _owner()
        with self.lock:
            if self.owner == owner and self.pool is not None and self.pool.active:
                return self.pool
            if self.starting != owner:
                self._retire()
                self.starting, self.ready = owner, threading.Event()
                threading.Thread(
                    target=self._start,
                    args=(owner, self.ready),
                    name="render-pool-start",
                    daemon=True,
                ).start()
            ready = self.ready
        ready.wait(timeout)
        with self.lock:
            return self.pool if self.owner == owner and self.pool is not None else None

    def _start(self, owner: tuple, ready: threading.Event) -> None:
        pool = None
        try:
            pool = _new_pool(*owner[0])
            # pebble starts the processes with the first task: start them here, not in a request.
            pool.schedule(os.getpid).result()
        except Exception:
            log.exception("the render pool did not start")
            if pool is not None:
                pool.stop()
            pool = None
        with self.lock:
            if pool is not None and self.starting == owner:
                self.pool, self.owner, self.starting = pool, owner, None
            elif pool is not None:  # the settings changed meanwhile
                pool.stop()
            if self.starting == owner:
                self.starting = None
        ready.set()

    def _retire(self) -> None:
        if self.pool is not None and self.owner is not None and self.owner[1] == os.getpid():
            self.pool.stop()  # its processes are stopped; a forked copy leaves the parent's alone
        self.pool = self.owner = None


def _owner() -> tuple:
    config = (
        settings.ECHOLOOP_RENDER_PROCESSES,
        settings.ECHOLOOP_RENDER_MEMORY_MB,
        settings.ECHOLOOP_RENDER_NICE,
    )
    # The processes read audio through the storages as they were when the pool forked: a change
    # of storage settings (tests point them at another bucket) needs a new pool.
    storage = repr((settings.STORAGES, getattr(settings, "S3_OPTIONS", None), settings.MEDIA_ROOT))
    return config, os.getpid(), storage


POOL = _Pool()


def warm_up() -> None:
    """Start this process's render pool in the background (the fork server imports numpy, scipy
    and the renderers: seconds on a busy machine), so the first uncached view does not wait for it."""
    POOL.get(timeout=0)


def _new_pool(processes: int, memory_mb: int, nice: int) -> ProcessPool:
    context = multiprocessing.get_context("forkserver")  # no fork of a threaded web process
    context.set_forkserver_preload(_PRELOAD)
    threads = max(1, (os.cpu_count() or 1) // processes)
    return ProcessPool(
        max_workers=processes,
        max_tasks=_RENDERS_PER_PROCESS,
        initializer=_init_worker,
        initargs=(memory_mb, nice, threads),
        context=context,
    )


def _init_worker(memory_mb: int, nice: int, threads: int) -> None:
    """Set up a render process: Django (the view code imports models), priority, memory, threads."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "echoloop.settings")
    os.environ["ECHOLOOP_DSP_THREADS"] = str(threads)  # the pool's processes share the cores
    import django

    django.setup()
    if nice:
        os.nice(nice)
    if memory_mb:
        # RLIMIT_DATA counts the heap and anonymous mappings (numpy's large arrays), not the
        # libraries' code: the limit is what a render may add to what the process holds now.
        limit = _data_bytes() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _data_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def _call(fn: Callable[..., T], args: tuple) -> T:
    """Run in the render process: a MemoryError becomes a RenderFailed the web process can read."""
    try:
        return fn(*args)
    except MemoryError:
        raise RenderFailed(
            f"view: rendering needed more than the render memory limit (ECHOLOOP_RENDER_MEMORY_MB="
            f"{settings.ECHOLOOP_RENDER_MEMORY_MB}); ask for a shorter window or a smaller image"
        ) from None


_queued = 0
_queued_lock = threading.Lock()


@contextmanager
def _queue_place() -> Iterator[None]:
    """One of this process's ``ECHOLOOP_RENDER_QUEUE`` places for renders waiting or running: the
    threads they hold, waiting, are threads the light requests cannot use."""
    global _queued
    limit = settings.ECHOLOOP_RENDER_QUEUE
    with _queued_lock:
        if _queued >= limit:
            raise QueueFull(
                f"view: the server is rendering as many views as it takes at once (ECHOLOOP_RENDER_QUEUE="
                f"{limit} per process); try again shortly",
                retry_after=max(1, round(settings.ECHOLOOP_RENDER_BUDGET_S / 2)),
            )
        _queued += 1
    try:
        yield
    finally:
        with _queued_lock:
            _queued -= 1


def run(fn: Callable[..., T], *args: Any, since: float | None = None) -> T:
    """``fn(*args)`` in a render process, killed if the result is not back within the budget.

    The budget runs from ``since`` (`time.monotonic()` when the request came in; default now) and
    covers waiting for a free process too: the answer never comes later than the budget (plus
    the pool's check interval), whatever the load. Past the process's queue
    (``ECHOLOOP_RENDER_QUEUE``) the answer is QueueFull at once.
    """
    with _queue_place():
        return _run(fn, args, time.monotonic() if since is None else since)


def _run(fn: Callable[..., T], args: tuple, began: float) -> T:
    budget = float(settings.ECHOLOOP_RENDER_BUDGET_S)
    pool = POOL.get(timeout=max(0.0, budget - (time.monotonic() - began)))
    if pool is None:
        raise OverBudget(
            f"view: the render processes did not start within the render budget (ECHOLOOP_RENDER_BUDGET_S="
            f"{budget:g} s); try again shortly",
            retry_after=max(1, round(budget)),
        )
    left = max(0.01, budget - (time.monotonic() - began))
    future = pool.schedule(_call, args=(fn, args), timeout=left)
    try:
        return future.result(timeout=left)
    except (FutureTimeout, CancelledError) as exc:
        future.cancel()  # a running task's process is stopped by the pool
        raise OverBudget(
            f"view: not rendered within the render budget (ECHOLOOP_RENDER_BUDGET_S={budget:g} s, "
            f"waited {time.monotonic() - began:.1f} s); the server is busy or the view is too heavy: "
            "try again later or ask for a smaller view",
            retry_after=max(1, round(budget)),
        ) from exc
    except ProcessExpired as exc:  # killed from outside (the kernel's OOM killer) or crashed
        log.warning("render process died: %s", exc)
        raise RenderFailed(
            f"view: the render process died ({exc}); ask for a smaller view"
        ) from exc


# --------------------------------------------------------------------------- per-user leases


@contextmanager
def admitted(user) -> Iterator[None]:
    """Hold one of the user's ``ECHOLOOP_RENDERS_PER_USER`` render slots for the block, or raise
    TooManyRenders. Anonymous callers (tasks, commands) are not counted."""
    if user is None or not getattr(user, "is_authenticated", False):
        yield
        return
    lease = _take_slot(user.pk)
    try:
        yield
    finally:
        from annotator.models import RenderLease

        RenderLease.objects.filter(pk=lease).delete()


def _take_slot(user_id: int) -> int:
    from annotator.models import RenderLease

    limit = settings.ECHOLOOP_RENDERS_PER_USER
    budget = float(settings.ECHOLOOP_RENDER_BUDGET_S)
    now = timezone.now()
    RenderLease.objects.filter(
        user_id=user_id, expires_at__lt=now
    ).delete()  # left by a dead process
    expires = now + timedelta(seconds=budget + _LEASE_GRACE_S)
    for slot in range(limit):
        try:
            # The unique (user, slot) pair is the counter: two processes racing for the same
            # free slot cannot both insert it, so a user never holds more than `limit`.
            with transaction.atomic():
                return RenderLease.objects.create(user_id=user_id, slot=slot, expires_at=expires).pk
        except IntegrityError:
            continue
    raise TooManyRenders(
        f"view: at most {limit} uncached renders at a time per user (ECHOLOOP_RENDERS_PER_USER); "
        "wait for the ones in progress",
        retry_after=max(1, round(budget / 2)),
    )
