"""Ingest stores the files it read in batches, one transaction (one commit) per batch and a
savepoint per file: a file refused while reading or storing leaves nothing behind, the others
of its batch are stored, and a batch whose commit fails stores nothing and reports every file."""

from unittest import mock

import pytest
from django.db import DatabaseError, connection

from annotator import ingest
from annotator.models import Clip, Recording
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)  # real commits, counted


@pytest.fixture
def folder(tmp_path):
    for i in range(5):
        f.write_tone(tmp_path / f"good{i}.wav", samplerate=32_000, duration_s=2.0, seed=i)
    (tmp_path / "broken.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk")
    (tmp_path / "sub").mkdir()  # the same audio again, in another folder: a duplicate
    (tmp_path / "sub" / "again.wav").write_bytes((tmp_path / "good0.wav").read_bytes())
    f.make_root(tmp_path)
    return tmp_path


def _commits():
    return mock.patch.object(connection, "commit", wraps=connection.commit)


def test_a_batch_is_one_commit_and_refused_files_leave_nothing(folder):
    project = f.make_project("batched")
    dataset = f.make_dataset(project)
    with _commits() as commit:
        report = ingest.import_location(project, dataset, str(folder))
    assert commit.call_count == 1  # six files read, one transaction stores the five good ones
    assert sorted(report.imported) == [f"good{i}.wav" for i in range(5)]
    assert list(report.failed) == ["broken.wav"] and report.duplicates == ["sub/again.wav"]
    assert Recording.objects.filter(project=project).count() == 5
    assert Clip.objects.filter(project=project).count() == report.clips == 10
    assert not Clip.objects.filter(project=project, recording__name="again.wav").exists()


def test_batches_are_bounded(folder, monkeypatch):
    monkeypatch.setattr(ingest, "STORE_BATCH", 2)
    project = f.make_project("small batches")
    dataset = f.make_dataset(project)
    with _commits() as commit:
        report = ingest.import_location(project, dataset, str(folder))
    # six files read (the copy is refused only when stored): batches of 2 + 2 + 2
    assert len(report.imported) == 5 and commit.call_count == 3


def test_a_duplicate_found_only_when_storing_rolls_back_alone(folder, monkeypatch):
    """Two copies in one batch both pass the check before either is stored: the second one's
    savepoint is rolled back (the hash is unique), its clips with it."""
    project = f.make_project("copies")
    report = ingest.import_location(project, f.make_dataset(project), str(folder))
    assert report.duplicates == ["sub/again.wav"]  # refused when stored, not when read
    assert Recording.objects.filter(project=project, name="good0.wav").count() == 1
    assert Clip.objects.filter(project=project).count() == 10


def test_a_batch_whose_commit_fails_stores_nothing_and_reports_each_file(folder):
    project = f.make_project("commit fails")
    dataset = f.make_dataset(project)
    with mock.patch.object(connection, "commit", side_effect=DatabaseError("disk full")):
        report = ingest.import_location(project, dataset, str(folder))
    assert not report.imported and not Recording.objects.filter(project=project).exists()
    assert not Clip.objects.filter(project=project).exists()
    stored_in_vain = {f"good{i}.wav" for i in range(5)} | {"sub/again.wav"}
    assert set(report.failed) == stored_in_vain | {"broken.wav"}
    assert all(report.failed[name] == "not stored: disk full" for name in stored_in_vain)
