"""POST /api/projects/<id>/pretrain/: a lead queues a self-supervised pretraining; nobody else can."""

import pytest

from models_app.models import TrainingRun
from sampling import loop

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """The task messages are recorded instead of sent (the worker side is tested with a real
    worker): the run's id and the tasks of its chain."""
    messages = []
    monkeypatch.setattr(
        loop,
        "_send",
        lambda run, signature: messages.append(
            (run.pk, [s.task for s in getattr(signature, "tasks", [signature])])
        ),
    )
    return messages


def test_a_lead_queues_a_pretraining(cast, api, project, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(cast["lead"]).post(f"/api/projects/{project.pk}/pretrain/")
    assert response.status_code == 202, response.content
    run = TrainingRun.objects.get(pk=response.json()["id"])
    assert (
        response.json()["kind"] == "pretrain" and run.kind == "pretrain" and run.status == "queued"
    )
    assert run.parent is None and run.trigger == "pretrain"
    # The pretraining, then (score queue) the pool embedded anew and the next training queued.
    assert sent == [
        (run.pk, ["models_app.tasks.train_encoder", "sampling.tasks.after_pretraining"])
    ]


def test_a_second_request_while_one_is_queued_is_a_conflict(cast, api, project, sent):
    api(cast["lead"]).post(f"/api/projects/{project.pk}/pretrain/")
    response = api(cast["lead"]).post(f"/api/projects/{project.pk}/pretrain/")
    assert response.status_code == 409 and "already queued or running" in response.json()["detail"]
    assert TrainingRun.objects.filter(project=project).count() == 1


@pytest.mark.parametrize("who", ["ann1", "viewer", "outsider"])
def test_only_a_lead_may_pretrain(cast, api, project, sent, who):
    response = api(cast[who]).post(f"/api/projects/{project.pk}/pretrain/")
    assert response.status_code in (403, 404)
    assert not TrainingRun.objects.filter(project=project).exists() and sent == []
