"""When the loop starts by itself: after every ``retrain_every`` newly labelled clips."""

from annotator import queue
from models_app.models import TrainingRun
from sampling import loop
from tests import factories as f


def label(project, clip, user) -> None:
    queue.save_annotation(project, clip, user, queue.Submission(no_calls=True))
    loop.on_labels_submitted(sender=None, project=project)


def test_retraining_starts_after_every_n_newly_labelled_clips(project, cast):
    project.retrain_every = 3
    project.save()
    clips = [f.make_clip(project, start_s=i, end_s=i + 1) for i in range(6)]
    label(project, clips[0], cast["ann1"])
    label(project, clips[1], cast["ann1"])
    label(project, clips[1], cast["ann2"])  # a second opinion on a labelled clip is no new clip
    assert not TrainingRun.objects.exists()
    label(project, clips[2], cast["ann1"])
    run = TrainingRun.objects.get()
    assert (run.trigger, run.n_labels) == ("labels", 3)
    TrainingRun.objects.filter(pk=run.pk).update(status=TrainingRun.Status.SUCCEEDED)
    label(project, clips[3], cast["ann1"])
    label(project, clips[4], cast["ann1"])
    assert TrainingRun.objects.count() == 1
    label(project, clips[5], cast["ann1"])
    assert TrainingRun.objects.order_by("-pk").first().n_labels == 6


def test_no_retraining_when_the_project_retrains_only_on_request(project, cast):
    project.retrain_every = 0
    project.save()
    for i in range(3):
        label(project, f.make_clip(project, start_s=i, end_s=i + 1), cast["ann1"])
    assert not TrainingRun.objects.exists()


def test_labelled_clips_are_counted_over_the_project_only(project, cast):
    other = f.make_project("other")
    f.add_member(other, cast["ann1"])
    queue.save_annotation(other, f.make_clip(other), cast["ann1"], queue.Submission(no_calls=True))
    queue.save_annotation(
        project, f.make_clip(project), cast["ann1"], queue.Submission(no_calls=True)
    )
    assert loop.count_labelled_clips(project) == 1


def test_evaluation_labels_never_count_towards_a_retraining(project, cast):
    project.retrain_every = 2
    project.save()
    held_out = f.make_clip(project, start_s=0, end_s=1)
    held_out.held_out = True
    held_out.save()
    evaluation_recording = f.make_recording(project)
    evaluation_recording.role = "evaluation"
    evaluation_recording.save()
    label(project, held_out, cast["ann1"])
    label(project, f.make_clip(project, evaluation_recording, 0, 1), cast["ann1"])
    assert loop.count_labelled_clips(project) == 0 and not TrainingRun.objects.exists()
    label(project, f.make_clip(project, start_s=1, end_s=2), cast["ann1"])
    label(project, f.make_clip(project, start_s=2, end_s=3), cast["ann1"])
    assert TrainingRun.objects.get().n_labels == 2
