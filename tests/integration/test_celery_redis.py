"""A task executed by a real worker through the real broker (Redis in CI)."""

import pytest
from django.conf import settings

from annotator.models import Recording
from annotator.tasks import import_recordings
from echoloop.celery import ping
from tests import factories as f
from tests.conftest import DATA
from tests.workers import celery_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_broker():
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.fail("REDIS_URL must point at the real Redis for this test (.ci/run sets it)")
    return settings.CELERY_BROKER_URL


def test_worker_imports_recordings_through_redis(redis_broker):
    project = f.make_project("celery")
    dataset = f.make_dataset(project)
    f.make_root(DATA / "whombat")
    with celery_worker(name="redis"):
        assert ping.delay().get(timeout=30) == "pong"
        result = import_recordings.delay(project.pk, dataset.pk, str(DATA / "whombat")).get(
            timeout=120
        )
    assert len(result["imported"]) == 3 and result["clips"] > 0
    assert Recording.objects.filter(project=project).count() == 3


def test_import_task_is_safe_to_retry(redis_broker):
    project = f.make_project("retry")
    dataset = f.make_dataset(project)
    f.make_root(DATA / "whombat")
    first = import_recordings.apply(args=(project.pk, dataset.pk, str(DATA / "whombat"))).get()
    again = import_recordings.apply(args=(project.pk, dataset.pk, str(DATA / "whombat"))).get()
    assert len(first["imported"]) == 3 and len(again["duplicates"]) == 3
    assert Recording.objects.filter(project=project).count() == 3
