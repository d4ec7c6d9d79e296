"""Typed, path-aware access to parsed JSON, for the JSON readers (AOEF, BatDetect2).

`Node` wraps a parsed value with its place in the document. Asking it for the wrong type
raises `FormatError` whose field is the JSON path ("data.sound_events[3].geometry"), so a
bad document is reported precisely instead of failing with KeyError or TypeError.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from annotator.formats.base import FormatError, check_number
from annotator.formats.text import decode


def load_json(data: str | bytes) -> Node:
    """Parse an upload as JSON; the root node has the empty path."""
    text = decode(data)
    try:
        return Node(json.loads(text))
    except json.JSONDecodeError as error:
        raise FormatError(f"invalid JSON: {error.msg}", line=error.lineno) from None
    except (ValueError, RecursionError) as error:
        # Integers past Python's digit limit, or nesting deeper than the parser's stack.
        raise FormatError(f"invalid JSON: {type(error).__name__}") from None


class Node:
    """A parsed JSON value and where it sits in the document.

    The path is built only when an error needs it: documents hold millions of values.
    """

    __slots__ = ("value", "_parent", "_key")

    def __init__(self, value: object, parent: Node | None = None, key: str | int | None = None):
        self.value = value
        self._parent = parent
        self._key = key

    @property
    def path(self) -> str:
        """Like `data.sound_events[3].geometry`; the root is ""."""
        if self._parent is None:
            return ""
        return _join(self._parent.path, self._key)

    def error(self, message: str) -> FormatError:
        """A FormatError pointing at this node."""
        return FormatError(message, field=self.path or "(document)")

    def mapping(self) -> dict[str, object]:
        if not isinstance(self.value, dict):
            raise self.error(f"expected an object, got {_kind(self.value)}")
        return self.value

    def has(self, key: str) -> bool:
        """Whether this object has `key` with a non-null value."""
        return self.mapping().get(key) is not None

    def opt(self, key: str) -> Node | None:
        """The child at `key`, or None when it is absent or null."""
        value = self.mapping().get(key)
        return None if value is None else Node(value, self, key)

    def req(self, key: str) -> Node:
        """The child at `key`, which must be present and not null."""
        node = self.opt(key)
        if node is None:
            raise FormatError("required field is missing", field=_join(self.path, key))
        return node

    def items(self) -> list[Node]:
        """The elements of a list."""
        if not isinstance(self.value, list):
            raise self.error(f"expected a list, got {_kind(self.value)}")
        return [Node(value, self, index) for index, value in enumerate(self.value)]

    def opt_items(self, key: str) -> list[Node]:
        """The elements of the list at `key`; absent or null is an empty list."""
        node = self.opt(key)
        return [] if node is None else node.items()

    def text(self) -> str:
        if not isinstance(self.value, str):
            raise self.error(f"expected a string, got {_kind(self.value)}")
        return self.value

    def number(self) -> float:
        """A finite int or float (not a bool)."""
        try:
            check_number(self.value, self.path)
        except FormatError as error:
            raise self.error(error.message) from None
        return self.value  # type: ignore[return-value]

    def integer(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.error(f"expected an integer, got {_kind(self.value)}")
        return self.value

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.error(f"expected true or false, got {_kind(self.value)}")
        return self.value

    def scalar(self) -> str | int | float | bool:
        """A string, number or boolean, kept as it is (for pass-through fields)."""
        if isinstance(self.value, str | bool | int):
            return self.value
        return self.number()

    def opt_text(self, key: str) -> str | None:
        node = self.opt(key)
        return None if node is None else node.text()

    def opt_number(self, key: str) -> float | None:
        node = self.opt(key)
        return None if node is None else node.number()


def _join(path: str, key: str | int | None) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


@contextmanager
def within(node: Node) -> Iterator[None]:
    """Point errors from value objects (Box, RecordingRef) at the JSON node they came from."""
    try:
        yield
    except FormatError as error:
        if error.field is not None and error.field.startswith(node.path):
            raise  # already a JSON path, from a Node accessor inside the block
        message = f"{error.field}: {error.message}" if error.field else error.message
        raise FormatError(message, field=node.path or "(document)") from None


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")
