from django.apps import AppConfig


class ModelsAppConfig(AppConfig):
    name = "models_app"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from annotator.options import register_loop_option, register_loop_section
        from models_app.options import ModelOptions, parse_embedding_adapter

        register_loop_section("model", ModelOptions)  # checked wherever a project is saved
        # The external embedding a lead chose (models_app.adapters.choose; None: the detector's).
        register_loop_option("embedding_adapter", parse_embedding_adapter, lambda: None)
