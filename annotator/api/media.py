"""Images and audio of recordings for the annotation page (members only; others get 404)."""

from __future__ import annotations

import time

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view

from annotator import rendering, wavio
from annotator.access import is_member
from annotator.models import Recording

VIEW_PARAMS = [
    OpenApiParameter(name, type=kind, required=False, description=text)
    for name, kind, text in [
        ("start", float, "Window start, seconds of recording time"),
        ("end", float, "Window end, seconds"),
        ("fmin", float, "Lowest frequency shown, Hz"),
        ("fmax", float, "Highest frequency shown, Hz"),
        ("width", int, "Image width in pixels (default: one column per frame)"),
        ("height", int, "Image height in pixels"),
        ("scale", str, "linear or mel"),
        ("norm", str, "db or pcen"),
        ("db_min", float, "Bottom of the dB range (brightness)"),
        ("db_max", float, "Top of the dB range (contrast)"),
        ("cmap", str, "Colormap"),
        (
            "window_s",
            str,
            "STFT window in seconds, or 'auto' (follows the zoom; the project's window is the longest)",
        ),
        ("overlap", float, "STFT overlap, 0..0.95 (steps of 0.05)"),
        ("window_type", str, "hann, hamming, blackman, blackmanharris or boxcar"),
        ("sharpen", str, "none, reassigned (thin FM sweeps) or multitaper"),
        ("levels", str, "auto (from the view's percentiles; db_min/db_max ignored) or fixed"),
        ("w0", float, "Scalogram bandwidth (Morlet w0, 3..400): 6 for FM calls, 200 for CF calls"),
    ]
]


def recording_for(request, pk: int) -> Recording:
    """The recording if the user is a member of its project, else 404.

    Two primary-key lookups instead of one join through memberships: this runs for every
    image the page loads, and the simple queries cost a fraction of the join's ORM work.
    """
    recording = Recording.objects.select_related("project", "root").filter(pk=pk).first()
    if recording is None or not is_member(request.user, recording.project_id):
        raise Http404("No such recording.")
    return recording


def _image(request, pk: int, kind: str) -> HttpResponse:
    arrived = time.monotonic()  # the render budget counts the lease and the lookups too
    recording = recording_for(request, pk)
    spec = rendering.parse_spec(kind, request.query_params, recording, recording.project)
    etag = f'"{spec.key(recording)}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        began = time.perf_counter()
        view = rendering.render(
            recording, spec, user=request.user, since=arrived
        )  # errors: echoloop.errors
        took_ms = (time.perf_counter() - began) * 1000
        response = HttpResponse(view.png, content_type="image/png")
        response["X-Extent-Start"] = repr(view.extent["start"])
        response["X-Extent-End"] = repr(view.extent["end"])
        response["X-Extent-Low"] = repr(view.extent["low"])
        response["X-Extent-High"] = repr(view.extent["high"])
        response["X-Freq-Scale"] = view.extent["scale"]
        response["X-Levels"] = (
            f"{view.extent.get('vmin', spec.db_min)} {view.extent.get('vmax', spec.db_max)}"
        )
        if spec.kind == "spectrogram":  # the window actually used ("auto" resolves per view)
            response["X-Window"] = repr(spec.frame / recording.samplerate)
        response["X-Cache"] = "hit" if view.cached else "miss"
        response["Server-Timing"] = f"render;dur={took_ms:.1f}"
    response["ETag"] = etag
    # Private: the image is immutable for its key, but only members may see it.
    response["Cache-Control"] = "private, max-age=86400"
    return response


@extend_schema(parameters=VIEW_PARAMS, responses={(200, "image/png"): bytes})
@api_view(["GET"])
def spectrogram(request, pk: int):
    """Spectrogram PNG of a window; the exact extent is in the X-Extent-* headers."""
    return _image(request, pk, "spectrogram")


@extend_schema(parameters=VIEW_PARAMS, responses={(200, "image/png"): bytes})
@api_view(["GET"])
def scalogram(request, pk: int):
    """Complex-Morlet scalogram PNG of a window; the exact extent is in the X-Extent-* headers."""
    return _image(request, pk, "scalogram")


@extend_schema(
    parameters=[
        OpenApiParameter("start", float),
        OpenApiParameter("end", float),
        OpenApiParameter(
            "expansion", float, description="Time-expansion factor (header rate divided by it)"
        ),
        OpenApiParameter("low", float),
        OpenApiParameter("high", float),
    ],
    responses={(200, "audio/wav"): bytes, (206, "audio/wav"): bytes},
)
@api_view(["GET"])
def audio(request, pk: int):
    """WAV of a window, time-expanded for listening to ultrasound; supports HTTP Range."""
    recording = recording_for(request, pk)
    window = rendering.audio_window(recording, request.query_params)
    try:
        byte_range = wavio.http_range(request.headers.get("Range"), window.size)
    except wavio.RangeNotSatisfiable as exc:
        response = HttpResponse(status=416)
        response["Content-Range"] = exc.content_range
        return response
    first, last = byte_range or (0, window.size - 1)
    data = rendering.audio_bytes(recording, window, first, last)  # only the samples of these bytes
    if byte_range is None:
        response = HttpResponse(data, content_type="audio/wav")
    else:
        response = HttpResponse(data, content_type="audio/wav", status=206)
        response["Content-Range"] = f"bytes {first}-{last}/{window.size}"
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    return response
