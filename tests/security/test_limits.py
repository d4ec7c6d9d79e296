"""Request bodies: capped by their declared length before anything reads them, and JSON that
nests too deep is a 400."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from annotator.models import Project

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_large_multipart_body_on_a_json_endpoint_is_refused_unread(project, cast, settings):
    settings.ECHOLOOP_MAX_BODY_BYTES = 1024 * 1024
    big = SimpleUploadedFile("x.bin", b"\0" * (2 * 1024 * 1024))
    body = encode_multipart(BOUNDARY, {"name": "renamed", "blob": big})
    response = _client(cast["lead"]).generic(
        "PATCH", f"/api/projects/{project.pk}/", body, content_type=MULTIPART_CONTENT
    )
    assert response.status_code == 413 and "limit of 1048576 bytes" in response.json()["detail"]
    assert Project.objects.get(pk=project.pk).name == project.name
    # Also before the CSRF check reads the form (a page POST without the API's header).
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["lead"])
    again = SimpleUploadedFile("x.bin", b"\0" * (2 * 1024 * 1024))  # the first one was read
    assert client.post("/logout/", data={"blob": again}).status_code == 413


def test_an_upload_endpoint_keeps_its_own_larger_cap(project, cast, settings):
    settings.ECHOLOOP_MAX_BODY_BYTES = 1024 * 1024
    table = b"Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\n" + b"x" * (2 * 1024 * 1024)
    response = _client(cast["lead"]).post(
        f"/api/projects/{project.pk}/annotations/import/",
        data={"file": SimpleUploadedFile("t.txt", table)},
    )
    assert response.status_code == 400  # read and refused for its content, not for its size


def test_a_content_length_that_is_not_a_number_is_a_400(project, cast):
    response = _client(cast["lead"]).generic(
        "PATCH",
        f"/api/projects/{project.pk}/",
        b"{}",
        content_type="application/json",
        CONTENT_LENGTH="lots",
    )
    assert response.status_code == 400 and "not a number" in response.json()["detail"]


def test_json_nested_too_deep_is_a_400_that_changes_nothing(project, cast):
    body = '{"name": "deep", "settings": ' + "[" * 5000 + "]" * 5000 + "}"
    response = _client(cast["lead"]).generic(
        "PATCH", f"/api/projects/{project.pk}/", body, content_type="application/json"
    )
    assert response.status_code == 400 and "nested too deeply" in response.json()["detail"]
    assert Project.objects.get(pk=project.pk).name == project.name
    # Ordinary JSON still goes through the same parser.
    ok = _client(cast["lead"]).generic(
        "PATCH",
        f"/api/projects/{project.pk}/",
        json.dumps({"description": "d"}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and Project.objects.get(pk=project.pk).description == "d"
