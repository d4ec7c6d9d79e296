"""Plain factory functions for test rows."""

from __future__ import annotations

import itertools

import numpy as np
import soundfile as sf
from django.contrib.auth import get_user_model

from annotator.models import AudioRoot, Clip, Dataset, Membership, Project, Recording, Role, Tag

_seq = itertools.count(1)


def make_user(username: str | None = None, *, password: str = "pw-for-tests-only", **extra):
    user = get_user_model().objects.create_user(
        username=username or f"user{next(_seq)}", password=password, **extra
    )
    return user


def make_project(name: str | None = None, **settings) -> Project:
    return Project.objects.create(name=name or f"project {next(_seq)}", **settings)


def add_member(project: Project, user, role: str = Role.ANNOTATOR) -> Membership:
    return Membership.objects.create(project=project, user=user, role=role)


def make_tag(project: Project, value: str = "Myotis myotis", **extra) -> Tag:
    return Tag.objects.create(project=project, key="species", value=value, **extra)


def make_dataset(project: Project, name: str = "dataset") -> Dataset:
    return Dataset.objects.get_or_create(project=project, name=name)[0]


def make_recording(
    project: Project,
    *,
    duration_s: float = 3.0,
    samplerate: int = 384_000,
    name: str | None = None,
    path: str = "",
) -> Recording:
    """A recording row without audio (for queue and API tests that never read samples)."""
    n = next(_seq)
    return Recording.objects.create(
        project=project,
        dataset=make_dataset(project),
        name=name or f"rec{n}.wav",
        path=path,
        sha256=f"{n:064x}",
        format="WAV",
        samplerate=samplerate,
        channels=1,
        frames=int(duration_s * samplerate),
        duration_s=duration_s,
    )


def make_clip(
    project: Project, recording: Recording | None = None, start_s: float = 0.0, end_s: float = 1.0
) -> Clip:
    recording = recording or make_recording(project)
    return Clip.objects.create(project=project, recording=recording, start_s=start_s, end_s=end_s)


def make_root(path, name: str | None = None) -> AudioRoot:
    return AudioRoot.objects.create(name=name or f"root{next(_seq)}", path=str(path))


def write_tone(
    path,
    *,
    samplerate: int = 384_000,
    duration_s: float = 1.0,
    freq_hz: float = 40_000,
    channels: int = 1,
    subtype: str = "PCM_16",
    seed: int = 0,
) -> None:
    """A tone plus a little noise; distinct seeds give distinct files (and hashes)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(samplerate * duration_s)) / samplerate
    signal = 0.3 * np.sin(2 * np.pi * freq_hz * t) + 0.01 * rng.standard_normal(t.size)
    data = np.repeat(signal[:, None], channels, axis=1) if channels > 1 else signal
    sf.write(path, data.astype(np.float32), samplerate, subtype=subtype)


def import_whombat(
    project: Project, *, annotate: tuple[str, ...] = (), annotator=None
) -> list[Recording]:
    """Import the three bat recordings in tests/data/whombat; label the clips of the recordings
    whose names contain one of ``annotate`` with their published boxes (species tags created)."""
    import csv
    from pathlib import Path

    from annotator import ingest, queue

    folder = Path(__file__).parent / "data" / "whombat"
    if not AudioRoot.objects.filter(path=str(folder)).exists():
        make_root(folder)
    ingest.import_location(project, make_dataset(project), str(folder))
    rows = list(csv.DictReader(open(folder / "annotations_boxes.csv", newline="")))
    tags = {
        s: Tag.objects.get_or_create(project=project, key="species", value=s)[0]
        for s in {r["species"] for r in rows}
    }
    recordings = list(Recording.objects.filter(project=project).order_by("name"))
    for rec in recordings:
        if not any(part in rec.name for part in annotate):
            continue
        for clip in rec.clips.all():
            events = [
                queue.EventInput(
                    float(r["start_s"]),
                    float(r["end_s"]),
                    float(r["low_freq_hz"]),
                    float(r["high_freq_hz"]),
                    tags[r["species"]].pk,
                )
                for r in rows
                if r["file"] == rec.name and clip.start_s <= float(r["start_s"]) < clip.end_s
            ]
            queue.save_annotation(
                project, clip, annotator, queue.Submission(events=events, no_calls=not events)
            )
    return recordings
