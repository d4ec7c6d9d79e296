"""Uncached renders under a hard time budget, a memory limit and a per-user concurrency limit
(`annotator.renderpool`), through the image endpoints."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.db import connection

from annotator import ingest, rendering, renderpool
from annotator.models import Recording, RenderLease
from tests import factories as f
from tests.conftest import DATA
from tests.services import wait_until
from tests.workers import ROOT, database_url

WAV = (
    DATA / "whombat" / "XC823144-Desmodus_rotundus-2013.01.16-CL00262_A_30.wav"
)  # 2.3 s at 384 kHz
# ~2e9 estimated operations (half the view limit): over a second of one core, so well past 0.3 s.
HEAVY = "scalogram.png?start=0&end=2.29&width=4096&height=4096&fmin=1000&w0=400"
LIGHT = "spectrogram.png?start=0.5&end=0.7"


@pytest.fixture(autouse=True)
def no_memory_cache(monkeypatch):
    """Every test starts with nothing rendered in this process (the recording is the same file)."""
    monkeypatch.setattr(rendering, "RECENT", rendering._RecentViews(budget=64 * 1024 * 1024))


@pytest.fixture
def bat(project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    f.make_root(DATA / "whombat")
    ingest.import_location(project, f.make_dataset(project), str(WAV))
    return Recording.objects.get()


def _rss_bytes() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))


def test_render_over_its_budget_is_killed_with_503_and_the_next_render_works(
    bat, cast, api, settings
):
    client = api(cast["ann1"])
    assert client.get(f"/api/recordings/{bat.pk}/{LIGHT}").status_code == 200  # the pool is up
    settings.ECHOLOOP_RENDER_BUDGET_S = 0.3
    began = time.monotonic()
    response = client.get(f"/api/recordings/{bat.pk}/{HEAVY}")
    took = time.monotonic() - began
    assert response.status_code == 503 and response["Retry-After"] == "1"
    assert "ECHOLOOP_RENDER_BUDGET_S" in response.json()["detail"]
    assert took < 0.3 + 1.0, f"answered {took:.2f} s after a 0.3 s budget"
    assert not RenderLease.objects.exists()  # the slot was given back
    settings.ECHOLOOP_RENDER_BUDGET_S = 30
    after = client.get(f"/api/recordings/{bat.pk}/spectrogram.png?start=1&end=1.2")
    assert after.status_code == 200 and after["X-Cache"] == "miss"


def test_render_over_its_memory_fails_with_400_and_the_web_process_stays_small(
    bat, cast, api, settings
):
    client = api(cast["ann1"])
    settings.ECHOLOOP_RENDER_MEMORY_MB = 40  # a fresh pool: the limit applies to new processes
    settings.ECHOLOOP_RENDER_BUDGET_S = 60  # room for the new pool to start on a busy machine
    before = _rss_bytes()
    response = client.get(f"/api/recordings/{bat.pk}/{HEAVY}")
    assert response.status_code == 400
    assert "ECHOLOOP_RENDER_MEMORY_MB" in response.json()["detail"]
    # The render's hundreds of MB were never in this process.
    assert _rss_bytes() - before < 50 * 1024 * 1024
    small = client.get(
        f"/api/recordings/{bat.pk}/scalogram.png?start=0&end=0.2&width=200&height=64"
    )
    assert small.status_code == 200  # the same process pool renders what fits


def test_a_user_over_their_concurrent_renders_gets_429_others_and_cached_views_do_not(
    bat, cast, api, settings
):
    settings.ECHOLOOP_RENDERS_PER_USER = 2
    cached = api(cast["ann1"]).get(f"/api/recordings/{bat.pk}/{LIGHT}")
    assert cached.status_code == 200
    with renderpool.admitted(cast["ann1"]), renderpool.admitted(cast["ann1"]):
        busy = api(cast["ann1"]).get(f"/api/recordings/{bat.pk}/spectrogram.png?start=1&end=1.2")
        assert busy.status_code == 429 and int(busy["Retry-After"]) >= 1
        assert "ECHOLOOP_RENDERS_PER_USER" in busy.json()["detail"]
        assert api(cast["ann1"]).get(f"/api/recordings/{bat.pk}/{LIGHT}")["X-Cache"] == "hit"
        assert (
            api(cast["ann2"])
            .get(f"/api/recordings/{bat.pk}/spectrogram.png?start=1&end=1.2")
            .status_code
            == 200
        )
    assert (
        api(cast["ann1"])
        .get(f"/api/recordings/{bat.pk}/spectrogram.png?start=1.2&end=1.4")
        .status_code
        == 200
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_threads_of_one_user_never_exceed_the_limit(settings):
    settings.ECHOLOOP_RENDERS_PER_USER = 2
    user = f.make_user("racer")
    barrier, held, refused, release = threading.Barrier(6), [], [], threading.Event()

    def take() -> None:
        barrier.wait()
        try:
            with renderpool.admitted(user):
                held.append(RenderLease.objects.filter(user=user).count())
                release.wait(timeout=30)  # hold the lease until every thread has had its answer
        except renderpool.TooManyRenders:
            refused.append(1)

    threads = [threading.Thread(target=take) for _ in range(6)]
    for thread in threads:
        thread.start()
    wait_until(
        lambda: len(held) + len(refused) == 6, timeout=30, what=lambda: f"{held=} {refused=}"
    )
    release.set()
    for thread in threads:
        thread.join()
    assert len(held) == 2 and len(refused) == 4 and max(held) <= 2
    assert not RenderLease.objects.exists()


_HOLDER = """
import os, sys, time, django
django.setup()
from django.contrib.auth.models import User
from annotator import renderpool
user = User.objects.get(username="ann1")
with renderpool.admitted(user), renderpool.admitted(user):
    print("held", flush=True)
    sys.stdin.read()  # holds both leases until killed
"""


@pytest.mark.django_db(transaction=True)
def test_leases_of_another_process_count_and_expire_when_it_dies(
    settings, project, cast, api, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    f.make_root(DATA / "whombat")
    ingest.import_location(project, f.make_dataset(project), str(WAV))
    bat = Recording.objects.get()
    settings.ECHOLOOP_RENDERS_PER_USER = 2
    settings.ECHOLOOP_RENDER_BUDGET_S = 1.0
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "ECHOLOOP_RENDER_BUDGET_S": "1",
        "ECHOLOOP_RENDERS_PER_USER": "2",
        "DJANGO_SETTINGS_MODULE": "echoloop.settings",
    }
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        busy = api(cast["ann1"]).get(f"/api/recordings/{bat.pk}/{LIGHT}")
        assert busy.status_code == 429
        os.kill(holder.pid, signal.SIGKILL)  # dies holding both leases
        holder.wait()
        # The dead process's leases expire after the budget (1 s here) and the grace.
        wait_until(
            lambda: api(cast["ann1"]).get(f"/api/recordings/{bat.pk}/{LIGHT}").status_code == 200,
            timeout=1.0 + renderpool._LEASE_GRACE_S + 10,
            what="a render after the dead holder's leases expired",
        )
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.django_db(transaction=True)  # the waiting request runs on another thread's connection
def test_renders_past_the_process_queue_answer_503_at_once(bat, cast, api, settings):
    settings.ECHOLOOP_RENDER_QUEUE = 1
    settings.ECHOLOOP_RENDER_BUDGET_S = 30
    client = api(cast["ann1"])
    assert client.get(f"/api/recordings/{bat.pk}/{LIGHT}").status_code == 200  # the pool is up
    heavy: list = []

    def ask_heavy() -> None:
        try:
            heavy.append(api(cast["ann2"]).get(f"/api/recordings/{bat.pk}/{HEAVY}"))
        finally:
            connection.close()

    waiting = threading.Thread(target=ask_heavy)
    waiting.start()
    try:
        wait_until(
            lambda: renderpool._queued > 0, timeout=5, step=0.02, what="the heavy render's place"
        )
        began = time.monotonic()
        full = client.get(f"/api/recordings/{bat.pk}/spectrogram.png?start=1&end=1.2")
        assert full.status_code == 503 and "ECHOLOOP_RENDER_QUEUE" in full.json()["detail"]
        assert time.monotonic() - began < 1.0 and int(full["Retry-After"]) >= 1
    finally:
        waiting.join()
    assert heavy[0].status_code == 200
    assert (
        client.get(f"/api/recordings/{bat.pk}/spectrogram.png?start=1&end=1.2").status_code == 200
    )
