import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.db import IntegrityError

from annotator.models import AudioRoot, SoundEventAnnotation
from tests import factories as f


@pytest.mark.parametrize(
    "duration, length, overlap, expected",
    [
        (2.5, 1.0, 0.0, [(0, 1), (1, 2), (2, 2.5)]),
        (1.007, 1.0, 0.0, [(0, 1.007)]),
        (0.4, 1.0, 0.0, [(0, 0.4)]),
        (2.0, 1.0, 0.5, [(0, 1), (0.5, 1.5), (1.0, 2.0)]),
        (3.0, 1.0, 0.0, [(0, 1), (1, 2), (2, 3)]),
    ],
)
def test_clip_bounds_cover_the_recording(project, duration, length, overlap, expected):
    recording = f.make_recording(project, duration_s=duration)
    assert recording.clip_bounds(length, overlap) == expected


def test_hotkeys_are_unique_within_a_project(project):
    f.make_tag(project, "A", hotkey="1")
    f.make_tag(project, "B", hotkey="")
    f.make_tag(project, "C", hotkey="")  # empty hotkeys do not clash
    with pytest.raises(IntegrityError):
        f.make_tag(project, "D", hotkey="1")


def test_event_iou_in_time_and_frequency():
    a = SoundEventAnnotation(start_s=0, end_s=2, low_hz=0, high_hz=10)
    b = SoundEventAnnotation(start_s=1, end_s=3, low_hz=0, high_hz=10)
    interval = SoundEventAnnotation(start_s=1, end_s=2)
    assert a.iou(b) == pytest.approx(1 / 3)
    assert a.iou(interval) == pytest.approx(0.5)


def test_folder_root_refuses_traversal(tmp_path):
    root = AudioRoot(name="r", path=str(tmp_path))
    assert root.resolve("a/b.wav") == str(tmp_path / "a" / "b.wav")
    for bad in ("../x.wav", "a/../../x.wav", "/etc/passwd"):
        with pytest.raises(SuspiciousFileOperation):
            root.resolve(bad)


def test_s3_root_refuses_traversal():
    root = AudioRoot(name="s", kind=AudioRoot.Kind.S3, bucket="b", path="bats/2024")
    assert root.resolve("site1/x.wav") == "bats/2024/site1/x.wav"
    with pytest.raises(SuspiciousFileOperation):
        root.resolve("../../other/x.wav")


def test_role_of(project, cast):
    assert project.role_of(cast["lead"]) == "lead"
    assert project.role_of(cast["outsider"]) is None
    admin = f.make_user("root", is_superuser=True)
    assert project.role_of(admin) == "lead"


@pytest.mark.parametrize(
    "frames, rate", [(1376272, 384_000), (547780, 375_000), (882378, 384_000), (1001, 1000)]
)
def test_clips_never_end_past_the_recording(frames, rate, project):
    from annotator.models import Recording

    recording = Recording(project=project, samplerate=rate, frames=frames, duration_s=frames / rate)
    for length in (0.5, 1.0, 0.3):
        bounds = recording.clip_bounds(length)
        assert bounds[-1][1] <= recording.duration_s and bounds[-1][1] > recording.duration_s - 1e-6
