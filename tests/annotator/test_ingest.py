import struct

import numpy as np
import pytest
import soundfile as sf
from django.core.exceptions import SuspiciousFileOperation

from annotator import ingest
from annotator.models import Clip, Recording
from tests import factories as f
from tests.conftest import DATA


@pytest.fixture
def dataset(project):
    return f.make_dataset(project)


def test_folder_import_cuts_clips(project, dataset, audio_dir):
    f.make_root(audio_dir)
    report = ingest.import_location(project, dataset, str(audio_dir))
    assert sorted(report.imported) == ["a.wav", "b.flac"] and not report.failed
    a = Recording.objects.get(name="a.wav")
    assert (a.samplerate, a.channels, a.frames) == (384_000, 1, 960_000)
    assert [(c.start_s, c.end_s) for c in a.clips.all()] == [(0, 1), (1, 2), (2, 2.5)]
    b = Recording.objects.get(name="b.flac")
    assert b.format == "FLAC" and b.clips.count() == 2  # 1 s and the 0.2 s remainder
    assert a.path == "a.wav" and not a.file  # a reference under the root, not a copy


def test_duplicate_is_skipped_and_reported(project, dataset, audio_dir):
    f.make_root(audio_dir)
    ingest.import_location(project, dataset, str(audio_dir))
    (audio_dir / "copy.wav").write_bytes((audio_dir / "a.wav").read_bytes())
    report = ingest.import_location(project, dataset, str(audio_dir))
    assert sorted(report.duplicates) == ["a.wav", "b.flac", "copy.wav"]
    assert Recording.objects.count() == 2


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt garbage garbage garbage", "cannot"),
        (b"\x00\x01\x02not audio at all" * 50, "cannot"),
    ],
)
def test_bad_file_is_reported_and_leaves_nothing(project, dataset, tmp_path, content, reason):
    (tmp_path / "bad.wav").write_bytes(content)
    f.make_root(tmp_path)
    report = ingest.import_location(project, dataset, str(tmp_path))
    assert list(report.failed) == ["bad.wav"]
    assert reason in report.failed["bad.wav"].lower() or "audio" in report.failed["bad.wav"].lower()
    assert not Recording.objects.exists() and not Clip.objects.exists()


FINCH = DATA / "finch" / "gy6or6_baseline_230312_0821.202.wav"  # 7.024 s, 224,754 frames


@pytest.mark.parametrize("keep, holds", [(0.5, "3.511 s"), (5000, "0.077 s")])
def test_truncated_real_wav_is_refused_naming_both_durations(
    project, dataset, tmp_path, keep, holds
):
    """libsndfile clamps a cut file to the bytes present; the header's data size tells the truth."""
    data = FINCH.read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[: int(len(data) * keep) if keep < 1 else keep])
    f.make_root(tmp_path)
    report = ingest.import_location(project, dataset, str(tmp_path))
    assert not report.imported
    why = report.failed["cut.wav"]
    assert "truncated" in why and "7.024 s" in why and holds in why, why
    assert not Recording.objects.exists() and not Clip.objects.exists()


def test_whole_real_wav_keeps_its_duration(project, dataset, tmp_path):
    (tmp_path / "song.wav").write_bytes(FINCH.read_bytes())
    f.make_root(tmp_path)
    report = ingest.import_location(project, dataset, str(tmp_path))
    assert report.imported == ["song.wav"] and not report.warnings
    assert Recording.objects.get().frames == 224_754


def test_truncated_rf64_is_refused(project, dataset, tmp_path):
    sf.write(tmp_path / "long.wav", np.zeros(48_000, dtype=np.int16), 48_000, format="RF64")
    data = (tmp_path / "long.wav").read_bytes()
    (tmp_path / "long.wav").write_bytes(data[: len(data) - 20_000])
    f.make_root(tmp_path)
    report = ingest.import_location(project, dataset, str(tmp_path))
    assert "truncated" in report.failed["long.wav"]


def test_float_samples_beyond_full_scale_are_reported(project, dataset, tmp_path):
    tone = np.sin(np.linspace(0, 2000, 48_000)).astype(np.float32)
    loud = tone * 37.5
    loud[10] = np.inf
    sf.write(tmp_path / "loud.wav", loud, 48_000, subtype="FLOAT")
    sf.write(tmp_path / "fine.wav", tone, 48_000, subtype="FLOAT")
    f.make_root(tmp_path)
    report = ingest.import_location(project, dataset, str(tmp_path))
    assert sorted(report.imported) == ["fine.wav", "loud.wav"]
    assert list(report.warnings) == ["loud.wav"]
    assert "37.5 times full scale" in report.warnings["loud.wav"]
    assert "1 sample(s) are NaN or infinite" in report.warnings["loud.wav"]
    assert "warning: loud.wav" in report.summary()
    stored = Recording.objects.get(name="loud.wav").metadata["ingest_warnings"]
    assert stored and "full scale" in stored[0]


def test_absurd_sample_rate_is_refused(project, dataset, tmp_path):
    sf.write(tmp_path / "fast.wav", np.zeros(4000, dtype=np.float32), 2_000_000)
    f.make_root(tmp_path)
    report = ingest.import_location(project, dataset, str(tmp_path))
    assert "sample rate" in report.failed["fast.wav"]
    assert not Recording.objects.exists()


def test_one_megahertz_multichannel_is_accepted(project, dataset, tmp_path):
    f.write_tone(
        tmp_path / "mhz.wav", samplerate=1_000_000, duration_s=0.5, channels=4, freq_hz=200_000
    )
    f.make_root(tmp_path)
    ingest.import_location(project, dataset, str(tmp_path))
    rec = Recording.objects.get()
    assert (rec.samplerate, rec.channels, rec.clips.count()) == (1_000_000, 4, 1)


def test_path_outside_roots_is_refused(project, dataset, tmp_path, audio_dir):
    f.make_root(audio_dir)
    with pytest.raises(SuspiciousFileOperation):
        ingest.import_location(project, dataset, str(tmp_path))
    with pytest.raises(SuspiciousFileOperation):
        ingest.import_location(project, dataset, str(audio_dir / ".." / ".."))
    root = f.make_root(tmp_path / "other")
    with pytest.raises(SuspiciousFileOperation):
        root.resolve("../audio/a.wav")


def test_symlink_leaving_the_root_is_not_imported(project, dataset, tmp_path, audio_dir):
    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "escape.wav").symlink_to(audio_dir / "a.wav")
    f.make_root(inside)
    with pytest.raises(SuspiciousFileOperation):
        ingest.root_for(str(inside / "escape.wav"))
    assert ingest.find_sources(*ingest.root_for(str(inside))) == []


def test_every_skipped_file_and_link_is_named(project, dataset, tmp_path, audio_dir):
    inside = tmp_path / "inside"
    (inside / "night1").mkdir(parents=True)
    (inside / "night1" / "escape.wav").symlink_to(audio_dir / "a.wav")
    (inside / "night1" / "gone.wav").symlink_to(tmp_path / "missing.wav")
    (inside / "notes.txt").write_text("field notes")
    (inside / "elsewhere").symlink_to(audio_dir, target_is_directory=True)
    f.write_tone(inside / "night1" / "kept.wav", duration_s=0.3)
    f.make_root(inside)
    report = ingest.import_location(project, dataset, str(inside))
    assert report.imported == ["night1/kept.wav"]
    assert sorted(report.skipped) == [
        "elsewhere",
        "night1/escape.wav",
        "night1/gone.wav",
        "notes.txt",
    ]
    assert "not followed" in report.skipped["elsewhere"]
    assert "leaving the import root" in report.skipped["night1/escape.wav"]
    assert "dangling" in report.skipped["night1/gone.wav"]
    assert "skipped: notes.txt" in report.summary()


def guano_wav(path, fields: str) -> None:
    f.write_tone(path, duration_s=0.2)
    body = fields.encode()
    body += b"\x00" * (len(body) % 2)
    data = path.read_bytes() + b"guan" + struct.pack("<I", len(body)) + body
    data = data[:4] + struct.pack("<I", len(data) - 8) + data[8:]
    path.write_bytes(data)


def test_guano_metadata_is_read(project, dataset, tmp_path):
    guano_wav(
        tmp_path / "det.wav",
        "GUANO|Version: 1.0\nTimestamp: 2024-06-01T22:15:00+02:00\nTE: 10\nLoc Position: 52.1 5.2\nMake: Wildlife Acoustics\n",
    )
    f.make_root(tmp_path)
    ingest.import_location(project, dataset, str(tmp_path))
    rec = Recording.objects.get()
    assert rec.metadata["Make"] == "Wildlife Acoustics" and rec.metadata["Loc Position"] == [
        52.1,
        5.2,
    ]
    assert rec.time_expansion == 10
    assert rec.recorded_at.isoformat() == "2024-06-01T20:15:00+00:00"


def test_recording_time_from_file_name(project, dataset, tmp_path):
    f.write_tone(tmp_path / "20170701_213954-MYOMYS.wav", duration_s=0.2)
    f.make_root(tmp_path)
    ingest.import_location(project, dataset, str(tmp_path))
    assert Recording.objects.get().recorded_at.isoformat() == "2017-07-01T21:39:54+00:00"


def test_copy_puts_audio_in_media_storage(project, dataset, audio_dir, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    f.make_root(audio_dir)
    ingest.import_location(project, dataset, str(audio_dir / "a.wav"), copy=True)
    rec = Recording.objects.get()
    assert rec.file and rec.root is None
    with rec.open() as fh:
        assert sf.info(fh).frames == 960_000


def test_real_bat_recordings_import(project, dataset):
    f.make_root(DATA / "whombat")
    report = ingest.import_location(project, dataset, str(DATA / "whombat"))
    assert len(report.imported) == 3
    assert {r.samplerate for r in Recording.objects.all()} == {375_000, 384_000}
    assert Clip.objects.count() == sum(len(r.clip_bounds(1.0)) for r in Recording.objects.all())
