"""Latency of the annotation page's views over HTTP (gunicorn, real database), plus the scalogram
against PyWavelets on the same audio.

    .venv/bin/python benchmarks/views.py [--runs 30] [--database-url postgres://postgres@127.0.0.1:5432/echoloop_bench]

Seeds its own database and data directory (SQLite in a temp dir unless --database-url is given),
starts gunicorn on a free loopback port, and prints medians in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import requests
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def make_audio(folder: Path, seconds: float = 12.0, samplerate: int = 384_000) -> Path:
    """Real bat audio (tests/data) tiled to ``seconds`` at 384 kHz."""
    real, sr = sf.read(
        ROOT / "tests/data/whombat/XC823144-Desmodus_rotundus-2013.01.16-CL00262_A_30.wav",
        dtype="float32",
    )
    assert sr == samplerate, sr
    reps = int(np.ceil(seconds * samplerate / len(real)))
    path = folder / "bats-12s.wav"
    sf.write(path, np.tile(real, reps)[: int(seconds * samplerate)], samplerate, subtype="PCM_16")
    return path


def seed(env: dict, audio_dir: Path) -> tuple[int, str]:
    code = f"""
import django, os
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from annotator.models import AudioRoot, Dataset, Project, Membership
from annotator import ingest
p, _ = Project.objects.get_or_create(name="bench", defaults=dict(fmin_hz=10000, fmax_hz=150000))
u, _ = User.objects.get_or_create(username="bench")
Membership.objects.get_or_create(user=u, project=p)
AudioRoot.objects.get_or_create(name="bench", defaults=dict(path="{audio_dir}"))
ingest.import_location(p, Dataset.objects.get_or_create(project=p, name="d")[0], "{audio_dir}")
print(p.recordings.get().pk, Token.objects.get_or_create(user=u)[0].key)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    rec, token = out.stdout.split()[-2:]
    return int(rec), token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVER_MS: list[float] = []


def timed(session: requests.Session, url: str, **kw) -> float:
    began = time.perf_counter()
    response = session.get(url, **kw)
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code in (200, 304), (response.status_code, response.text[:200])
    timing = response.headers.get("Server-Timing", "")
    if timing.startswith("render;dur="):
        SERVER_MS.append(float(timing.split("=")[1]))
    return elapsed


def median_ms(fn, runs: int) -> float:
    return statistics.median(fn(i) for i in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="echoloop-bench-"))
    (tmp / "audio").mkdir()
    make_audio(tmp / "audio")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"ECHOLOOP_DATA_DIR": str(tmp / "data"), "DJANGO_SETTINGS_MODULE": "echoloop.settings"}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    rec, token = seed(env, tmp / "audio")
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "echoloop.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}/api/recordings/{rec}"
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    try:
        for _ in range(100):
            try:
                if session.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        run(session, base, args.runs)
    finally:
        server.terminate()
        server.wait()


def run(session: requests.Session, base: str, runs: int) -> None:
    rows = []
    # Distinct windows defeat the storage cache: every request renders.
    uncached = median_ms(
        lambda i: timed(
            session, f"{base}/spectrogram.png?start={0.01 * i:.3f}&end={1 + 0.01 * i:.3f}"
        ),
        runs,
    )
    rows.append(("spectrogram 1 s @384 kHz, 2 ms / 75 %, uncached", uncached))
    url = f"{base}/spectrogram.png?start=0&end=1"
    timed(session, url)
    rows.append(("  same, cached in storage", median_ms(lambda i: timed(session, url), runs)))
    etag = session.get(url).headers["ETag"]
    rows.append(
        (
            "  same, browser revalidation (304)",
            median_ms(lambda i: timed(session, url, headers={"If-None-Match": etag}), runs),
        )
    )
    rows.append(
        (
            "spectrogram 10 s window at 2000 px, uncached",
            median_ms(
                lambda i: timed(
                    session,
                    f"{base}/spectrogram.png?start={0.01 * i:.3f}&end={10 + 0.01 * i:.3f}&width=2000",
                ),
                max(5, runs // 3),
            ),
        )
    )
    rows.append(
        (
            "scalogram 1 s, 256 x 1000, uncached",
            median_ms(
                lambda i: timed(
                    session,
                    f"{base}/scalogram.png?start={0.01 * i:.3f}&end={1 + 0.01 * i:.3f}&width=1000&height=256",
                ),
                max(5, runs // 2),
            ),
        )
    )
    rows.extend(view_options(session, base, runs))
    rows.append(
        (
            "audio 1 s, 10x expansion",
            median_ms(
                lambda i: timed(
                    session,
                    f"{base}/audio.wav?start={0.01 * i:.3f}&end={1 + 0.01 * i:.3f}&expansion=10",
                ),
                runs,
            ),
        )
    )
    sequential, parallel = concurrency(session, base)
    rows.append(("8 uncached spectrograms one after another (total)", sequential))
    rows.append(("8 uncached spectrograms at once (total)", parallel))
    print(f"{'case':<58}{'median ms':>10}")
    for name, ms in rows:
        print(f"{name:<58}{ms:>10.1f}")
    print(f"concurrency speed-up: {sequential / parallel:.2f}x on {os.cpu_count()} cores")
    scalogram_vs_pywt()


def view_options(session: requests.Session, base: str, runs: int) -> list[tuple[str, float]]:
    """The experts' options, each uncached (distinct windows), at the page's sizes."""
    n = max(5, runs // 3)
    page = "width=1600&height=512"
    zoom = (
        "width=1200&height=512&window_s=auto"  # 0.1 s over 1200 px: the automatic window is 0.5 ms
    )
    cases = [
        ("spectrogram 1 s, fixed levels (project window)", "spectrogram", 1.0, "levels=fixed"),
        ("spectrogram 1 s at 1600 px, auto levels + window", "spectrogram", 1.0, page),
        (
            "spectrogram 1 s at 1600 px, reassigned",
            "spectrogram",
            1.0,
            f"{page}&sharpen=reassigned",
        ),
        (
            "spectrogram 1 s at 1600 px, multitaper",
            "spectrogram",
            1.0,
            f"{page}&sharpen=multitaper",
        ),
        (
            "spectrogram 1 s at 1600 px, 0.5 ms window / 90 %",
            "spectrogram",
            1.0,
            f"{page}&window_s=0.0005&overlap=0.9",
        ),
        ("zoomed 0.1 s, auto window (0.5 ms)", "spectrogram", 0.1, zoom),
        ("zoomed 0.1 s, auto window, reassigned", "spectrogram", 0.1, f"{zoom}&sharpen=reassigned"),
        (
            "scalogram 1 s, 256 x 1000, CF preset (w0 200)",
            "scalogram",
            1.0,
            "width=1000&height=256&w0=200",
        ),
    ]
    rows = []
    for name, kind, span, query in cases:

        def one(i: int, kind=kind, span=span, query=query) -> float:
            start = 3 + 0.0137 * i
            return timed(
                session, f"{base}/{kind}.png?start={start:.4f}&end={start + span:.4f}&{query}"
            )

        rows.append((name + ", uncached", median_ms(one, n)))
    return rows


def concurrency(session, base) -> tuple[float, float]:
    urls = [
        f"{base}/spectrogram.png?start={2 + 0.013 * i:.3f}&end={3 + 0.013 * i:.3f}"
        for i in range(16)
    ]
    SERVER_MS.clear()
    began = time.perf_counter()
    for url in urls[:8]:
        timed(session, url)
    sequential = (time.perf_counter() - began) * 1000
    print(f"server-side render ms, one at a time: {sorted(round(v) for v in SERVER_MS)}")
    SERVER_MS.clear()
    began = time.perf_counter()

    def fresh(url: str) -> float:
        client = requests.Session()
        client.headers.update(session.headers)
        return timed(client, url)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(fresh, urls[8:]))
    parallel = (time.perf_counter() - began) * 1000
    print(f"server-side render ms, eight at once: {sorted(round(v) for v in SERVER_MS)}")
    return sequential, parallel


def scalogram_vs_pywt() -> None:
    import pywt

    from annotator import dsp

    audio, sr = sf.read(
        ROOT / "tests/data/whombat/XC823144-Desmodus_rotundus-2013.01.16-CL00262_A_30.wav",
        dtype="float32",
    )
    x = audio[:sr]
    params = dsp.ScalogramParams(
        fmin=10_000, fmax=150_000, n_rows=256, n_cols=1000, w0=2 * np.pi * np.sqrt(1.5 / 2)
    )
    ours = statistics.median(_time(lambda: dsp.scalogram(x, sr, params)) for _ in range(5))
    freqs = np.geomspace(10_000, 150_000, 256)
    scales = pywt.central_frequency("cmor1.5-1.0") * sr / freqs
    theirs = statistics.median(
        _time(lambda: pywt.cwt(x, scales, "cmor1.5-1.0", sampling_period=1 / sr, method="fft"))
        for _ in range(3)
    )
    print(
        f"scalogram compute, 1 s @384 kHz x 256 rows: ours {ours:.1f} ms, pywt.cwt(fft) {theirs:.1f} ms "
        f"-> {theirs / ours:.0f}x faster"
    )


def _time(fn) -> float:
    began = time.perf_counter()
    fn()
    return (time.perf_counter() - began) * 1000


if __name__ == "__main__":
    main()
