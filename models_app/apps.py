from django.apps import AppConfig


class ModelsAppConfig(AppConfig):
    name = "models_app"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from annotator.options import register_loop_section
        from models_app.options import ModelOptions

        register_loop_section("model", ModelOptions)  # checked wherever a project is saved
