"""What the page reads beside the image: a window's waveform envelope, a box's power spectrum and
its call measurements (saved or not), and the measurements of a saved annotation's boxes. Members only, like the media endpoints; every request's
cost is computed from its parameters before any audio is read, and a request beyond the bounds
is a 400 that says the limit."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from annotator import measurements as m
from annotator import measuring
from annotator.access import is_member
from annotator.api.media import recording_for
from annotator.models import ClipAnnotation, Recording
from annotator.rendering import MAX_FREQUENCY, BadViewRequest, last_end, number_param

BOX_PARAMS = [
    OpenApiParameter(
        "start", float, required=True, description="Box start, seconds of recording time"
    ),
    OpenApiParameter("end", float, required=True, description="Box end, seconds"),
    OpenApiParameter("low", float, required=False, description="Low frequency, Hz (empty: 0)"),
    OpenApiParameter(
        "high", float, required=False, description="High frequency, Hz (empty: Nyquist)"
    ),
]


_numbers = serializers.ListField(child=serializers.FloatField())
ENVELOPE = inline_serializer(
    "Envelope",
    {
        "start": serializers.FloatField(),
        "end": serializers.FloatField(),
        "samplerate": serializers.IntegerField(),
        "min": _numbers,
        "max": _numbers,
    },
)
SPECTRUM = inline_serializer(
    "BoxSpectrum",
    {
        "freqs_hz": _numbers,
        "db": _numbers,
        "window": serializers.IntegerField(),
        "reason": serializers.CharField(allow_null=True),
    },
)
MEASUREMENTS = inline_serializer(
    "CallMeasurements",
    {"box": serializers.DictField(), "reason": serializers.CharField(allow_null=True)}
    | {name: serializers.FloatField(allow_null=True) for name in m.FIELDS if name != "reason"},
)
REFUSED = OpenApiResponse(
    description="A parameter out of range, or a request beyond the cost bounds"
)


def _window(params, recording: Recording) -> tuple[float, float]:
    start = number_param(params, "start", None, lo=0.0, hi=recording.duration_s)
    end = number_param(params, "end", None, lo=0.0, hi=last_end(recording))
    if start is None or end is None:
        raise BadViewRequest("start and end: both are required")
    if not end > start:
        raise BadViewRequest("end: must be after start")
    return float(start), float(end)


def _box(params, recording: Recording) -> m.Band:
    start, end = _window(params, recording)
    low = number_param(params, "low", None, lo=0.0, hi=MAX_FREQUENCY)
    high = number_param(params, "high", None, lo=0.0, hi=MAX_FREQUENCY)
    if (low is None) != (high is None):
        raise BadViewRequest("low and high: give both or neither")
    if low is not None and not high > low:
        raise BadViewRequest("high: must be above low")
    return m.Band(start, end, low, high)


@extend_schema(
    parameters=[
        OpenApiParameter("start", float, required=True),
        OpenApiParameter("end", float, required=True),
        OpenApiParameter(
            "width",
            int,
            required=True,
            description=f"Columns (pixels), at most {m.MAX_ENVELOPE_COLUMNS}",
        ),
    ],
    responses={200: ENVELOPE, 400: REFUSED},
)
@api_view(["GET"])
def envelope(request, pk: int):
    """Min and max sample per column of a window: the waveform strip under the image."""
    recording = recording_for(request, pk)
    start, end = _window(request.query_params, recording)
    width = number_param(request.query_params, "width", None, int, lo=1, hi=m.MAX_ENVELOPE_COLUMNS)
    if width is None:
        raise BadViewRequest("width: required")
    return Response(measuring.envelope(recording, start, end, width))


@extend_schema(
    parameters=[
        *BOX_PARAMS,
        OpenApiParameter("bins", int, required=False, description=f"At most {m.MAX_SPECTRUM_BINS}"),
    ],
    responses={200: SPECTRUM, 400: REFUSED},
)
@api_view(["GET"])
def spectrum(request, pk: int):
    """Mean power spectrum (dB full scale) of a time–frequency box."""
    recording = recording_for(request, pk)
    box = _box(request.query_params, recording)
    bins = number_param(
        request.query_params, "bins", m.MAX_SPECTRUM_BINS, int, lo=8, hi=m.MAX_SPECTRUM_BINS
    )
    samples, rate, offset = measuring.open_box(recording, box)
    return Response(m.spectrum(samples, rate, offset, box, max_bins=bins))


@extend_schema(parameters=BOX_PARAMS, responses={200: MEASUREMENTS, 400: REFUSED})
@api_view(["GET"])
def measure(request, pk: int):
    """Call measurements of a box, saved or not (see `annotator.measurements` for definitions)."""
    recording = recording_for(request, pk)
    box = _box(request.query_params, recording)
    result = measuring.measure_box(recording, box)
    return Response({"box": box.__dict__, **result.as_dict()})


SAVED_MEASUREMENTS = inline_serializer(
    "SavedBoxMeasurements",
    {
        "annotation": serializers.IntegerField(),
        "version": serializers.IntegerField(),
        "events": serializers.ListField(child=serializers.DictField()),
    },
)


@extend_schema(responses={200: SAVED_MEASUREMENTS})
@api_view(["GET"])
def annotation_measurements(request, pk: int):
    """Call measurements of every box of a saved clip annotation, by event id (members only)."""
    annotation = (
        ClipAnnotation.objects.select_related("clip__recording__root").filter(pk=pk).first()
    )
    if annotation is None or not is_member(request.user, annotation.project_id):
        raise Http404("No such annotation.")
    events = list(annotation.events.all())
    bands = [m.Band(e.start_s, e.end_s, e.low_hz, e.high_hz) for e in events]
    budget = measuring.Budget(measuring.EXPORT_NEW_BOXES)
    results = measuring.measure_boxes(annotation.clip.recording, bands, budget)
    return Response(
        {
            "annotation": annotation.pk,
            "version": annotation.version,
            "events": [{"id": e.pk, **r.as_dict()} for e, r in zip(events, results, strict=True)],
        }
    )
