"""Request bodies are capped before anything reads them.

Django spools a multipart body of any size to disk when a view (or the CSRF check) first reads
``request.POST``; ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bounds only the fields that are not files. So
every request's declared length is checked here, before the views and the CSRF check run:
ordinary requests get ``ECHOLOOP_MAX_BODY_BYTES``, the few views that take files their own cap
(a proxy in front, where there is one, should hold the same limits, e.g. nginx's
``client_max_body_size``).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Views that take files, by URL name (admin views by their admin name), and their caps.
# Annotation and prediction files are read whole into memory: the format readers' own limit.
FORM_OVERHEAD = 64 * 1024


def upload_limits() -> dict[str, int]:
    from annotator.formats.base import MAX_BYTES

    return {
        "annotations-import": MAX_BYTES + FORM_OVERHEAD,
        "import-predictions": MAX_BYTES + FORM_OVERHEAD,
        "annotator_recording_add": settings.ECHOLOOP_MAX_UPLOAD_BYTES + FORM_OVERHEAD,
    }


def body_limit(request: HttpRequest) -> int:
    match = request.resolver_match
    name = match.url_name if match is not None else None
    return upload_limits().get(name or "", settings.ECHOLOOP_MAX_BODY_BYTES)


class BodyLimitMiddleware:
    """413 for a body over its view's cap, 400 for a length that is not a number; nothing read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            return JsonResponse(
                {"detail": f"Content-Length: {declared!r} is not a number."}, status=400
            )
        limit = body_limit(request)
        if length > limit:
            return JsonResponse(
                {
                    "detail": f"The request body ({length} bytes) is over this address's limit of {limit} bytes."
                },
                status=413,
            )
        return None


class JSONParser(parsers.JSONParser):
    """DRF's parser, with nesting too deep for the decoder a 400 like any other bad JSON (the
    decoder's RecursionError is not a ValueError, so DRF let it through as a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
