"""The fixed cast (a lead, two annotators, a viewer, an outsider) and shared fixtures.

Django imports stay inside the fixtures so the pure (Django-free) tests also run with -p no:django.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True)
def fast_password_hashing(request):
    """Creating the cast with PBKDF2 costs seconds per test on two cores; tests need no strength."""
    if request.config.pluginmanager.hasplugin("django"):
        settings = request.getfixturevalue("settings")
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases, and before they are dropped: the live server's request
    threads keep their connections (``CONN_MAX_AGE``, as in production) after the last browser
    test, which made the drop fail ("being accessed by other users") and left the database behind.
    Those sessions are ended first, on PostgreSQL."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for conn in connections.all():
            if conn.vendor != "postgresql":
                continue
            with conn.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        connections.close_all()


@pytest.fixture
def project(db):
    from tests import factories as f

    return f.make_project(
        "Bats", fmin_hz=10_000, fmax_hz=150_000, context_s=0.1, double_annotation_fraction=0.0
    )


@pytest.fixture
def cast(project):
    """lead, ann1, ann2, viewer of ``project``, and an outsider who leads another project."""
    from annotator.models import Role
    from tests import factories as f

    people = {
        "lead": f.make_user("lead"),
        "ann1": f.make_user("ann1"),
        "ann2": f.make_user("ann2"),
        "viewer": f.make_user("viewer"),
        "outsider": f.make_user("outsider"),
    }
    f.add_member(project, people["lead"], Role.LEAD)
    f.add_member(project, people["ann1"], Role.ANNOTATOR)
    f.add_member(project, people["ann2"], Role.ANNOTATOR)
    f.add_member(project, people["viewer"], Role.VIEWER)
    other = f.make_project("Other")
    f.add_member(other, people["outsider"], Role.LEAD)
    return people


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def audio_dir(tmp_path):
    """A folder of synthetic bat-rate recordings, registered as an import root."""
    from tests import factories as f

    folder = tmp_path / "audio"
    folder.mkdir()
    f.write_tone(folder / "a.wav", duration_s=2.5, seed=1)
    f.write_tone(folder / "b.flac", duration_s=1.2, seed=2, samplerate=250_000)
    return folder


def services_available() -> bool:
    return bool(
        os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")
    )
