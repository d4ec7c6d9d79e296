"""Reading uploaded annotation files, and matching their recordings and labels to the project's."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from django.contrib.auth import get_user_model

from annotator import formats
from annotator.formats import aoef, audacity, batdetect2, csvfmt, raven
from annotator.formats.base import (
    MAX_BYTES,
    AnnotationSet,
    FormatError,
    RecordingRef,
    recording_name,
)
from annotator.formats.text import decode, read_table, split_lines
from annotator.models import (
    Project,
    Recording,
    Tag,
)

FORMATS = (aoef.NAME, raven.NAME, audacity.NAME, batdetect2.NAME, csvfmt.NAME)
HASH_COLUMN = "sha256"  # written by table exports so that re-imports match by content
MAX_ZIP_MEMBERS = 1000
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TABLE_SUFFIX = re.compile(r"(\.Table\.\d+\.selections)?\.(txt|tsv|csv|json)$", re.IGNORECASE)


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """One uploaded file: its name (only used to match a recording) and its bytes."""

    name: str
    data: bytes


@dataclass
class ParsedFile:
    upload: Upload
    format: str
    annset: AnnotationSet
    places: list[tuple[int | None, str | None]] = field(default_factory=list)


def unpack(upload: Upload) -> list[Upload]:
    """The files of a zip (e.g. an exported set of Raven tables), or the upload itself."""
    if not upload.data.startswith(b"PK\x03\x04"):
        return [upload]
    try:
        with zipfile.ZipFile(io.BytesIO(upload.data)) as archive:
            members = [m for m in archive.infolist() if not _skipped(m)]
            if len(members) > MAX_ZIP_MEMBERS:
                raise FormatError(f"more than {MAX_ZIP_MEMBERS} files in the zip")
            # A zip bomb is refused by the sizes it declares before anything is inflated.
            if sum(m.file_size for m in members) > MAX_BYTES:
                raise FormatError(f"the zip unpacks to more than {MAX_BYTES} bytes")
            return [Upload(m.filename, archive.read(m)) for m in members]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as exc:
        raise FormatError(f"{upload.name or 'file'}: not a readable zip ({exc})") from None


def _skipped(member: zipfile.ZipInfo) -> bool:
    name = PurePosixPath(member.filename)
    return member.is_dir() or name.name.startswith(".") or "__MACOSX" in name.parts


def read_upload(upload: Upload, format_name: str | None = None) -> ParsedFile:
    """Read one file with the named format, or the one its content shows."""
    if format_name is None:
        format_name = formats.sniff(upload.name, upload.data[: formats.SNIFF_BYTES])
    if format_name not in FORMATS:
        raise FormatError(
            f"cannot import {format_name!r} annotations; formats: {', '.join(FORMATS)} "
            "(model outputs such as BirdNET results are imported as predictions)",
            field="format",
        )
    annset = formats.REGISTRY[format_name].read(upload.data)
    if annset.is_prediction:
        raise FormatError("this file holds predictions; import it as a model version instead")
    return ParsedFile(upload, format_name, annset, box_places(format_name, upload.data, annset))


def box_places(
    format_name: str, data: bytes, annset: AnnotationSet
) -> list[tuple[int | None, str | None]]:
    """Where each box of `annset` sits in the file: (line, None) in tables, (None, path) in JSON.

    The readers keep no positions, so tables are split again with the readers' own helpers.
    """
    try:
        places = _places(format_name, data)
    except (FormatError, ValueError, KeyError, TypeError):
        places = []
    if len(places) != len(annset.boxes):  # cannot happen for files the reader accepted
        return [(None, f"box {i + 1}") for i in range(len(annset.boxes))]
    return places


def _places(format_name: str, data: bytes) -> list[tuple[int | None, str | None]]:
    if format_name == aoef.NAME:
        count = len(json.loads(decode(data))["data"].get("sound_event_annotations") or [])
        return [(None, f"data.sound_event_annotations[{i}]") for i in range(count)]
    if format_name == batdetect2.NAME:
        root = json.loads(decode(data))
        files = root if isinstance(root, list) else [root]
        prefix = (lambda k: f"[{k}].") if isinstance(root, list) else (lambda k: "")
        return [
            (None, f"{prefix(k)}annotation[{j}]")
            for k, node in enumerate(files)
            for j in range(len(node["annotation"]))
        ]
    text = decode(data)
    if format_name == raven.NAME:
        table = read_table(text, "\t", quoting=csv.QUOTE_NONE)
        return [(row.line, None) for row in raven.collapse_views(table)]
    if format_name == audacity.NAME:
        lines = enumerate(split_lines(text), start=1)
        return [
            (n, None) for n, line in lines if line.strip() and not line.lstrip().startswith("\\")
        ]
    first = text.lstrip("\r\n").split("\n", 1)[0]
    table = read_table(text, max(csvfmt.DELIMITERS, key=first.count))  # as csvfmt.read chooses
    return [(row.line, None) for row in table.rows]


# --- matching recordings and tags ----------------------------------------------------------------


def match_recordings(
    project: Project, file: ParsedFile, *, recording: Recording | None = None
) -> dict[str, Recording]:
    """The project's recording for every recording the file's boxes and clips point at.

    By sha256, then path relative to the root, then file name. A table that names no file (Raven,
    Audacity, CSV without a file column) is about `recording`, or the recording its upload is
    named after (Raven names tables "<recording>.Table.1.selections.txt").
    """
    annset = file.annset
    used = {item.recording for item in (*annset.boxes, *annset.clips)}
    index = RecordingIndex(Recording.objects.filter(project=project).select_related("root"))
    hints = _hash_hints(annset)
    matched = {}
    for ref in annset.recordings:
        if ref.name not in used:
            continue
        if not ref.path and not ref.name:
            matched[ref.name] = recording or index.from_upload_name(file.upload.name)
        else:
            matched[ref.name] = index.find(replace(ref, sha256=ref.sha256 or hints.get(ref.name)))
    return matched


class RecordingIndex:
    """A project's recordings by hash, path and file name: the one way a file's reference to a
    recording is matched (annotation imports here, prediction imports in ``models_app.external``)."""

    def __init__(self, recordings: Iterable[Recording]):
        self.recordings = list(recordings)
        self.by_hash = {r.sha256: r for r in self.recordings}
        self.by_path = {r.path: r for r in self.recordings if r.path}
        self.by_file: dict[str, list[Recording]] = {}
        for r in self.recordings:
            for name in {r.name, PurePosixPath(r.path).name if r.path else r.name}:
                self.by_file.setdefault(name, []).append(r)

    def lookup(self, ref: RecordingRef) -> Recording | None:
        """By sha256, then path relative to the root, then file name (several: the closest path), else None."""
        if ref.sha256 and ref.sha256 in self.by_hash:
            return self.by_hash[ref.sha256]
        path = ref.path.replace("\\", "/").removeprefix("./")
        if path in self.by_path:
            return self.by_path[path]
        candidates = self.by_file.get(recording_name(ref.path or ref.name), [])
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:  # e.g. Raven's Begin Path: the one sharing most of its folders
            return _closest_path(path, candidates)
        return None

    def find(self, ref: RecordingRef) -> Recording:
        """``lookup``, or FormatError saying why none matched."""
        hit = self.lookup(ref)
        if hit is not None:
            return hit
        candidates = self.by_file.get(recording_name(ref.path or ref.name), [])
        why = "several recordings have its file name" if candidates else "no recording matches"
        raise FormatError(
            f"unknown recording {ref.path or ref.name!r}: {why} (by hash, path or file name)",
            field="recording",
        )

    def from_upload_name(self, upload_name: str) -> Recording:
        stem = _TABLE_SUFFIX.sub("", PurePosixPath(upload_name.replace("\\", "/")).name)
        hits = [r for r in self.recordings if stem in (r.name, PurePosixPath(r.name).stem)]
        if len(hits) != 1:
            raise FormatError(
                f"{upload_name or 'the file'} does not say which recording it describes: "
                "give the recording, or name the file after it",
                field="recording",
            )
        return hits[0]


def _closest_path(path: str, candidates: list[Recording]) -> Recording | None:
    """Of recordings sharing a file name, the one whose full path (its import root's folder, then
    its path under it) ends with most of ``path``'s folders: Raven's 'Begin Path' is the
    annotator's own absolute path, C:\\field\\site-A\\x.wav on one machine, /data/field/site-A/x.wav
    on the server. None when two tie."""
    wanted = [part for part in path.split("/") if part][::-1]

    def shared(recording: Recording) -> int:
        root = recording.root.path if recording.root_id and recording.root else ""
        full = [part for part in f"{root}/{recording.path or recording.name}".split("/") if part][
            ::-1
        ]
        n = 0
        while n < min(len(wanted), len(full)) and wanted[n] == full[n]:
            n += 1
        return n

    scored = sorted(((shared(r), r.pk, r) for r in candidates), key=lambda item: -item[0])
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return scored[0][2] if scored[0][0] > 1 else None


def _hash_hints(annset: AnnotationSet) -> dict[str, str]:
    """Recordings whose boxes all carry the same sha256 column (Echoloop's table exports)."""
    seen: dict[str, set[str]] = {}
    for box in annset.boxes:
        value = box.extra.get(HASH_COLUMN)
        seen.setdefault(box.recording, set()).add(str(value).lower() if value else "")
    hints = {name: min(values) for name, values in seen.items() if len(values) == 1}
    return {name: value for name, value in hints.items() if _SHA256.fullmatch(value)}


def resolve_tags(
    project: Project, labels: Iterable[str], *, create: bool
) -> tuple[dict[str, Tag], list[str]]:
    """The project's tag for each label (by value, then display name, then case-insensitively),
    and the labels for which a species tag was created.

    Unknown labels are refused, listing them all, unless `create` asks for new species tags.
    """
    tags = list(Tag.objects.filter(project=project).order_by("key"))
    labels = set(labels)
    found = {label: tag for label in labels if (tag := _find_tag(tags, label)) is not None}
    unknown = sorted(labels - found.keys())
    if unknown and not create:
        raise FormatError(
            f"labels that are not tags of this project: {', '.join(unknown)} "
            "(create them first, or import with create_tags)",
            field="label",
        )
    for label in unknown:
        if len(label) > Tag._meta.get_field("value").max_length:
            raise FormatError(f"label too long for a tag: {label[:40]!r}…", field="label")
        found[label] = Tag.objects.create(project=project, key="species", value=label)
    return found, unknown


def _find_tag(tags: list[Tag], label: str) -> Tag | None:
    exact = [t for t in tags if t.value == label]
    if exact:  # the same value under several keys: the species one
        return next((t for t in exact if t.key == "species"), exact[0])
    named = [t for t in tags if t.display_name == label]
    folded = [t for t in tags if t.value.casefold() == label.casefold()]
    return (named or folded or [None])[0]


def import_user(format_name: str):
    """The user imported annotations belong to by default: "import:<format>", who cannot log in."""
    user, created = get_user_model().objects.get_or_create(username=f"import:{format_name}")
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
