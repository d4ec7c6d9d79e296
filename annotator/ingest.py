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

import numpy as np
import soundfile as sf
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.db import DatabaseError, IntegrityError, transaction

from annotator.dsp import AudioError, AudioInfo, audio_info
from annotator.dsp.audio import readable_stream
from annotator.models import AudioRoot, Clip, Dataset, Project, Recording, SamplingRole, Site
from annotator.signals import clips_added
from annotator.wavio import declared_frames, parse_guano

log = logging.getLogger(__name__)

AUDIO_FORMATS = {"WAV", "WAVEX", "RF64", "W64", "FLAC"}
AUDIO_SUFFIXES = {".wav", ".flac", ".wave", ".w64", ".rf64"}
MAX_SAMPLERATE = 1_000_000
FLOAT_SUBTYPES = {"FLOAT", "DOUBLE"}
FILENAME_TIME = re.compile(r"(?<!\d)(\d{8})[_T-](\d{6})(?!\d)")


class IngestError(Exception):
    """The import as a whole cannot run (bad source); single bad files are reported instead."""


@dataclass
class IngestReport:
    """What an import did, file by file: nothing found is left out of it."""

    imported: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # found but not audio we may read
    warnings: dict[str, str] = field(default_factory=dict)  # imported, with something to know
    clips: int = 0

    def summary(self) -> str:
        lines = [
            f"imported {len(self.imported)} recording(s) into {self.clips} clip(s); "
            f"{len(self.duplicates)} duplicate(s) skipped; {len(self.failed)} failed; "
            f"{len(self.skipped)} other file(s) skipped"
        ]
        lines += [f"  duplicate: {name}" for name in self.duplicates]
        lines += [f"  failed: {name}: {why}" for name, why in self.failed.items()]
        lines += [f"  skipped: {name}: {why}" for name, why in self.skipped.items()]
        lines += [f"  warning: {name}: {why}" for name, why in self.warnings.items()]
        return "\n".join(lines)


@dataclass
class Scan:
    """The audio files found at a location, and every other entry with why it is not imported."""

    sources: list[Source]
    skipped: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Inspection:
    """One file read in full: its description, its hash, and what an importer should be told."""

    info: AudioInfo
    sha256: str
    warnings: list[str]


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
    return scan(root, relative).sources


def scan(root: AudioRoot, relative: str) -> Scan:
    """Audio files at or below ``relative`` in ``root`` sorted by path, and what was passed over.

    Every file that is not imported is named with its reason (another suffix, a link leaving the
    root, a dangling link), so a folder never loses a file without a word."""
    if root.kind == AudioRoot.Kind.S3:
        return _scan_s3(root, relative)
    target = Path(root.resolve(relative))
    if target.is_file():
        return Scan([Source(root, relative)])
    if not target.is_dir():
        raise IngestError(f"{target} does not exist")
    base = Path(root.path).resolve()
    found = Scan([])
    for path in sorted(target.rglob("*")):
        shown = str(path.relative_to(base)) if base in path.parents else str(path)
        if path.is_dir():
            if path.is_symlink():  # rglob does not descend into linked folders: say so
                found.skipped[shown] = "a link to a folder (not followed)"
            continue
        resolved = path.resolve()
        if not path.exists():
            found.skipped[shown] = "a link to nothing (dangling symlink)"
        elif base not in resolved.parents:
            # resolve() would refuse it at open time anyway; say so now.
            found.skipped[shown] = f"a link leaving the import root (to {resolved})"
        elif path.suffix.lower() not in AUDIO_SUFFIXES:
            found.skipped[shown] = f"not an audio file name ({', '.join(sorted(AUDIO_SUFFIXES))})"
        else:
            found.sources.append(Source(root, str(resolved.relative_to(base))))
    return found


def _scan_s3(root: AudioRoot, relative: str) -> Scan:
    storage = root.storage()
    prefix = root.resolve(relative)
    bucket = storage.bucket
    prefix_root = root.path.strip("/")
    keys = sorted(obj.key for obj in bucket.objects.filter(Prefix=prefix))
    found = Scan([])
    for key in keys:
        shown = key[len(prefix_root) :].strip("/")
        if PurePosixPath(key).suffix.lower() in AUDIO_SUFFIXES:
            found.sources.append(Source(root, shown))
        elif not key.endswith("/"):
            found.skipped[shown] = "not an audio file name"
    if not found.sources:
        raise IngestError(f"no audio under s3://{root.bucket}/{prefix}")
    return found


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
    found = scan(root, relative)
    report = import_sources(
        project, dataset, found.sources, site=site, copy=copy, progress=progress
    )
    report.skipped.update(found.skipped)
    return report


STORE_BATCH = 50  # files read before their rows are written in one transaction


def import_sources(
    project: Project,
    dataset: Dataset,
    sources: Iterable[Source],
    *,
    site: Site | None = None,
    copy: bool = False,
    progress: Callable[[str], None] | None = None,
    role: str = SamplingRole.POOL,
    announce: bool = True,
) -> IngestReport:
    """Import each source into ``dataset``, reporting every outcome; ``announce`` tells the loop
    (a job announces once, when its last chunk is in).

    Files are read (and refused) one by one, then stored ``STORE_BATCH`` at a time in one
    transaction, a savepoint each: one commit per batch instead of per file, and a refused
    file still leaves nothing behind. Copied files are stored one by one (their copy is written
    while the file is open)."""
    if role not in SamplingRole.values:
        raise IngestError(f"role must be one of {', '.join(SamplingRole.values)}, not {role!r}")
    report, batch = IngestReport(), []
    for source in sources:
        try:
            if copy:
                recording = import_one(
                    project, dataset, source, site=site, copy=True, role=role, warn=report.warnings
                )
                _imported(report, source, recording)
            else:
                batch.append(_read(project, dataset, source, site=site, role=role))
        except Exception as exc:
            _refused(report, source, exc)
        if len(batch) >= STORE_BATCH:
            _store_batch(batch, report)
            batch = []
        if progress:
            progress(source.relative)
    _store_batch(batch, report)
    if report.imported and announce:
        announce_clips_added(project)
    return report


def _refused(report: IngestReport, source: Source, exc: Exception) -> None:
    if isinstance(exc, Duplicate):
        report.duplicates.append(source.relative)
    elif isinstance(exc, AudioError | OSError | SuspiciousFileOperation):
        report.failed[source.relative] = str(exc)
        log.warning("ingest: %s failed: %s", source.relative, exc)
    else:  # one file's surprise must not sink the other files of a job
        report.failed[source.relative] = f"unexpected error: {exc!r}"
        log.exception("ingest: %s failed unexpectedly", source.relative, exc_info=exc)


def _imported(report: IngestReport, source: Source, recording: Recording) -> None:
    project = recording.project
    report.imported.append(source.relative)
    report.clips += len(recording.clip_bounds(project.clip_length_s, project.clip_overlap_s))


def _store_batch(batch: list[Read], report: IngestReport) -> None:
    """Store the read files in one transaction; a file refused while storing (a copy another
    worker stored since the check) rolls back its own savepoint only. If the commit itself
    fails, no file of the batch is stored and each is reported failed."""
    if not batch:
        return
    outcomes: list[tuple[Read, Exception | None]] = []
    try:
        with transaction.atomic():
            for read in batch:
                try:
                    _save(read)
                except Exception as exc:  # the file's savepoint is rolled back; the rest go on
                    outcomes.append((read, exc))
                else:
                    outcomes.append((read, None))
    except DatabaseError as exc:
        log.exception("ingest: a batch of %s file(s) was not stored", len(batch))
        for read in batch:
            report.failed[read.source.relative] = f"not stored: {exc}"
        return
    for read, exc in outcomes:
        if exc is not None:
            _refused(report, read.source, exc)
            continue
        _imported(report, read.source, read.recording)
        if read.warnings:
            report.warnings[read.source.relative] = "; ".join(read.warnings)


def announce_clips_added(project: Project) -> None:
    """Tell the loop the pool grew (it scores the new clips and refills the queue)."""
    transaction.on_commit(lambda: clips_added.send(sender=Recording, project=project))


class Duplicate(Exception):
    pass


@dataclass
class Read:
    """One file read and checked, its recording not stored yet."""

    source: Source
    recording: Recording
    warnings: list[str]


def import_one(
    project: Project,
    dataset: Dataset,
    source: Source,
    *,
    site: Site | None = None,
    copy: bool = False,
    role: str = SamplingRole.POOL,
    warn: dict[str, str] | None = None,
) -> Recording:
    """Read, check, hash and store one recording and its clips; all or nothing.

    ``role`` says what its clips are for (pool, evaluation only, excluded from sampling); what
    the file's reading found worth telling (samples beyond full scale) goes into ``warn``."""
    if role not in SamplingRole.values:
        raise IngestError(f"role must be one of {', '.join(SamplingRole.values)}, not {role!r}")
    with source.open() as fh:
        read = _read(project, dataset, source, site=site, role=role, fh=fh)
        with transaction.atomic():
            if copy:
                fh.seek(0)
                read.recording.root, read.recording.path = None, ""
                read.recording.file.save(source.name, File(fh), save=False)
            _save(read)
    if read.warnings and warn is not None:
        warn[source.relative] = "; ".join(read.warnings)
    return read.recording


def _read(
    project: Project,
    dataset: Dataset,
    source: Source,
    *,
    site: Site | None,
    role: str,
    fh: IO[bytes] | None = None,
) -> Read:
    """Read and check one file (refused here: nothing is stored) and build its recording."""
    if fh is None:
        with source.open() as opened:
            return _read(project, dataset, source, site=site, role=role, fh=opened)
    inspection = inspect_audio(fh)
    info, sha256 = inspection.info, inspection.sha256
    if Recording.objects.filter(project=project, sha256=sha256).exists():
        raise Duplicate(source.relative)
    fh.seek(0)
    guano = parse_guano(fh)
    metadata = _json_safe(guano)
    warnings = inspection.warnings
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
        metadata={**metadata, **({"ingest_warnings": warnings} if warnings else {})},
        role=role,
        root=source.root,
        path=source.relative,
    )
    return Read(source, recording, warnings)


def _save(read: Read) -> None:
    """The recording and its clips, in a savepoint of their own."""
    try:
        with transaction.atomic():
            read.recording.save()
            cut_clips(read.recording, fresh=True)
    except IntegrityError:
        # Another worker stored the same audio (a copy in another folder) since the check.
        raise Duplicate(read.source.relative) from None


def inspect_audio(fh: IO[bytes]) -> Inspection:
    """Sniff and fully decode the file and hash its bytes.

    The duration comes from the data: a file holding fewer frames than its header promises
    (a copy cut short, a recorder that lost power) is refused naming both durations, since
    libsndfile alone quietly clamps its length to the bytes present. Float samples beyond full
    scale are imported with a warning (the views would show them saturated)."""
    info = audio_info(fh)
    if info.format not in AUDIO_FORMATS:
        raise AudioError(f"unsupported audio format {info.format}: WAV or FLAC expected")
    if info.frames <= 0:
        raise AudioError("the file holds no audio")
    if not 1000 <= info.samplerate <= MAX_SAMPLERATE:
        raise AudioError(f"absurd sample rate {info.samplerate} Hz (1 kHz–1 MHz accepted)")
    promised = max(info.frames, declared_frames(fh) or 0)
    decoded, peak, non_finite = _decode(fh, floating=info.subtype in FLOAT_SUBTYPES)
    if decoded < promised:
        rate = info.samplerate
        raise AudioError(
            f"truncated: the header promises {promised / rate:.3f} s ({promised} frames) "
            f"but the file holds {decoded / rate:.3f} s ({decoded} frames)"
        )
    warnings = []
    if peak > 1.0:
        warnings.append(
            f"samples reach {peak:.3g} times full scale (float audio beyond ±1.0; "
            "views show it saturated)"
        )
    if non_finite:
        warnings.append(f"{non_finite} sample(s) are NaN or infinite (played and drawn as 0)")
    fh.seek(0)
    return Inspection(info, _sha256(fh), warnings)


def _decode(fh: IO[bytes], *, floating: bool) -> tuple[int, float, int]:
    """Frames decoded, the peak absolute sample and non-finite samples (floats only)."""
    frames, peak, non_finite = 0, 0.0, 0
    fh.seek(0)
    try:
        with sf.SoundFile(readable_stream(fh)) as snd:
            dtype = "float32" if floating else "int16"  # int16 is cheapest when nothing can clip
            for block in snd.blocks(blocksize=1 << 18, dtype=dtype, always_2d=True):
                frames += len(block)
                if floating:
                    finite = np.isfinite(block)
                    non_finite += int(block.size - np.count_nonzero(finite))
                    peak = max(peak, float(np.abs(np.where(finite, block, 0)).max(initial=0)))
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise AudioError(f"cannot decode audio: {exc}") from exc
    return frames, peak, non_finite


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
            return datetime.strptime("".join(match.groups()), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
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


def cut_clips(recording: Recording, *, replace: bool = False, fresh: bool = False) -> list[Clip]:
    """Cut the recording into clips of its project's length (and overlap); ``fresh``: it was
    just stored and has none yet."""
    project = recording.project
    if replace:
        recording.clips.filter(tasks__isnull=True, annotations__isnull=True).delete()
    existing = set() if fresh else set(recording.clips.values_list("start_s", "end_s"))
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


CUT_SETTINGS = (
    "clip_length_s",
    "clip_overlap_s",
)  # changing either re-cuts (tasks.recut_if_changed)
