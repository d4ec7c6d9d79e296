"""What a client sees when the server fails: a short answer, never a traceback page.

A database outage is 503 with Retry-After (the client may try again; the request's transaction
was rolled back); anything else is 500. API paths answer JSON, pages a one-line HTML page.
Domain errors (a stale version, a bad view parameter, a busy training...) are answered by the API's
one exception handler, ``api_exception_handler``, so views raise them and catch nothing.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from rest_framework.response import Response
from rest_framework.views import exception_handler

DB_DOWN = "The database is unavailable; try again in a few seconds."
SERVER_ERROR = "Server error."


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: Django calls it inside the ``except`` block, so the exception is at hand."""
    exc = sys.exc_info()[1]
    db_down = isinstance(exc, OperationalError | InterfaceError)
    status, detail = (503, DB_DOWN) if db_down else (500, SERVER_ERROR)
    if request.path.startswith("/api/") or "json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse({"detail": detail}, status=status)
    else:
        response = HttpResponse(
            f"<!doctype html><title>{status}</title><p>{detail}</p>", status=status
        )
    if db_down:
        response["Retry-After"] = "5"
    return response


# --- the API's answers to domain errors ----------------------------------------------------------


def django_errors(exc: DjangoValidationError) -> dict | list:
    """A Django ValidationError's messages as DRF shows them (by field, or a list)."""
    return exc.message_dict if hasattr(exc, "error_dict") else exc.messages


def _detail(exc: Exception) -> dict:
    return {"detail": str(exc)}


@functools.cache
def domain_answers() -> dict[type[Exception], tuple[int, Callable[[Exception], object]]]:
    """Each domain error the views let through, with its status and body: the one place an error
    of the apps becomes an HTTP answer. Imported late: the apps must be loaded first."""
    from annotator.api.serializers import ClipAnnotationSerializer
    from annotator.formats.base import FormatError
    from annotator.measurements import TooCostly
    from annotator.measuring import NoAudio
    from annotator.options import OptionError
    from annotator.queue import NotYourTask, StaleVersion
    from annotator.rendering import BadViewRequest
    from annotator.renderpool import OverBudget, RenderFailed, TooManyRenders
    from models_app.versions import TrainingBusy
    from sampling.rounds import RoundError

    def stale(exc: StaleVersion) -> dict:
        return {
            "detail": "This annotation was changed since you loaded it; nothing was saved.",
            "current": ClipAnnotationSerializer(exc.current).data,
        }

    return {
        DjangoValidationError: (400, django_errors),
        OptionError: (400, lambda exc: {"detail": str(exc), "errors": exc.errors}),
        FormatError: (400, lambda exc: {"detail": str(exc), "line": exc.line, "field": exc.field}),
        BadViewRequest: (400, _detail),
        RenderFailed: (400, _detail),
        TooManyRenders: (429, _detail),
        OverBudget: (503, _detail),
        TooCostly: (400, _detail),
        NoAudio: (400, _detail),
        RoundError: (400, _detail),
        DjangoPermissionDenied: (403, _detail),
        StaleVersion: (409, stale),
        NotYourTask: (409, lambda exc: {"detail": f"{exc}; nothing was saved."}),
        TrainingBusy: (409, _detail),
    }


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: domain errors answered by ``domain_answers``, the rest by DRF
    (which leaves anything it does not know to ``server_error``: 500, or 503 for the database)."""
    answers = domain_answers()
    for cls in type(exc).__mro__:
        if cls in answers:
            status, body = answers[cls]
            retry = getattr(exc, "retry_after", None)  # 429/503: when to ask again
            return Response(
                body(exc), status=status, headers={"Retry-After": str(retry)} if retry else None
            )
    return exception_handler(exc, context)


# --- the same answers in the OpenAPI document ----------------------------------------------------

RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before asking again.",
    }
}
BUSY = "The database is unavailable or the server is over its work budget; try again after Retry-After."
TOO_MANY = {
    "throttled": "Too many attempts (the login throttle); try again after Retry-After.",
    "renders": "You have too many renders in progress; ask again after Retry-After.",
}


def throttled_operation(path: str) -> str | None:
    """Which 429 an operation can answer, by its path: the throttled token login, or the image
    endpoints under the per-user render limit (``annotator.renderpool``)."""
    if path.rstrip("/").endswith("/auth/token"):
        return "throttled"
    if path.endswith((".png",)):
        return "renders"
    return None


def document_busy_answers(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: every operation may answer 503 with Retry-After (the
    database outage, ``server_error``; the render budget, ``OverBudget``), and the throttled or
    render-limited ones 429 with Retry-After — so clients generated from the schema know to wait
    and retry instead of treating them as failures."""
    error = {
        "application/json": {
            "schema": {"type": "object", "properties": {"detail": {"type": "string"}}}
        }
    }
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            responses.setdefault(
                "503", {"description": BUSY, "headers": RETRY_AFTER, "content": error}
            )
            kind = throttled_operation(path)
            if kind:
                responses.setdefault(
                    "429", {"description": TOO_MANY[kind], "headers": RETRY_AFTER, "content": error}
                )
    return result
