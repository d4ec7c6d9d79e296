"""A stand-in for the Django side of the annotation page, for looking at the page by hand.

Serves a page like the Django template, the built ``static/annotator/*`` files and the page's API
(see the contract in the frontend's README) with fake data: one 60 s bat recording at 384 kHz,
a few queued clips, a synthetic spectrogram/scalogram PNG (Pillow) and a WAV.

    .venv/bin/python frontend/dev/mock_server.py --port 8765 [--mel] [--interval]

Test helpers (not part of the real API):
    GET  /mock/submissions         every submit body received, in order
    POST /mock/fail?status=503&count=1   the next `count` submits fail with `status`
    POST /mock/conflict            someone else saves the task currently held (bumps its version)
"""

from __future__ import annotations

import argparse
import io
import json
import math
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np
from PIL import Image

STATIC = Path(__file__).resolve().parents[2] / "static" / "annotator"
CSRF = "mock-csrf-token"
SAMPLERATE = 384_000
DURATION = 60.0

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Annotate · mock</title>
<link rel="stylesheet" href="/static/annotator/annotate.css">
<style>body {{ margin: 0; background: #15191d; }}</style></head>
<body>
<div id="echoloop-annotator" data-project-id="7" data-api-base="/api/" data-next-url="/projects/7/"></div>
<script id="echoloop-config" type="application/json">{config}</script>
<script type="module" src="/static/annotator/annotate.js"></script>
</body></html>
"""

TAGS = [
    {
        "id": 21,
        "key": "species",
        "value": "Pipistrellus pipistrellus",
        "display_name": "P. pipistrellus",
        "hotkey": "q",
        "color": "#f58231",
    },
    {
        "id": 22,
        "key": "species",
        "value": "Myotis daubentonii",
        "display_name": "M. daubentonii",
        "hotkey": "m",
        "color": "#3cb44b",
    },
    {
        "id": 23,
        "key": "species",
        "value": "Nyctalus noctula",
        "display_name": "N. noctula",
        "hotkey": "o",
        "color": "#42d4f4",
    },
    {
        "id": 24,
        "key": "call",
        "value": "social",
        "display_name": "Social call",
        "hotkey": "c",
        "color": "#f032e6",
    },
    {
        "id": 25,
        "key": "call",
        "value": "feeding buzz",
        "display_name": "Feeding buzz",
        "hotkey": "s",
        "color": None,
    },
]

# Synthetic calls: (start s, duration s, f_start Hz, f_end Hz). Pipistrelle-like FM sweeps every 90 ms.
CALLS = [(t0 + 0.09 * i, 0.005, 75_000.0, 45_000.0) for t0 in (10.3, 20.5, 31.0) for i in range(12)]
CALLS += [(12.8 + 0.11 * i, 0.004, 60_000.0, 28_000.0) for i in range(6)]


@dataclass
class Task:
    id: int
    clip_id: int
    start: float
    end: float
    annotation: dict[str, Any] | None = None
    state: str = "queued"  # queued | held | done


@dataclass
class MockState:
    freq_scale: str = "linear"
    mode: str = "box"
    tasks: list[Task] = field(default_factory=list)
    submissions: list[dict[str, Any]] = field(default_factory=list)
    fail: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if not self.tasks:
            self.tasks = [
                Task(101, 11, 10.0, 15.0),
                Task(102, 12, 20.0, 25.0),
                Task(103, 13, 30.0, 35.0),
            ]

    def project(self) -> dict[str, Any]:
        settings = {
            "clip_length_s": 5.0,
            "context_s": 1.0,
            "fmin_hz": 10_000,
            "fmax_hz": 120_000,
            "window_s": 0.002,
            "overlap": 0.75,
            "freq_scale": self.freq_scale,
            "colormap": "viridis",
            "db_min": -90,
            "db_max": -10,
            "time_expansion": 10,
            "annotation_mode": self.mode,
        }
        return {"id": 7, "name": "Bats of the Rhine (mock)", "settings": settings, "tags": TAGS}

    def task_json(self, t: Task) -> dict[str, Any]:
        recording = {
            "id": 3,
            "name": "site-A_2024-07-01T22-10.wav",
            "samplerate": SAMPLERATE,
            "duration_s": DURATION,
            "time_expansion": 1,
        }
        clip = {"id": t.clip_id, "start_s": t.start, "end_s": t.end, "recording": recording}
        return {
            "id": t.id,
            "rank": 1,
            "reason": "uncertain",
            "lease_expires_at": "2030-01-01T00:00:00Z",
            "clip": clip,
            "annotation": t.annotation,
        }

    def next_task(self) -> Task | None:
        held = [t for t in self.tasks if t.state == "held"]
        if held:
            return held[0]
        for t in self.tasks:
            if t.state == "queued":
                t.state = "held"
                return t
        return None

    def find(self, tid: int) -> Task | None:
        return next((t for t in self.tasks if t.id == tid), None)


def validate(body: dict[str, Any], task: Task) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    tag_ids = {t["id"] for t in TAGS}
    if any(t not in tag_ids for t in body.get("tags", [])):
        errors["tags"] = ["Unknown tag."]
    event_errors = []
    for ev in body.get("events", []):
        e: dict[str, list[str]] = {}
        if not (task.start - 1e-6 <= ev["start_s"] < ev["end_s"] <= task.end + 1e-6):
            e["start_s"] = ["Event must lie inside the clip."]
        if ev.get("tag") is not None and ev["tag"] not in tag_ids:
            e["tag"] = ["Unknown tag."]
        event_errors.append(e)
    if any(event_errors):
        errors["events"] = event_errors
    return errors


# ---- rendering --------------------------------------------------------------------------------

VIRIDIS = np.array(
    [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]], dtype=float
)


def colormap(v: np.ndarray) -> np.ndarray:
    x = np.clip(v, 0, 1) * (len(VIRIDIS) - 1)
    i = np.minimum(x.astype(int), len(VIRIDIS) - 2)
    f = (x - i)[..., None]
    return (VIRIDIS[i] * (1 - f) + VIRIDIS[i + 1] * f).astype(np.uint8)


def mel(f: np.ndarray | float) -> np.ndarray | float:
    return 2595 * np.log10(1 + np.asarray(f) / 700)


def inv_mel(m: np.ndarray) -> np.ndarray:
    return 700 * (10 ** (m / 2595) - 1)


def extent_for(q: dict[str, str], hop: float, bin_hz: float) -> tuple[float, float, float, float]:
    """Snap the requested window to the frame grid, as a real renderer does."""
    start = max(0.0, math.floor(float(q["start"]) / hop) * hop)
    end = min(DURATION, math.ceil(float(q["end"]) / hop) * hop)
    low = max(0.0, math.floor(float(q["fmin"]) / bin_hz) * bin_hz)
    high = min(SAMPLERATE / 2, math.ceil(float(q["fmax"]) / bin_hz) * bin_hz)
    return round(start, 6), round(end, 6), low, high


def render(q: dict[str, str], kind: str) -> tuple[bytes, dict[str, str]]:
    width = max(2, min(4096, int(float(q.get("width", 800)))))
    height = max(2, min(2048, int(float(q.get("height", 300)))))
    scale = q.get("scale", "linear") if kind == "spectrogram" else "linear"
    start, end, low, high = extent_for(q, 0.0005, 500.0)
    t = start + (np.arange(width) + 0.5) / width * (end - start)
    if scale == "mel":
        f = inv_mel(mel(high) - (np.arange(height) + 0.5) / height * (mel(high) - mel(low)))
    else:
        f = high - (np.arange(height) + 0.5) / height * (high - low)
    tt, ff = np.meshgrid(t, f)
    rng = np.random.default_rng(int(start * 1000) % 2**32)
    db = -85 + 6 * rng.standard_normal((height, width)) - ff / 20_000
    spread = 1500.0 if kind == "spectrogram" else 4000.0
    col = (end - start) / width
    for c0, dur, fa, fb in CALLS:
        cols = np.nonzero((t + col / 2 >= c0) & (t - col / 2 <= c0 + dur))[0]
        # Sample within each column so that calls shorter than a column stay visible.
        for sub in np.linspace(-0.5, 0.5, 9):
            tc = np.clip(t[cols] + sub * col, c0, c0 + dur)
            fc = fa + (fb - fa) * (tc - c0) / dur
            db[:, cols] = np.maximum(
                db[:, cols], -20 - ((f[:, None] - fc[None, :]) / spread) ** 2 * 3
            )
    # Faint grid at every 10 kHz and every second, to check the axes by eye.
    row_hz = np.abs(np.gradient(f))[:, None] if height > 1 else np.array([[high - low]])
    db = np.where(np.abs(((ff + 5e3) % 10_000) - 5e3) <= row_hz / 2, -60, db)
    db = np.where(np.abs(((tt + 1e-3) % 1.0) - 1e-3) < (end - start) / width / 2, -60, db)
    db_min, db_max = float(q.get("db_min", -90)), float(q.get("db_max", -10))
    rgb = colormap((db - db_min) / max(1e-6, db_max - db_min))
    buf = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buf, "PNG")
    headers = {
        "X-Extent-Start": repr(start),
        "X-Extent-End": repr(end),
        "X-Extent-Low": repr(low),
        "X-Extent-High": repr(high),
        "X-Freq-Scale": scale,
    }
    return buf.getvalue(), headers


def wav(q: dict[str, str]) -> bytes:
    start = max(0.0, float(q["start"]))
    end = min(DURATION, float(q["end"]))
    expansion = float(q.get("expansion", 1))
    n = max(1, int((end - start) * SAMPLERATE))
    t = start + np.arange(n) / SAMPLERATE
    x = 0.001 * np.random.default_rng(0).standard_normal(n)
    for c0, dur, fa, fb in CALLS:
        m = (t >= c0) & (t <= c0 + dur)
        if m.any():
            tc = t[m] - c0
            x[m] += (
                0.5
                * np.sin(2 * np.pi * (fa * tc + (fb - fa) * tc**2 / (2 * dur)))
                * np.hanning(m.sum())
            )
    pcm = (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()
    rate = int(SAMPLERATE / expansion)
    header = (
        b"RIFF"
        + struct.pack("<I", 36 + len(pcm))
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    )
    return header + b"data" + struct.pack("<I", len(pcm)) + pcm


# ---- HTTP ---------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    state: MockState  # set by make_server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the page aborted a request it no longer needs (a superseded zoomed image)

    def send(
        self,
        status: int,
        body: bytes = b"",
        ctype: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def json(self, status: int, data: Any) -> None:
        self.send(status, json.dumps(data).encode())

    def do_GET(self) -> None:  # noqa: N802
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        p = url.path
        st = self.state
        if p == "/favicon.ico":
            return self.send(204)
        if p == "/":
            config = json.dumps({"csrfToken": CSRF, "user": {"id": 1, "username": "ann"}})
            return self.send(200, PAGE.format(config=config).encode(), "text/html; charset=utf-8")
        if p.startswith("/static/annotator/"):
            f = STATIC / p.rsplit("/", 1)[1]
            if not f.is_file():
                return self.send(404, b"not built: run npm run build in frontend/", "text/plain")
            ctype = "text/javascript" if f.suffix == ".js" else "text/css"
            return self.send(200, f.read_bytes(), ctype)
        if p == "/api/projects/7/":
            return self.json(200, st.project())
        if p in ("/api/recordings/3/spectrogram.png", "/api/recordings/3/scalogram.png"):
            png, headers = render(q, "spectrogram" if "spectrogram" in p else "scalogram")
            return self.send(200, png, "image/png", headers)
        if p == "/api/recordings/3/audio.wav":
            return self.send_ranged(wav(q))
        if p.startswith("/api/clips/") and p.endswith("/predictions/"):
            return self.json(200, predictions(int(p.split("/")[3]), st))
        if p == "/mock/submissions":
            return self.json(200, st.submissions)
        return self.json(404, {"detail": "Not found."})

    def send_ranged(self, data: bytes) -> None:
        rng = self.headers.get("Range", "")
        if rng.startswith("bytes="):
            a, _, b = rng[6:].partition("-")
            first = int(a or 0)
            last = min(int(b) if b else len(data) - 1, len(data) - 1)
            return self.send(
                206,
                data[first : last + 1],
                "audio/wav",
                {"Content-Range": f"bytes {first}-{last}/{len(data)}", "Accept-Ranges": "bytes"},
            )
        return self.send(200, data, "audio/wav", {"Accept-Ranges": "bytes"})

    def do_POST(self) -> None:  # noqa: N802
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        p = url.path
        st = self.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if p.startswith("/mock/"):
            return self.mock_control(p, q)
        if self.headers.get("X-CSRFToken") != CSRF:
            return self.json(403, {"detail": "CSRF verification failed."})
        with st.lock:
            if p == "/api/projects/7/tasks/next/":
                t = st.next_task()
                return self.send(204) if t is None else self.json(200, st.task_json(t))
            parts = p.strip("/").split("/")  # api tasks {id} release|submit
            task = st.find(int(parts[2])) if len(parts) == 4 and parts[1] == "tasks" else None
            if task is None or task.state != "held":
                return self.json(404, {"detail": "No such task held by you."})
            if parts[3] == "release":
                task.state = "queued"
                st.tasks.remove(task)
                st.tasks.append(task)
                return self.send(204)
            if parts[3] == "submit":
                return self.submit(task, json.loads(raw or b"{}"))
        return self.json(404, {"detail": "Not found."})

    def submit(self, task: Task, body: dict[str, Any]) -> None:
        st = self.state
        st.submissions.append({"task": task.id, "body": body, "received": None})
        if st.fail:
            status = st.fail.pop(0)
            st.submissions[-1]["received"] = status
            if status == 400:
                return self.json(
                    400, {"notes": ["Ensure this field has no more than 2000 characters."]}
                )
            return self.json(status, {"detail": f"mock failure {status}"})
        current = task.annotation
        if body.get("version") != (current["version"] if current else None):
            st.submissions[-1]["received"] = 409
            return self.json(
                409,
                {"detail": "This clip was saved by someone else meanwhile.", "current": current},
            )
        errors = validate(body, task)
        if errors:
            st.submissions[-1]["received"] = 400
            return self.json(400, errors)
        version = (current["version"] if current else 0) + 1
        events = [{"id": 1000 * version + i, **ev} for i, ev in enumerate(body["events"])]
        keys = ("tags", "no_calls", "noise", "uncertain", "notes")
        task.annotation = {
            "id": task.id * 10,
            "version": version,
            **{k: body[k] for k in keys},
            "events": events,
        }
        task.state = "done"
        st.submissions[-1]["received"] = 200
        return self.json(200, task.annotation)

    def mock_control(self, p: str, q: dict[str, str]) -> None:
        st = self.state
        with st.lock:
            if p == "/mock/fail":
                st.fail.extend([int(q.get("status", 503))] * int(q.get("count", 1)))
                return self.json(200, {"fail": st.fail})
            if p == "/mock/conflict":
                held = next((t for t in st.tasks if t.state == "held"), None)
                if held is None:
                    return self.json(400, {"detail": "no held task"})
                version = (held.annotation["version"] if held.annotation else 0) + 1
                ev = {
                    "id": 9000 + version,
                    "start_s": held.start + 0.2,
                    "end_s": held.start + 0.3,
                    "low_hz": 20_000.0,
                    "high_hz": 50_000.0,
                    "tag": 22,
                    "confidence": None,
                    "notes": "by someone else",
                }
                held.annotation = {
                    "id": held.id * 10,
                    "version": version,
                    "tags": [22],
                    "no_calls": False,
                    "noise": False,
                    "uncertain": False,
                    "notes": "",
                    "events": [ev],
                }
                return self.json(200, held.annotation)
        return self.json(404, {"detail": "Not found."})


def predictions(clip_id: int, st: MockState) -> dict[str, Any]:
    task = next((t for t in st.tasks if t.clip_id == clip_id), None)
    if task is None:
        return {"model_version": None, "events": []}
    events = []
    for i, (c0, dur, fa, fb) in enumerate(
        c for c in CALLS if task.start <= c[0] and c[0] + c[1] <= task.end
    ):
        if i % 3:
            continue
        score = round(0.35 + 0.6 * ((i * 37) % 10) / 10, 2)
        events.append(
            {
                "start_s": round(c0 - 0.001, 4),
                "end_s": round(c0 + dur + 0.001, 4),
                "low_hz": min(fa, fb) - 3000,
                "high_hz": max(fa, fb) + 3000,
                "tag": 21,
                "label": "P. pipistrellus",
                "score": score,
            }
        )
    return {"model_version": {"id": 4, "name": "detector v4"}, "events": events}


def make_server(
    port: int = 0, *, freq_scale: str = "linear", mode: str = "box"
) -> ThreadingHTTPServer:
    handler = type(
        "BoundHandler", (Handler,), {"state": MockState(freq_scale=freq_scale, mode=mode)}
    )
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--mel", action="store_true", help="project uses a mel frequency axis")
    ap.add_argument("--interval", action="store_true", help="project annotates time intervals")
    args = ap.parse_args()
    server = make_server(
        args.port,
        freq_scale="mel" if args.mel else "linear",
        mode="interval" if args.interval else "box",
    )
    print(f"mock Echoloop on http://127.0.0.1:{server.server_address[1]}/  (Ctrl+C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
