"""The API's one exception handler: every domain error the views let through has its HTTP answer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from annotator.formats.base import FormatError
from annotator.measurements import TooCostly
from annotator.measuring import NoAudio
from annotator.options import OptionError
from annotator.queue import NotYourTask, StaleVersion
from annotator.rendering import BadViewRequest
from echoloop.errors import api_exception_handler, domain_answers
from models_app.versions import TrainingBusy
from sampling.rounds import RoundError
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
API_MODULES = [
    # Serializers turn a model's ValidationError into theirs inside is_valid(): not a view's mapping.
    *sorted(p for p in (ROOT / "annotator" / "api").glob("*.py") if p.name != "serializers.py"),
    ROOT / "models_app" / "api.py",
    ROOT / "models_app" / "dashboard_api.py",
    ROOT / "sampling" / "api.py",
    ROOT / "sampling" / "dashboard_api.py",
]


class FakeTask:
    pk = 7


def answer(exc):
    response = api_exception_handler(exc, {})
    assert response is not None
    return response.status_code, response.data


@pytest.mark.parametrize(
    "exc,status,detail",
    [
        (BadViewRequest("width: at most 4096"), 400, "width: at most 4096"),
        (TooCostly("too many samples"), 400, "too many samples"),
        (NoAudio("file missing"), 400, "file missing"),
        (RoundError("no pool"), 400, "no pool"),
        (TrainingBusy("a training is running"), 409, "a training is running"),
        (PermissionDenied("viewers cannot claim"), 403, "viewers cannot claim"),
        (NotYourTask(FakeTask()), 409, "task 7 was never leased to you"),
    ],
)
def test_domain_error_answers(exc, status, detail):
    got_status, body = answer(exc)
    assert got_status == status
    assert detail in body["detail"]


def test_validation_error_by_field():
    assert answer(ValidationError({"tag": "Not in this project."})) == (
        400,
        {"tag": ["Not in this project."]},
    )
    assert answer(ValidationError("bad")) == (400, ["bad"])


def test_format_error_says_where():
    status, body = answer(FormatError("not a number", line=3, field="start"))
    assert status == 400 and (body["line"], body["field"]) == (3, "start")


def test_option_error_lists_keys():
    status, body = answer(OptionError({"model.epochz": "Not an option here."}))
    assert status == 400 and body["errors"] == {"model.epochz": "Not an option here."}


def test_stale_version_carries_the_current_annotation(project, cast):
    from annotator.models import ClipAnnotation

    clip = f.make_clip(project)
    current = ClipAnnotation.objects.create(project=project, clip=clip, annotator=cast["ann1"])
    status, body = answer(StaleVersion(current))
    assert status == 409 and body["current"]["id"] == current.pk
    assert "nothing was saved" in body["detail"]


def test_a_subclass_takes_its_parents_answer():
    class Narrower(BadViewRequest):
        pass

    assert answer(Narrower("x"))[0] == 400


def test_other_errors_are_left_to_drf():
    assert api_exception_handler(Http404("gone"), {}).status_code == 404
    assert api_exception_handler(ValueError("a bug"), {}) is None  # a 500, not a 400


def test_views_catch_no_domain_error():
    """The mapping lives in the handler only: no API view catches an error it answers."""
    names = {cls.__name__ for cls in domain_answers()} | {
        "DjangoValidationError",
        "DjangoPermissionDenied",
    }
    caught = []
    for path in API_MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
                for t in types:
                    name = t.attr if isinstance(t, ast.Attribute) else getattr(t, "id", "")
                    if name in names:
                        caught.append(f"{path.name}:{node.lineno} {name}")
    assert caught == []


def test_claim_refusal_keeps_its_message(project, cast, api):
    """A Django PermissionDenied from a domain function reaches the client with its reason."""
    response = api(cast["viewer"]).post(f"/api/projects/{project.pk}/tasks/next/")
    assert response.status_code == 403
    assert response.json()["detail"] != "You do not have permission to perform this action."


def test_the_openapi_document_says_which_operations_answer_429_and_503_with_retry_after():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    image = paths["/api/recordings/{id}/spectrogram.png"]["get"]["responses"]
    token = paths["/api/auth/token/"]["post"]["responses"]
    submit = paths["/api/tasks/{id}/submit/"]["post"]["responses"]
    for responses in (image, token, submit):
        assert "Retry-After" in responses["503"]["headers"]
    assert "renders" in image["429"]["description"] and "Retry-After" in image["429"]["headers"]
    assert "throttle" in token["429"]["description"]
    assert "429" not in submit  # no throttle there: the document does not promise one
    # The operations' own answers are kept (the hook only adds).
    assert "200" in image and {"200", "201"} & set(submit)
