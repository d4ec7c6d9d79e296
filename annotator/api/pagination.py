"""Paging of pool-sized lists by key: ``?cursor=`` moves along the primary key, so the last page
of a million clips (or of a season's tasks and annotations) costs what the first does (no global
multi-join sort, no COUNT per page)."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class KeyPagination(CursorPagination):
    """Pages in id order, ``next``/``previous`` links holding an opaque cursor; no ``count``."""

    ordering = "pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000


class NewestFirstKeyPagination(KeyPagination):
    """Pages newest first (ids grow with time), by key like ``KeyPagination``."""

    ordering = "-pk"
