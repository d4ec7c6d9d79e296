"""Imports as jobs: chunks, progress, one merge per chunk, nothing left behind by a refused import."""

from __future__ import annotations

import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.management import CommandError, call_command

from annotator import import_jobs
from annotator.models import Clip, Dataset, ImportJob, Recording, Site
from tests import factories as f


@pytest.fixture
def folder(tmp_path):
    """Five short recordings and one bad file, registered as a root."""
    root = tmp_path / "night"
    root.mkdir()
    for i in range(5):
        f.write_tone(root / f"r{i}.wav", duration_s=0.4, seed=i, samplerate=48_000, freq_hz=5_000)
    (root / "bad.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt garbage")
    f.make_root(root)
    return root


def test_job_imports_in_chunks_and_counts_progress(project, folder, settings):
    settings.ECHOLOOP_IMPORT_CHUNK_FILES = 2
    job = import_jobs.start(project, str(folder), dataset="night 1", site="A")
    seen = []
    job = import_jobs.run_inline(job, progress=seen.append)
    assert seen == [2, 2, 2] and (job.total, job.done, job.chunks) == (6, 6, 3)
    assert job.status == ImportJob.Status.DONE and job.imported == 5
    assert list(job.report["failed"]) == ["bad.wav"]
    assert Recording.objects.filter(dataset__name="night 1", site__name="A").count() == 5
    assert job.clips == Clip.objects.count() == 5


def test_a_chunk_delivered_twice_is_merged_once(project, folder, settings):
    settings.ECHOLOOP_IMPORT_CHUNK_FILES = 4
    job = import_jobs.start(project, str(folder), dataset="d")
    chunks = import_jobs.plan(job)
    stale = ImportJob.objects.get(pk=job.pk)
    import_jobs.run_chunk(job, 0, chunks[0])  # bad.wav, r0, r1, r2
    # A redelivery read the job before the first merge: its files come back duplicates, unmerged.
    import_jobs.run_chunk(stale, 0, chunks[0])
    job.refresh_from_db()
    assert (job.done, job.imported, job.status) == (4, 3, ImportJob.Status.RUNNING)
    import_jobs.run_chunk(job, 1, chunks[1])
    job.refresh_from_db()
    assert (job.done, job.imported, job.status) == (6, 5, ImportJob.Status.DONE)
    assert not job.report["duplicates"]


def test_refused_import_leaves_no_dataset_or_site(project, tmp_path):
    (tmp_path / "bad.wav").write_bytes(b"\x00" * 400)
    f.make_root(tmp_path)
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_recordings",
            str(tmp_path),
            project=project.name,
            dataset="new",
            site="new site",
            verbosity=0,
        )
    assert not Dataset.objects.exists() and not Site.objects.exists()
    assert ImportJob.objects.get().report["failed"]


def test_refused_import_keeps_a_dataset_that_existed(project, tmp_path):
    f.make_dataset(project, "old")
    (tmp_path / "bad.wav").write_bytes(b"\x00" * 400)
    f.make_root(tmp_path)
    with pytest.raises(CommandError):
        call_command(
            "import_recordings", str(tmp_path), project=project.name, dataset="old", verbosity=0
        )
    assert Dataset.objects.filter(name="old").exists()


def test_location_outside_every_root_creates_nothing(project, tmp_path):
    with pytest.raises(SuspiciousFileOperation):
        import_jobs.start(project, str(tmp_path), dataset="x", site="y")
    assert (
        not Dataset.objects.exists()
        and not Site.objects.exists()
        and not ImportJob.objects.exists()
    )


def test_import_beyond_the_file_limit_fails_before_reading(project, folder, settings):
    settings.ECHOLOOP_IMPORT_MAX_FILES = 3
    job = import_jobs.start(project, str(folder), dataset="too many")
    with pytest.raises(Exception, match="ECHOLOOP_IMPORT_MAX_FILES"):
        import_jobs.plan(job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "6 audio files" in job.error
    assert not Recording.objects.exists() and not Dataset.objects.exists()


def test_command_prints_the_report(project, folder, capsys):
    (folder / "readme.txt").write_text("not audio")
    call_command("import_recordings", str(folder), project=project.name, dataset="d", verbosity=0)
    out = capsys.readouterr().out
    assert "imported 5 of 6 recording(s)" in out
    assert "failed: bad.wav" in out and "skipped: readme.txt" in out


def test_the_same_audio_stored_by_another_worker_meanwhile_is_a_duplicate(
    project, folder, monkeypatch
):
    """Two workers each check the hash, then both store: the loser reports a duplicate, the
    chunk goes on and the job finishes."""
    from annotator import ingest
    from annotator.models import Dataset

    real = ingest.parse_guano
    raced = []

    def other_worker_stores_it_first(fh):
        if not raced:
            raced.append(True)
            sha = ingest._sha256(fh)
            fh.seek(0)
            Recording.objects.create(
                project=project,
                dataset=Dataset.objects.get(name="d"),
                name="twin.wav",
                sha256=sha,
                format="WAV",
                samplerate=48_000,
                channels=1,
                frames=1,
                duration_s=0.4,
            )
        return real(fh)

    monkeypatch.setattr(ingest, "parse_guano", other_worker_stores_it_first)
    job = import_jobs.run_inline(import_jobs.start(project, str(folder), dataset="d"))
    assert job.status == ImportJob.Status.DONE and job.done == 6
    assert job.report["duplicates"] == ["r0.wav"] and job.imported == 4


def test_a_stalled_jobs_lost_chunks_are_sent_again(project, folder, settings):
    """A chunk's message lost (a broker restarted without its data): the beat's sweep finds the job
    without progress and lists that chunk's files again, picking up a file added since."""
    from django.utils import timezone

    settings.ECHOLOOP_IMPORT_CHUNK_FILES = 2
    job = import_jobs.start(project, str(folder), dataset="d")
    chunks = import_jobs.plan(job)  # bad.wav r0 | r1 r2 | r3 r4
    import_jobs.run_chunk(job, 0, chunks[0])
    import_jobs.run_chunk(job, 2, chunks[2])  # chunk 1 never arrives
    assert import_jobs.stalled() == []  # progress is recent
    later = timezone.now() + timezone.timedelta(seconds=settings.ECHOLOOP_IMPORT_STALL_SECONDS + 1)
    f.write_tone(folder / "r1b.wav", duration_s=0.4, seed=99, samplerate=48_000, freq_hz=5_000)
    (stalled,) = import_jobs.stalled(now=later)
    assert import_jobs.stalled(now=later) == []  # claimed once per stall
    lost = import_jobs.lost_chunks(stalled)
    assert lost == [(1, ["r1.wav", "r1b.wav", "r2.wav"])]
    import_jobs.run_chunk(stalled, *lost[0])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.imported == 6 and job.done == job.total == 7
