"""The scaled storage against an S3 API (moto's server on a loopback port): recordings imported
from a bucket prefix, views cached in the media bucket, time-expanded audio with Range, export,
and uploads and model weights written to the bucket."""

from __future__ import annotations

import io
import json
import uuid
import wave
from dataclasses import dataclass

import boto3
import numpy as np
import pytest
import soundfile as sf
from moto.server import ThreadedMotoServer

from annotator import ingest, queue
from annotator.models import AudioRoot, Recording
from tests import factories as f
from tests.conftest import DATA

WHOMBAT = sorted((DATA / "whombat").glob("*.wav"))


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@dataclass
class Buckets:
    client: object
    media: str
    audio: str
    endpoint: str

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        listing = self.client.list_objects_v2(Bucket=bucket, Prefix=prefix)
        return sorted(obj["Key"] for obj in listing.get("Contents", []))


@pytest.fixture
def s3(endpoint, settings):
    """Default storage in a fresh media bucket; the whombat recordings under audio/field/2013/."""
    options = {
        **settings.S3_OPTIONS,
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "access_key": "testing",
        "secret_key": "testing",
    }
    suffix = uuid.uuid4().hex[:8]
    buckets = Buckets(
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ),
        f"echoloop-media-{suffix}",
        f"field-audio-{suffix}",
        endpoint,
    )
    for bucket in (buckets.media, buckets.audio):
        buckets.client.create_bucket(Bucket=bucket)
    for path in WHOMBAT:
        buckets.client.upload_file(str(path), buckets.audio, f"field/2013/{path.name}")
    buckets.client.put_object(Bucket=buckets.audio, Key="field/2013/notes.txt", Body=b"not audio")
    buckets.client.put_object(Bucket=buckets.audio, Key="field/2013/fake.wav", Body=b"not audio")
    settings.S3_OPTIONS = options
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "bucket_name": buckets.media},
        },
    }
    return buckets


@pytest.fixture
def imported(project, s3):
    AudioRoot.objects.create(
        name="field", kind="s3", bucket=s3.audio, path="field", endpoint_url=s3.endpoint
    )
    report = ingest.import_location(project, f.make_dataset(project), f"s3://{s3.audio}/field/2013")
    return report


def test_recordings_are_imported_from_a_bucket_prefix(project, s3, imported):
    assert sorted(imported.imported) == sorted(f"2013/{p.name}" for p in WHOMBAT)
    assert list(imported.failed) == ["2013/fake.wav"]  # sniffed, refused, reported
    recordings = Recording.objects.filter(project=project)
    assert recordings.count() == 3 and all(r.root.kind == "s3" and not r.file for r in recordings)
    assert imported.clips == sum(r.clips.count() for r in recordings) > 3
    assert s3.keys(s3.media) == []  # referenced in place, not copied
    again = ingest.import_location(project, f.make_dataset(project), f"s3://{s3.audio}/field")
    assert len(again.duplicates) == 3 and not again.imported


def test_keys_that_leave_the_prefix_are_refused(project, s3, imported):
    from django.core.exceptions import SuspiciousFileOperation

    s3.client.put_object(Bucket=s3.audio, Key="secret/x.wav", Body=WHOMBAT[0].read_bytes())
    with pytest.raises(SuspiciousFileOperation):
        ingest.import_location(project, f.make_dataset(project), f"s3://{s3.audio}/field/../secret")
    with pytest.raises(SuspiciousFileOperation):
        ingest.import_location(project, f.make_dataset(project), f"s3://{s3.audio}/secret")


def test_spectrogram_is_cached_in_the_media_bucket(project, cast, api, s3, imported):
    recording = Recording.objects.filter(project=project).first()
    client = api(cast["ann1"])
    url = f"/api/recordings/{recording.pk}/spectrogram.png?start=0.1&end=0.6"
    first = client.get(url)
    assert first.status_code == 200 and first["X-Cache"] == "miss"
    cached = s3.keys(s3.media, "views/")
    assert [k.rsplit(".", 1)[1] for k in cached] == ["json", "png"]
    png = s3.client.get_object(Bucket=s3.media, Key=[k for k in cached if k.endswith(".png")][0])
    assert png["Body"].read() == first.content
    second = client.get(url)
    assert second.status_code == 200 and second["X-Cache"] == "hit"
    assert second.content == first.content and s3.keys(s3.media, "views/") == cached


def test_audio_is_time_expanded_and_served_in_ranges(project, cast, api, s3, imported):
    recording = Recording.objects.filter(project=project).order_by("name").first()
    local = next(p for p in WHOMBAT if p.name == recording.name)
    client = api(cast["viewer"])
    url = f"/api/recordings/{recording.pk}/audio.wav?start=0.2&end=0.4&expansion=10"
    full = client.get(url)
    assert full.status_code == 200 and full["Accept-Ranges"] == "bytes"
    with wave.open(io.BytesIO(full.content)) as wav:
        assert wav.getframerate() == round(recording.samplerate / 10)
        served = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    original, rate = sf.read(
        local,
        dtype="int16",
        start=round(0.2 * recording.samplerate),
        stop=round(0.4 * recording.samplerate),
    )
    assert rate == recording.samplerate and abs(len(served) - len(original)) <= 1
    n = min(len(served), len(original))
    assert np.abs(served[:n].astype(int) - original[:n].astype(int)).max() <= 1
    part = client.get(url, HTTP_RANGE="bytes=100-1099")
    assert part.status_code == 206 and part.content == full.content[100:1100]
    assert part["Content-Range"] == f"bytes 100-1099/{len(full.content)}"


def test_export_of_a_bucket_backed_project(project, cast, api, s3, imported):
    recording = Recording.objects.filter(project=project).order_by("name").first()
    clip = recording.clips.first()
    tag = f.make_tag(project, "Desmodus rotundus")
    event = queue.EventInput(clip.start_s + 0.1, clip.start_s + 0.12, 20_000, 60_000, tag.pk)
    queue.save_annotation(project, clip, cast["ann1"], queue.Submission(events=[event]))
    response = api(cast["lead"]).get(f"/api/projects/{project.pk}/annotations/export/?format=aoef")
    assert response.status_code == 200, response.content[:500]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    document = json.loads(content)
    assert recording.name in json.dumps(document) and "Desmodus rotundus" in json.dumps(document)


def test_uploads_and_model_weights_are_written_to_the_bucket(project, s3, imported):
    """A copied import lands in the media bucket; a model trained on bucket audio stores its
    weights there and loads them back."""
    from models_app import registry
    from models_app.calibration import Calibration
    from models_app.training import train

    folder_copy = ingest.import_sources(
        f.make_project("copies"),
        f.make_dataset(project, "copies"),
        [ingest.Source(AudioRoot.objects.get(name="field"), f"2013/{WHOMBAT[0].name}")],
        copy=True,
    )
    assert folder_copy.imported and s3.keys(s3.media, "recordings/")
    copied = Recording.objects.get(project__name="copies")
    with copied.open() as fh:
        assert fh.read() == WHOMBAT[0].read_bytes()

    # The published boxes of one recording (as in the model-loop tests), on the bucket's copy.
    rows = [r for r in _boxes() if r["file"] == WHOMBAT[1].name]
    tag = f.make_tag(project, rows[0]["species"])
    recording = Recording.objects.get(project=project, name=WHOMBAT[1].name)
    for clip in recording.clips.all():
        events = [
            queue.EventInput(
                float(r["start_s"]),
                float(r["end_s"]),
                float(r["low_freq_hz"]),
                float(r["high_freq_hz"]),
                tag.pk,
            )
            for r in rows
            if clip.start_s <= float(r["start_s"]) < clip.end_s
        ]
        queue.save_annotation(
            project,
            clip,
            f.make_user(f"expert{clip.pk}"),
            queue.Submission(events=events, no_calls=not events),
        )
    labelled = registry.labelled_clips(project)  # audio read from the bucket
    cfg = registry.train_config(project, [tag.value], recording.samplerate)
    cfg.epochs, cfg.batch_size = 1, 4
    version = registry._store(
        project,
        train(cfg, [lc.example for lc in labelled]),
        cfg,
        {},
        None,
        len(labelled),
        Calibration(),
    )
    assert version.weights.name in s3.keys(s3.media, "models/")
    assert registry._load_result(version).config.class_names == [tag.value]


def _boxes() -> list[dict]:
    import csv

    return list(csv.DictReader(open(DATA / "whombat" / "annotations_boxes.csv", newline="")))
