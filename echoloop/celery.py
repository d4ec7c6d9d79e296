"""The Celery app. Broker and result backend come from settings (Redis or kombu's filesystem)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "echoloop.settings")

app = Celery("echoloop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="echoloop.ping")
def ping() -> str:
    """Round trip through the broker: used by health checks and tests."""
    return "pong"
