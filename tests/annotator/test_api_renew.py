from datetime import timedelta

from django.utils import timezone

from annotator import queue
from annotator.models import AnnotationTask, TaskStatus
from tests import factories as f


def leased(project, user):
    queue.enqueue(project, [f.make_clip(project)])
    return queue.claim_next(project, user)


def test_holder_extends_the_lease(project, cast, api):
    task = leased(project, cast["ann1"])
    AnnotationTask.objects.filter(pk=task.pk).update(
        lease_expires_at=timezone.now() + timedelta(minutes=2)
    )
    response = api(cast["ann1"]).post(f"/api/tasks/{task.pk}/renew/")
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    left = task.lease_expires_at - timezone.now()
    assert (
        timedelta(minutes=project.lease_minutes - 1)
        < left
        <= timedelta(minutes=project.lease_minutes)
    )
    assert response.json()["lease_expires_at"] is not None and task.lease_holder == cast["ann1"]


def test_someone_elses_lease_is_not_extended(project, cast, api):
    task = leased(project, cast["ann1"])
    before = AnnotationTask.objects.get(pk=task.pk).lease_expires_at
    response = api(cast["ann2"]).post(f"/api/tasks/{task.pk}/renew/")
    assert response.status_code == 409
    assert AnnotationTask.objects.get(pk=task.pk).lease_expires_at == before


def test_an_expired_lease_is_not_revived(project, cast, api):
    """Once it ran out the task may be someone else's: renewing must not take it back."""
    task = leased(project, cast["ann1"])
    past = timezone.now() - timedelta(seconds=1)
    AnnotationTask.objects.filter(pk=task.pk).update(lease_expires_at=past)
    assert api(cast["ann1"]).post(f"/api/tasks/{task.pk}/renew/").status_code == 409
    assert AnnotationTask.objects.get(pk=task.pk).lease_expires_at == past


def test_a_released_task_is_not_renewed(project, cast, api):
    task = leased(project, cast["ann1"])
    queue.release(task, cast["ann1"])
    assert api(cast["ann1"]).post(f"/api/tasks/{task.pk}/renew/").status_code == 409
    assert AnnotationTask.objects.get(pk=task.pk).status == TaskStatus.QUEUED


def test_viewer_403_outsider_404(project, cast, api):
    task = leased(project, cast["ann1"])
    assert api(cast["viewer"]).post(f"/api/tasks/{task.pk}/renew/").status_code == 403
    assert api(cast["outsider"]).post(f"/api/tasks/{task.pk}/renew/").status_code == 404
