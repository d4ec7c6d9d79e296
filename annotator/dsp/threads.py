"""How many threads one view may use, so that concurrent views share the cores."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

# Threads the views of this process share (0: the machine's cores). Django-free here: the
# annotator app sets it from settings.ECHOLOOP_DSP_THREADS when it starts (AnnotatorConfig.ready).
LIMIT = 0
_IN_FLIGHT = 0
_IN_FLIGHT_LOCK = threading.Lock()


@contextmanager
def in_flight() -> Iterator[None]:
    """Count the views being computed in this process (see ``thread_budget``)."""
    global _IN_FLIGHT
    with _IN_FLIGHT_LOCK:
        _IN_FLIGHT += 1
    try:
        yield
    finally:
        with _IN_FLIGHT_LOCK:
            _IN_FLIGHT -= 1


def thread_budget() -> int:
    """Threads one view may use: the cores (or ECHOLOOP_DSP_THREADS) shared by the views in flight.

    A lone request renders on every core; eight concurrent requests each get one thread
    instead of eight, which would oversubscribe the machine and make all of them slower.
    """
    limit = LIMIT or os.cpu_count() or 1
    return max(1, limit // max(1, _IN_FLIGHT))


def _run_threads(fn: Callable[[int], object], items: range) -> list[object]:
    """fn over items on up to ``thread_budget()`` threads (numpy and scipy.fft release the GIL)."""
    workers = min(len(items), thread_budget())
    if workers <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, items))
