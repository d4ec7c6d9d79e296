"""What a client sees when the server fails: a short answer, never a traceback page.

A database outage is 503 with Retry-After (the client may try again; the request's transaction
was rolled back); anything else is 500. API paths answer JSON, pages a one-line HTML page.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

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
