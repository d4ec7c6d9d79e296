import re

from tests import factories as f


def test_project_pages_show_counts_and_recordings(project, cast, client):
    rec = f.make_recording(project, duration_s=95, name="long-night.wav")
    f.make_clip(project, rec)
    client.force_login(cast["viewer"])
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "long-night.wav" in page and 'data-count="clips">1<' in page
    assert client.get("/").status_code == 200


def test_recording_browser_pages_through_tiles(project, cast, client):
    rec = f.make_recording(project, duration_s=95, name="long-night.wav")
    client.force_login(cast["ann1"])
    url = f"/projects/{project.pk}/recordings/{rec.pk}/"
    first = client.get(url + "?zoom=1").content.decode()  # 20 s tiles: 5 tiles, one page
    starts = re.findall(r"spectrogram.png\?start=([0-9.]+)&(?:amp;)?end=([0-9.]+)", first)
    assert [(float(a), float(b)) for a, b in starts] == [
        (0, 20),
        (20, 40),
        (40, 60),
        (60, 80),
        (80, 95),
    ]
    fine = client.get(url + "?zoom=3&page=2").content.decode()  # 1 s tiles, third page
    assert "start=12.000000" in fine and "Page 3 of 16" in fine
    assert client.get(url + "?zoom=banana&page=-4").status_code == 200


def test_outsiders_get_404_on_pages(project, cast, client):
    rec = f.make_recording(project)
    client.force_login(cast["outsider"])
    for url in (
        f"/projects/{project.pk}/",
        f"/projects/{project.pk}/annotate/",
        f"/projects/{project.pk}/recordings/{rec.pk}/",
    ):
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(f"/projects/{project.pk}/").status_code == 302


def test_health_check_answers_503_when_the_database_does_not(db, client, monkeypatch):
    from django.db import OperationalError, connection

    assert client.get("/healthz").json() == {"ok": True}

    def broken():
        raise OperationalError("connection refused")

    with monkeypatch.context() as patch:  # undone before the test database is torn down
        patch.setattr(connection, "cursor", broken)
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["ok"] is False


def test_favicon_and_offline_api_docs(client, django_user_model):
    """/favicon.ico is a real icon; the API docs' Swagger UI comes from our static files."""
    from django.contrib.staticfiles import finders

    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"
    client.force_login(django_user_model.objects.create_user("docs-reader"))
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "swagger-ui-bundle.js" in docs
    for asset in (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "img/favicon.svg",
    ):
        assert finders.find(asset), asset
