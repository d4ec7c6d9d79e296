"""Import jobs run by real workers: chunks shared by two worker processes through Redis, and the
management command's --queue on the embedded default's filesystem broker."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

from annotator import import_jobs
from annotator.models import ImportJob, Recording
from annotator.tasks import start_import
from tests import factories as f
from tests.services import wait_until
from tests.workers import ROOT, celery_worker, database_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def night(tmp_path):
    folder = tmp_path / "night"
    folder.mkdir()
    for i in range(12):
        f.write_tone(
            folder / f"r{i:02d}.wav", duration_s=0.3, seed=i, samplerate=48_000, freq_hz=4_000
        )
    f.make_root(folder)
    return folder


def _wait(job: ImportJob, timeout: float = 120) -> ImportJob:
    def finished() -> bool:
        job.refresh_from_db()
        return job.finished

    wait_until(
        finished,
        timeout=timeout,
        what=lambda: f"import job still {job.status} at {job.done}/{job.total}",
    )
    return job


def test_two_workers_share_the_chunks_through_redis(night):
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("REDIS_URL must point at the real Redis for this test (.ci/run sets it)")
    project = f.make_project("chunks")
    env = {"ECHOLOOP_IMPORT_CHUNK_FILES": "2"}
    job = import_jobs.start(project, str(night), dataset="night")
    with celery_worker(name="imp-a", env=env), celery_worker(name="imp-b", env=env):
        start_import.delay(job.pk)
        job = _wait(job)
    assert (job.status, job.total, job.done, job.imported, job.chunks) == ("done", 12, 12, 12, 6)
    assert sorted(job.chunks_done) == list(range(6))
    assert Recording.objects.filter(project=project).count() == 12


def test_command_queues_on_the_embedded_filesystem_broker(night, tmp_path):
    """No REDIS_URL: the command and the worker meet in the data dir's broker folders."""
    project = f.make_project("embedded")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env |= {
        "ECHOLOOP_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": database_url(),
        "ECHOLOOP_IMPORT_CHUNK_FILES": "5",
    }
    with celery_worker(name="imp-fs", env=env | {"REDIS_URL": ""}):
        done = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "import_recordings",
                str(night),
                "--project",
                project.name,
                "--dataset",
                "night",
                "--queue",
                "--verbosity",
                "0",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert done.returncode == 0, done.stderr
    assert "imported 12 of 12 recording(s)" in done.stdout
    job = ImportJob.objects.get(project=project)
    assert (job.status, job.chunks) == ("done", 3)
    assert Recording.objects.filter(project=project).count() == 12
