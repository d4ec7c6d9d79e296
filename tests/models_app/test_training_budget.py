"""A training's cost is bounded before it starts: a time budget by default (settings), a project's
own budget or step cap, and the dashboard shows the bound a run took."""

from models_app import dashboard, registry
from models_app.models import TrainingRun


def test_every_training_has_a_time_budget_by_default(project, settings):
    settings.ECHOLOOP_TRAINING_SECONDS = 900
    cfg = registry.train_config(project, ["a"], 48_000)
    assert (cfg.max_seconds, cfg.max_steps, cfg.epochs) == (900.0, None, 15)


def test_a_project_sets_its_own_budget_or_none(project):
    project.sampling_params = {"model": {"max_training_seconds": 60, "max_steps": 500}}
    cfg = registry.train_config(project, ["a"], 48_000)
    assert (cfg.max_seconds, cfg.max_steps) == (60.0, 500)
    project.sampling_params = {"model": {"max_training_seconds": 0}}
    assert registry.train_config(project, ["a"], 48_000).max_seconds is None


def test_the_dashboard_says_when_the_budget_cut_a_training(project):
    budget = {
        "steps": 480,
        "asked_steps": 7170,
        "epochs": 1.0,
        "asked_epochs": 15,
        "seconds_per_step": 2.5,
        "max_seconds": 1200,
        "max_steps": None,
        "cut": True,
    }
    TrainingRun.objects.create(project=project, status="running", n_epochs=1, budget=budget)
    shown = dashboard.training_progress(project)
    assert shown["budget"] == budget and shown["n_epochs"] == 1
