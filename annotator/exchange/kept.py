"""Fields a file says that Echoloop has no column for, kept in the notes as ``#key: value`` lines.

An import keeps every such field (extra columns like warbleR's ``group`` and ``id``, Whombat tags
that are not the species, like ``call_quality: truncated``, BatDetect2's scores) on the box's or
clip's notes, where the annotator reads them, one line each after the notes themselves. An export
reads those lines back into the format's own fields (columns, tags), so a round trip gives the
file back. A note the annotator writes that starts with ``#`` and has a ``key:`` is read the
same way: the mark is rare enough in notes to be worth the exact round trip.
"""

from __future__ import annotations

import re

from annotator.formats.base import ExtraValue

LINE = re.compile(r"^#(?P<key>[^\s:#][^:\n]*?): (?P<value>.*)$")


def with_fields(notes: str, fields: dict[str, ExtraValue]) -> str:
    """``notes`` followed by one ``#key: value`` line per field (None values left out)."""
    lines = [f"#{key}: {_flat(value)}" for key, value in fields.items() if value is not None]
    return "\n".join([notes, *lines] if notes else lines)


def split_fields(notes: str) -> tuple[str, dict[str, str]]:
    """The notes without their ``#key: value`` lines, and those lines as fields."""
    kept, fields = [], {}
    for line in notes.splitlines():
        match = LINE.match(line)
        if match:
            fields[match["key"]] = match["value"]
        else:
            kept.append(line)
    return "\n".join(kept), fields


def _flat(value: ExtraValue) -> str:
    return " ".join(str(value).split())  # one line: a value's own line breaks become spaces
