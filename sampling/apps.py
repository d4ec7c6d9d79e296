from django.apps import AppConfig


class SamplingConfig(AppConfig):
    name = "sampling"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from sampling import options

        options.register()  # cold_start, strategy_params: checked wherever a project is saved
        from annotator.signals import clips_added, clips_recut, labels_submitted
        from sampling.loop import on_clips_added, on_clips_recut, on_labels_submitted

        labels_submitted.connect(on_labels_submitted, dispatch_uid="sampling-loop")
        clips_added.connect(on_clips_added, dispatch_uid="sampling-loop-clips")
        clips_recut.connect(on_clips_recut, dispatch_uid="sampling-loop-recut")
