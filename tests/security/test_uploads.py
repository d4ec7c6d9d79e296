"""Uploads and imports: content decides (not the file name), sizes are bounded, decode errors are
reported, nothing leaves an import root, and random or broken audio never crashes ingest or
leaves anything behind. (The annotation-format parsers have their own fuzz tests.)"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator import ingest
from annotator.admin import RecordingUploadForm
from annotator.dsp import AudioError
from annotator.models import AudioRoot, Clip, ClipAnnotation, Recording
from tests import factories as f
from tests.conftest import DATA

WHOMBAT_WAV = next((DATA / "whombat").glob("*Carollia_castanea*.wav"))


def tone_bytes(fmt: str = "WAV", *, seconds: float = 0.2, rate: int = 96_000) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    buffer = io.BytesIO()
    sf.write(buffer, (0.3 * np.sin(2 * np.pi * 20_000 * t)).astype(np.float32), rate, format=fmt)
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("calls.wav", tone_bytes())
    return buffer.getvalue()


@pytest.fixture
def dataset(project):
    return f.make_dataset(project)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def nothing_written(media: Path | None = None) -> bool:
    files = [p for p in Path(media).rglob("*") if p.is_file()] if media else []
    return not Recording.objects.exists() and not Clip.objects.exists() and not files


# --- content, not names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, why",
    [
        (b"just some notes about the night\n" * 20, "text"),
        (zip_bytes(), "a zip holding a wav"),
        (b"%PDF-1.7\n" + b"\x00" * 512, "a pdf"),
        (tone_bytes()[:44], "a header and no samples"),
    ],
)
def test_a_wav_name_does_not_make_a_file_audio(project, dataset, tmp_path, media, content, why):
    (tmp_path / "night.wav").write_bytes(content)
    f.make_root(tmp_path)
    report = ingest.import_location(project, dataset, str(tmp_path), copy=True)
    assert list(report.failed) == ["night.wav"], why
    assert report.failed["night.wav"]  # a reason, for the report
    assert nothing_written(media)


def test_the_content_names_the_format(project, dataset, tmp_path):
    (tmp_path / "really-flac.wav").write_bytes(tone_bytes("FLAC"))
    f.make_root(tmp_path)
    ingest.import_location(project, dataset, str(tmp_path))
    assert Recording.objects.get().format == "FLAC"


@pytest.mark.parametrize("content", [zip_bytes(), b"RIFF....WAVEjunk" * 10, b""])
def test_admin_upload_sniffs_the_content(project, dataset, content):
    form = RecordingUploadForm(
        data={"project": project.pk, "dataset": dataset.pk},
        files={"upload": SimpleUploadedFile("calls.wav", content, content_type="audio/wav")},
    )
    assert not form.is_valid()
    assert "calls.wav" in str(form.errors) or "upload" in form.errors
    assert not Recording.objects.exists()


@pytest.mark.django_db
def test_admin_upload_through_the_admin_page_refuses_and_saves_nothing(project, dataset, media):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("curator", password=None)
    client = Client()
    client.force_login(admin)
    upload = SimpleUploadedFile("calls.wav", zip_bytes(), content_type="audio/wav")
    response = client.post(
        "/admin/annotator/recording/add/",
        {"project": project.pk, "dataset": dataset.pk, "upload": upload},
    )
    assert response.status_code == 200 and b"errornote" in response.content
    assert nothing_written(media)
    good = SimpleUploadedFile("calls.wav", tone_bytes(), content_type="audio/wav")
    response = client.post(
        "/admin/annotator/recording/add/",
        {"project": project.pk, "dataset": dataset.pk, "upload": good},
    )
    assert response.status_code == 302, response.content[-2000:]
    recording = Recording.objects.get()
    assert recording.file and recording.clips.exists()


# --- sizes --------------------------------------------------------------------------------------


def test_admin_upload_above_the_limit_is_refused(project, dataset, settings):
    settings.ECHOLOOP_MAX_UPLOAD_BYTES = 1000
    form = RecordingUploadForm(
        data={"project": project.pk, "dataset": dataset.pk},
        files={"upload": SimpleUploadedFile("big.wav", tone_bytes(), content_type="audio/wav")},
    )
    assert not form.is_valid() and "1000-byte limit" in str(form.errors)
    assert not Recording.objects.exists()


def test_an_oversized_api_body_is_refused_and_writes_nothing(project, cast, api, settings):
    from annotator import queue

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    queue.enqueue(project, [f.make_clip(project)])
    task = queue.claim_next(project, cast["ann1"])
    body = json.dumps({"version": None, "notes": "x" * 60_000, "tags": []})
    response = api(cast["ann1"]).post(
        f"/api/tasks/{task.pk}/submit/", body, content_type="application/json"
    )
    assert response.status_code in (400, 413)
    assert not ClipAnnotation.objects.exists()


def test_an_oversized_prediction_file_is_refused(project, cast, api, monkeypatch):
    from annotator.formats import base
    from models_app.models import ModelVersion

    monkeypatch.setattr(base, "MAX_BYTES", 1000)
    upload = SimpleUploadedFile("big.json", b"[" + b"{}," * 2000 + b"{}]")
    response = api(cast["lead"]).post(
        f"/api/projects/{project.pk}/predictions/import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert not ModelVersion.objects.exists()


# --- decode errors are reported -----------------------------------------------------------------


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda: tone_bytes(rate=2_000_000), "sample rate"),
        (lambda: tone_bytes(rate=500), "sample rate"),
        (lambda: b"", "audio"),
        (lambda: b"fLaC" + b"\x00" * 100, "audio"),
    ],
)
def test_decode_errors_are_reported_with_a_reason(project, dataset, tmp_path, make, reason):
    (tmp_path / "bad.wav").write_bytes(make())
    f.make_root(tmp_path)
    report = ingest.import_location(project, dataset, str(tmp_path))
    assert reason in report.failed["bad.wav"].lower()
    assert "failed: bad.wav: " in report.summary()
    assert nothing_written()


# --- nothing leaves a root ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "relative",
    ["../x.wav", "a/../../x.wav", "/etc/passwd", "..\\..\\x.wav", "a/b/../../../x.wav"],
)
def test_folder_root_refuses_paths_that_leave_it(tmp_path, relative, db):
    (tmp_path / "root").mkdir()
    root = AudioRoot.objects.create(name="r", path=str(tmp_path / "root"))
    if "\\" in relative:  # a backslash is a plain character in a POSIX name: it stays inside
        assert root.resolve(relative).startswith(str(tmp_path / "root"))
        return
    with pytest.raises(SuspiciousFileOperation):
        root.resolve(relative)


def test_a_sibling_folder_with_the_roots_name_as_prefix_is_outside(project, dataset, tmp_path):
    (tmp_path / "field").mkdir()
    (tmp_path / "field-evil").mkdir()
    (tmp_path / "field-evil" / "x.wav").write_bytes(tone_bytes())
    f.make_root(tmp_path / "field")
    with pytest.raises(SuspiciousFileOperation):
        ingest.import_location(project, dataset, str(tmp_path / "field-evil"))
    with pytest.raises(SuspiciousFileOperation):
        ingest.import_location(project, dataset, str(tmp_path / "field" / ".." / "field-evil"))
    assert not Recording.objects.exists()


@pytest.mark.parametrize(
    "relative", ["../other/x.wav", "2024/../../other/x.wav", "..\\other\\x.wav", "a/./../../b"]
)
def test_s3_root_refuses_keys_that_leave_its_prefix(relative, db):
    root = AudioRoot.objects.create(name="b", kind="s3", bucket="bats", path="field")
    with pytest.raises(SuspiciousFileOperation):
        root.resolve(relative)


@pytest.mark.parametrize(
    "location",
    [
        "s3://bats/field-evil/x.wav",
        "s3://bats/field/../secret/x.wav",
        "s3://other-bucket/field/x.wav",
    ],
)
def test_s3_locations_outside_a_root_are_refused(location, db):
    AudioRoot.objects.create(name="b", kind="s3", bucket="bats", path="field")
    with pytest.raises(SuspiciousFileOperation):
        ingest.root_for(location)


def test_a_tampered_recording_path_cannot_leave_its_root(project, tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "secret.wav").write_bytes(tone_bytes())
    recording = f.make_recording(project, path="../secret.wav")
    recording.root = f.make_root(tmp_path / "root")
    recording.save()
    with pytest.raises(SuspiciousFileOperation), recording.open():
        pass


# --- property-based: random and broken audio ----------------------------------------------------

FUZZ = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
REAL = WHOMBAT_WAV.read_bytes()[:200_000]  # the first ~0.25 s, to keep examples quick
SYNTHETIC = {"wav": tone_bytes("WAV"), "flac": tone_bytes("FLAC")}


def only_audio_errors(data: bytes) -> None:
    try:
        inspection = ingest.inspect_audio(io.BytesIO(data))
    except AudioError as exc:
        assert str(exc)
    else:  # accepted: then it really is audio we can use
        info, sha = inspection.info, inspection.sha256
        assert info.frames > 0 and 1000 <= info.samplerate <= 1_000_000 and len(sha) == 64


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_raise_only_audio_errors(data):
    only_audio_errors(data)


@FUZZ
@given(st.sampled_from(sorted(SYNTHETIC) + ["real"]), st.floats(0.0, 1.0))
def test_truncated_audio_raises_only_audio_errors(kind, cut):
    data = REAL if kind == "real" else SYNTHETIC[kind]
    only_audio_errors(data[: int(len(data) * cut)])


@FUZZ
@given(st.sampled_from(sorted(SYNTHETIC)), st.data())
def test_corrupted_headers_raise_only_audio_errors(kind, data):
    raw = bytearray(SYNTHETIC[kind])
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, min(80, len(raw) - 1)))
        raw[position] = data.draw(st.integers(0, 255))
    only_audio_errors(bytes(raw))


@FUZZ
@given(
    payload=st.one_of(
        st.binary(max_size=2048),
        st.sampled_from(sorted(SYNTHETIC)).map(lambda k: SYNTHETIC[k][: len(SYNTHETIC[k]) // 3]),
    )
)
def test_a_refused_file_leaves_nothing_behind(project, dataset, tmp_path, media, payload):
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    (folder / "x.wav").write_bytes(payload)
    root = AudioRoot.objects.get_or_create(name="fuzz", defaults={"path": str(folder)})[0]
    report = ingest.import_sources(project, dataset, [ingest.Source(root, "x.wav")], copy=True)
    if report.failed:
        assert nothing_written(media)
    else:  # a valid prefix of real audio: keep the test independent of the next example
        Recording.objects.all().delete()
        for path in Path(media).rglob("*"):
            if path.is_file():
                path.unlink()
