"""Echoloop and Whombat side by side on the same file, both over HTTP as their users hit them.

    .venv/bin/python benchmarks/whombat.py --whombat-python /tmp/wvenv/bin/python [--runs 15]

Whombat is not a dependency: install it in a venv of its own first, e.g.
    python3.11 -m venv /tmp/wvenv && /tmp/wvenv/bin/pip install whombat==0.8.6 "setuptools<81"
(passlib, which Whombat's login uses, still imports pkg_resources).

Measured for both, in one run, on a 10-s 256 kHz recording made from real bat audio:
- server start to first spectrogram: the process started on a seeded database, polled until a
  1-s spectrogram answers 200 (Whombat's includes its login request, which its API needs);
- an uncached 1-s spectrogram (distinct windows, so neither tool can answer from a cache), with
  each tool's defaults and with Whombat set to Echoloop's 2 ms window and 75 % overlap;
- Echoloop's cached view (Whombat keeps no server-side cache).
Echoloop runs as benchmarks/views.py runs it: gunicorn, 2 workers x 4 threads, SQLite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import requests
import soundfile as sf
from scipy.signal import resample_poly

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.views import free_port, seed  # noqa: E402

SOURCE = ROOT / "tests/data/whombat/XC823144-Desmodus_rotundus-2013.01.16-CL00262_A_30.wav"


def make_audio(folder: Path) -> None:
    """Real bat audio resampled 384 -> 256 kHz and tiled to 10 s."""
    x, sr = sf.read(SOURCE, dtype="float32")
    y = resample_poly(x, 2, 3).astype(np.float32)
    sf.write(
        folder / "bats-256k.wav",
        np.tile(y, int(np.ceil(10 * 256_000 / len(y))))[: 10 * 256_000],
        256_000,
        subtype="PCM_16",
    )


def ms(fn) -> float:
    began = time.perf_counter()
    fn()
    return (time.perf_counter() - began) * 1000


def ok(response: requests.Response) -> requests.Response:
    assert response.status_code == 200, (response.status_code, response.text[:200])
    return response


def wait_for(fn, proc: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        try:
            if fn():
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise RuntimeError("server not up")


# --- Echoloop ---------------------------------------------------------------------------------------


def echoloop(tmp: Path, runs: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {
        "ECHOLOOP_DATA_DIR": str(tmp / "echoloop"),
        "DJANGO_SETTINGS_MODULE": "echoloop.settings",
    }
    rec, token = seed(env, tmp / "audio")
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/recordings/{rec}/spectrogram.png"
    began = time.perf_counter()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "echoloop.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(
            lambda: session.get(f"{base}?start=9&end=10", timeout=30).status_code == 200, server
        )
        first = (time.perf_counter() - began) * 1000
        uncached = [
            ms(
                lambda i=i: ok(
                    session.get(f"{base}?start={0.5 + 0.07 * i:.3f}&end={1.5 + 0.07 * i:.3f}")
                )
            )
            for i in range(runs)
        ]
        ok(session.get(f"{base}?start=0&end=1"))
        cached = [ms(lambda: ok(session.get(f"{base}?start=0&end=1"))) for _ in range(runs)]
    finally:
        server.terminate()
        server.wait()
    return {
        "first": first,
        "uncached": statistics.median(uncached),
        "cached": statistics.median(cached),
    }


# --- Whombat ----------------------------------------------------------------------------------------


def whombat_server(python: str, tmp: Path, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "WHOMBAT_DATA_DIR": str(tmp / "whombat"),
        "WHOMBAT_AUDIO_DIR": str(tmp / "audio"),
        "WHOMBAT_PORT": str(port),
        "WHOMBAT_HOST": "127.0.0.1",
        "WHOMBAT_OPEN_ON_STARTUP": "false",
        "WHOMBAT_LOG_TO_FILE": "false",
        "WHOMBAT_LOG_LEVEL": "warning",
    }
    return subprocess.Popen(
        [python, "-m", "whombat"],
        cwd=tmp,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def whombat(python: str, tmp: Path, runs: int) -> dict[str, float]:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api/v1"
    login = {"username": "bench", "password": "pw-bench-only"}
    setup = whombat_server(python, tmp, port)  # first run: its database, a user and the dataset
    try:
        wait_for(
            lambda: requests.get(f"http://127.0.0.1:{port}/", timeout=5).status_code > 0, setup
        )  # any answer
        ok(requests.post(f"{api}/users/first/", json={**login, "email": "bench@example.org"}))
        session = requests.Session()
        assert session.post(f"{api}/auth/login", data=login).status_code == 204
        ok(
            session.post(
                f"{api}/datasets/", json={"audio_dir": str(tmp / "audio"), "name": "bench"}
            )
        )
        uuid = ok(session.get(f"{api}/recordings/")).json()["items"][0]["uuid"]
    finally:
        setup.terminate()
        setup.wait()
    session = requests.Session()
    url = f"{api}/spectrograms/"

    def spectrogram(start: float, **params) -> requests.Response:
        return session.get(
            url,
            params={"recording_uuid": uuid, "start_time": start, "end_time": start + 1, **params},
            timeout=60,
        )

    began = time.perf_counter()
    server = whombat_server(python, tmp, port)
    try:
        wait_for(
            lambda: (
                session.post(f"{api}/auth/login", data=login, timeout=30).status_code == 204
                and spectrogram(9.0).status_code == 200
            ),
            server,
        )
        first = (time.perf_counter() - began) * 1000
        defaults = [ms(lambda i=i: ok(spectrogram(0.5 + 0.07 * i))) for i in range(runs)]
        matched = [
            ms(lambda i=i: ok(spectrogram(0.5 + 0.07 * i, window_size=0.002, overlap=0.75)))
            for i in range(runs)
        ]
    finally:
        server.terminate()
        server.wait()
    return {
        "first": first,
        "uncached": statistics.median(defaults),
        "matched": statistics.median(matched),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--whombat-python", default=os.environ.get("WHOMBAT_PYTHON", ""))
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if not args.whombat_python:
        parser.error(
            "--whombat-python: the python of a venv with whombat installed (see the docstring)"
        )
    tmp = Path(tempfile.mkdtemp(prefix="echoloop-vs-whombat-"))
    (tmp / "audio").mkdir()
    make_audio(tmp / "audio")
    ours = echoloop(tmp, args.runs)
    theirs = whombat(args.whombat_python, tmp, args.runs)
    print(
        f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; medians of {args.runs}"
    )
    print(f"{'':46}{'Echoloop':>10}{'Whombat':>10}{'ratio':>8}")
    rows = [
        ("server start to first 1-s spectrogram (ms)", ours["first"], theirs["first"]),
        ("uncached 1-s spectrogram, defaults (ms)", ours["uncached"], theirs["uncached"]),
        ("uncached 1-s, Whombat at 2 ms / 75 % (ms)", ours["uncached"], theirs["matched"]),
        ("cached 1-s spectrogram (ms)", ours["cached"], float("nan")),
    ]
    for name, a, b in rows:
        print(f"{name:<46}{a:>10.1f}{b:>10.1f}{b / a:>7.1f}x")


if __name__ == "__main__":
    main()
