"""Ingest: read each recording once, hash it, refuse duplicates and bad files, cut it into clips."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO

import soundfile as sf
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.db import transaction

from annotator.dsp import AudioError, audio_info
from annotator.models import AudioRoot, Clip, Dataset, Project, Recording, SamplingRole, Site
from annotator.signals import clips_added
from annotator.wavio import parse_guano

log = logging.getLogger(__name__)

AUDIO_FORMATS = {"WAV", "WAVEX", "RF64", "W64", "FLAC"}
AUDIO_SUFFIXES = {".wav", ".flac", ".wave", ".w64", ".rf64"}
MAX_SAMPLERATE = 1_000_000
FILENAME_TIME = re.compile(r"(?<!\d)(\d{8})[_T-](\d{6})(?!\d)")


class IngestError(Exception):
    """The import as a whole cannot run (bad source); single bad files are reported instead."""


@dataclass
class IngestReport:
    imported: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    clips: int = 0

    def summary(self) -> str:
        lines = [
            f"imported {len(self.imported)} recording(s) into {self.clips} clip(s); "
            f"{len(self.duplicates)} duplicate(s) skipped; {len(self.failed)} failed"
        ]
        lines += [f"  duplicate: {name}" for name in self.duplicates]
        lines += [f"  failed: {name}: {why}" for name, why in self.failed.items()]
        return "\n".join(lines)


@dataclass(frozen=True)
class Source:
    """One audio file found under a root: its root-relative path and how to open it."""

    root: AudioRoot
    relative: str

    @property
    def name(self) -> str:
        return PurePosixPath(self.relative).name

    def open(self) -> IO[bytes]:
        if self.root.kind == AudioRoot.Kind.S3:
            return self.root.storage().open(self.root.resolve(self.relative), "rb")
        return open(self.root.resolve(self.relative), "rb")


# --- finding the files --------------------------------------------------------------------------


def root_for(location: str) -> tuple[AudioRoot, str]:
    """The registered root containing ``location`` (a path or s3://bucket/prefix) and the rest."""
    if location.startswith("s3://"):
        bucket, _, key = location[5:].partition("/")
        for root in AudioRoot.objects.filter(kind=AudioRoot.Kind.S3, bucket=bucket):
            prefix = root.path.strip("/")
            if not prefix or key == prefix or key.startswith(prefix + "/"):
                relative = key[len(prefix) :].strip("/")
                root.resolve(relative)
                return root, relative
        raise SuspiciousFileOperation(f"{location} is not under a registered S3 import root")
    target = Path(location).resolve()
    for root in AudioRoot.objects.filter(kind=AudioRoot.Kind.FOLDER):
        base = Path(root.path).resolve()
        if target == base or base in target.parents:
            return root, str(target.relative_to(base))
    raise SuspiciousFileOperation(f"{location} is not under a registered import root")


def find_sources(root: AudioRoot, relative: str) -> list[Source]:
    """Audio files at or below ``relative`` in ``root``, sorted by path."""
    if root.kind == AudioRoot.Kind.S3:
        return _find_s3(root, relative)
    target = Path(root.resolve(relative))
    if target.is_file():
        return [Source(root, relative)]
    if not target.is_dir():
        raise IngestError(f"{target} does not exist")
    base = Path(root.path).resolve()
    files = sorted(
        p for p in target.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
    )
    # A symlink that points outside the root is refused by resolve() at open time; skip it here.
    return [
        Source(root, str(p.resolve().relative_to(base)))
        for p in files
        if base in p.resolve().parents
    ]


def _find_s3(root: AudioRoot, relative: str) -> list[Source]:
    storage = root.storage()
    prefix = root.resolve(relative)
    bucket = storage.bucket
    prefix_root = root.path.strip("/")
    keys = [obj.key for obj in bucket.objects.filter(Prefix=prefix)]
    audio = [k for k in keys if PurePosixPath(k).suffix.lower() in AUDIO_SUFFIXES]
    if not audio:
        raise IngestError(f"no audio under s3://{root.bucket}/{prefix}")
    return [Source(root, k[len(prefix_root) :].strip("/")) for k in sorted(audio)]


# --- importing ------------------------------------------------------------------------------------


def import_location(
    project: Project,
    dataset: Dataset,
    location: str,
    *,
    site: Site | None = None,
    copy: bool = False,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    """Import every audio file at ``location`` (inside a registered root) into ``dataset``."""
    root, relative = root_for(location)
    return import_sources(
        project, dataset, find_sources(root, relative), site=site, copy=copy, progress=progress
    )


def import_sources(
    project: Project,
    dataset: Dataset,
    sources: Iterable[Source],
    *,
    site: Site | None = None,
    copy: bool = False,
    progress: Callable[[str], None] | None = None,
    role: str = SamplingRole.POOL,
) -> IngestReport:
    report = IngestReport()
    for source in sources:
        try:
            recording = import_one(project, dataset, source, site=site, copy=copy, role=role)
        except Duplicate:
            report.duplicates.append(source.relative)
        except (AudioError, OSError, SuspiciousFileOperation) as exc:
            report.failed[source.relative] = str(exc)
            log.warning("ingest: %s failed: %s", source.relative, exc)
        else:
            report.imported.append(source.relative)
            report.clips += recording.clips.count()
        if progress:
            progress(source.relative)
    if report.imported:
        announce_clips_added(project)
    return report


def announce_clips_added(project: Project) -> None:
    """Tell the loop the pool grew (it scores the new clips and refills the queue)."""
    transaction.on_commit(lambda: clips_added.send(sender=Recording, project=project))


class Duplicate(Exception):
    pass


def import_one(
    project: Project,
    dataset: Dataset,
    source: Source,
    *,
    site: Site | None = None,
    copy: bool = False,
    role: str = SamplingRole.POOL,
) -> Recording:
    """Read, check, hash and store one recording and its clips; all or nothing.

    ``role`` says what its clips are for (pool, evaluation only, excluded from sampling)."""
    if role not in SamplingRole.values:
        raise IngestError(f"role must be one of {', '.join(SamplingRole.values)}, not {role!r}")
    with source.open() as fh:
        info, sha256 = inspect_audio(fh)
        if Recording.objects.filter(project=project, sha256=sha256).exists():
            raise Duplicate(source.relative)
        fh.seek(0)
        fh.seek(0)
        guano = parse_guano(fh)
        metadata = _json_safe(guano)
        with transaction.atomic():
            recording = Recording(
                project=project,
                dataset=dataset,
                site=site,
                name=source.name,
                sha256=sha256,
                format=info.format,
                samplerate=info.samplerate,
                channels=info.channels,
                frames=info.frames,
                duration_s=info.duration,
                recorded_at=recorded_at(source.name, guano),
                time_expansion=_time_expansion(metadata),
                metadata=metadata,
                role=role,
            )
            if copy:
                fh.seek(0)
                recording.file.save(source.name, File(fh), save=False)
            else:
                recording.root, recording.path = source.root, source.relative
            recording.save()
            cut_clips(recording)
    return recording


def inspect_audio(fh: IO[bytes]):
    """Sniff and fully decode the file (catching truncation and corruption) and hash its bytes."""
    info = audio_info(fh)
    if info.format not in AUDIO_FORMATS:
        raise AudioError(f"unsupported audio format {info.format}: WAV or FLAC expected")
    if info.frames <= 0:
        raise AudioError("the file holds no audio")
    if not 1000 <= info.samplerate <= MAX_SAMPLERATE:
        raise AudioError(f"absurd sample rate {info.samplerate} Hz (1 kHz–1 MHz accepted)")
    fh.seek(0)
    decoded = _decode_frames(fh)
    if decoded < info.frames:
        raise AudioError(f"truncated or corrupt: decoded {decoded} of {info.frames} frames")
    fh.seek(0)
    return info, _sha256(fh)


def _decode_frames(fh: IO[bytes]) -> int:
    try:
        with sf.SoundFile(fh) as snd:
            return sum(
                len(block) for block in snd.blocks(blocksize=1 << 18, dtype="int16", always_2d=True)
            )
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise AudioError(f"cannot decode audio: {exc}") from exc


def _sha256(fh: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def recorded_at(name: str, metadata: dict) -> datetime | None:
    """When the recording started: GUANO's Timestamp, else a YYYYMMDD_HHMMSS in the file name."""
    stamp = metadata.get("Timestamp")
    if isinstance(stamp, datetime):
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    if isinstance(stamp, str):
        try:
            parsed = datetime.fromisoformat(stamp)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass
    match = FILENAME_TIME.search(name)
    if match:
        try:
            return datetime.strptime("".join(match.groups()), "%Y%m%d%H%M%S").replace(
                tzinfo=UTC
            )
        except ValueError:
            return None
    return None


def _json_safe(metadata: dict) -> dict:
    """GUANO values as JSON: datetimes in ISO format, positions as [lat, lon]."""
    safe = {}
    for key, value in metadata.items():
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, tuple):
            value = list(value)
        safe[key] = value
    return safe


def _time_expansion(metadata: dict) -> float:
    try:
        value = float(metadata.get("TE", 1) or 1)
    except (TypeError, ValueError):
        return 1.0
    return value if value >= 1 else 1.0


def cut_clips(recording: Recording, *, replace: bool = False) -> list[Clip]:
    """Cut the recording into clips of its project's length (and overlap)."""
    project = recording.project
    if replace:
        recording.clips.filter(tasks__isnull=True, annotations__isnull=True).delete()
    existing = set(recording.clips.values_list("start_s", "end_s"))
    clips = [
        Clip(
            project=project,
            recording=recording,
            start_s=start,
            end_s=end,
            held_out=Clip.draw_held_out(recording.sha256, start, project.audit_fraction),
        )
        for start, end in recording.clip_bounds(project.clip_length_s, project.clip_overlap_s)
        if (start, end) not in existing
    ]
    return Clip.objects.bulk_create(clips)
