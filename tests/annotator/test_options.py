"""A project's loop settings are typed options: one declaration, refused alike by every writer."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.test import RequestFactory

from annotator.options import OptionError, loop_options, parse_dataclass
from models_app import registry
from models_app.options import ModelOptions
from tests import factories as f

BAD = [
    ({"modle": {"epochs": 2}}, "modle"),  # unknown top-level key
    ({"model": {"epochz": 2}}, "model.epochz"),  # unknown model option
    ({"model": {"epochs": "2"}}, "model.epochs"),  # wrong type
    ({"model": {"use_metadata": 1}}, "model.use_metadata"),
    ({"model": {"epochs": True}}, "model.epochs"),  # a bool is not a count
    ({"model": {"start_from": "imagenet"}}, "model"),  # not a choice
    ({"model": {"epochs": 0}}, "model"),
    ({"cold_start": "kmeans"}, "cold_start"),
    ({"strategy_params": [1, 2]}, "strategy_params"),
    ([], ""),
]


@dataclass(frozen=True)
class Sample:
    count: int = 3
    rate: float | None = None
    name: str = "x"


def test_parse_dataclass_fills_defaults_and_types():
    assert parse_dataclass(Sample, {}) == Sample()
    assert parse_dataclass(Sample, {"rate": 2}) == Sample(rate=2.0)
    assert isinstance(parse_dataclass(Sample, {"rate": 2}).rate, float)
    assert parse_dataclass(Sample, {"rate": None}).rate is None


@pytest.mark.parametrize("raw", [{"cout": 1}, {"count": 1.5}, {"count": True}, {"name": 3}, []])
def test_parse_dataclass_refuses(raw):
    with pytest.raises(OptionError):
        parse_dataclass(Sample, raw)


def test_loop_options_have_every_default(project):
    options = loop_options(project)
    assert options["model"] == ModelOptions()
    assert options["cold_start"] == "stratified"
    assert options["strategy_params"] == {}


def test_training_reads_the_typed_options(project):
    project.sampling_params = {"model": {"epochs": 3, "n_freq_bins": 32}}
    cfg = registry.train_config(project, ["a"], 384_000)
    assert (cfg.epochs, cfg.detector.features.n_freq_bins, cfg.batch_size) == (3, 32, 16)
    assert cfg.detector.features.frames_per_second == 1000.0  # the project's 2-ms window: bats


@pytest.mark.parametrize("raw,key", BAD)
def test_model_refuses(project, raw, key):
    project.sampling_params = raw
    with pytest.raises(ValidationError) as info:
        project.full_clean()
    messages = info.value.message_dict["sampling_params"]
    assert any(m.startswith(f"{key}:") or (not key and m) for m in messages), messages


@pytest.mark.parametrize("raw,key", BAD)
def test_api_refuses_and_saves_nothing(project, cast, api, raw, key):
    body = {"name": "Renamed", "settings": {"sampling_params": raw}}
    response = api(cast["lead"]).patch(f"/api/projects/{project.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert "sampling_params" in response.json()["settings"]
    project.refresh_from_db()
    assert project.name == "Bats" and project.sampling_params == {}


def test_api_saves_valid_options(project, cast, api):
    raw = {"model": {"epochs": 4}, "cold_start": "random", "strategy_params": {"factor": 2}}
    response = api(cast["lead"]).patch(
        f"/api/projects/{project.pk}/", {"settings": {"sampling_params": raw}}, format="json"
    )
    assert response.status_code == 200, response.content
    project.refresh_from_db()
    assert loop_options(project)["model"].epochs == 4
    assert loop_options(project)["cold_start"] == "random"


@pytest.mark.parametrize("raw,key", BAD[:3])
def test_admin_refuses(project, raw, key):
    from annotator.models import Project

    request = RequestFactory().post("/admin/")
    request.user = f.make_user("root", is_superuser=True, is_staff=True)
    form_class = admin.site._registry[Project].get_form(request, project)
    data = {k: ("" if v is None else v) for k, v in model_to_dict(project).items()}
    data["sampling_params"] = json.dumps(raw)
    form = form_class(data, instance=project)
    assert not form.is_valid()
    assert "sampling_params" in form.errors


@pytest.mark.parametrize("raw,key", BAD[:3])
def test_settings_page_refuses(project, cast, raw, key):
    from django.test import Client

    from tests.annotator.test_manage_pages import settings_post

    client = Client()
    client.force_login(cast["lead"])
    data = settings_post(project, sampling_params=json.dumps(raw))
    response = client.post(f"/projects/{project.pk}/manage/", data)
    assert response.status_code in (200, 400)
    project.refresh_from_db()
    assert project.sampling_params == {}


def test_demo_command_refuses_unknown_options(db, monkeypatch):
    from annotator.models import Project
    from sampling.management.commands import demo

    monkeypatch.setitem(demo.SETTINGS, "sampling_params", {"model": {"epoch": 12}})
    with pytest.raises(ValidationError):
        call_command("demo", password="x")
    assert not Project.objects.filter(name=demo.PROJECT_NAME).exists()


@pytest.mark.parametrize(
    "strategy,raw,field",
    [
        ("no-such-strategy", {}, "sampling_strategy"),
        ("hybrid", {"strategy_params": {"factr": 3}}, "sampling_params"),
        ("entropy", {"strategy_params": {"factor": 3}}, "sampling_params"),  # entropy takes none
    ],
)
def test_strategy_and_its_params_are_checked_on_save(project, cast, api, strategy, raw, field):
    settings = {"sampling_strategy": strategy, "sampling_params": raw}
    response = api(cast["lead"]).patch(
        f"/api/projects/{project.pk}/", {"settings": settings}, format="json"
    )
    assert response.status_code == 400 and field in response.json()["settings"], response.content
    project.refresh_from_db()
    assert project.sampling_strategy == "hybrid" and project.sampling_params == {}


@pytest.mark.parametrize(
    "strategy,params",
    [("hybrid", {"factor": 3, "uncertainty": "margin"}), ("stratified", {"within": "entropy"})],
)
def test_params_the_strategy_takes_are_accepted(project, strategy, params):
    project.sampling_strategy = strategy
    project.sampling_params = {"strategy_params": params}
    project.full_clean()
