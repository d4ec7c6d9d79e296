"""The load benchmark in small: 5 annotators for 10 s against gunicorn on PostgreSQL and Redis.

Timings are not asserted (benchmarks/load.py reports them); the invariants are: no task held by
two annotators at once, every 200 submission stored exactly once and whole, no server errors.
"""

import pytest

from benchmarks import load
from tests.conftest import services_available
from tests.services import app_env, gunicorn
from tests.workers import database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


def test_five_annotators_for_ten_seconds_lose_nothing(settings, tmp_path):
    if not services_available():
        pytest.fail("DATABASE_URL (PostgreSQL) and REDIS_URL must point at the real services")
    settings.MEDIA_ROOT = tmp_path / "media"
    load.make_audio(tmp_path / "audio", recordings=3, seconds=10.0)
    plan = load.seed(tmp_path / "audio", annotators=5, label="smoke")
    env = app_env(
        DATABASE_URL=database_url(),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        ECHOLOOP_DATA_DIR=str(tmp_path / "data"),
    )
    with gunicorn(env, log_path=tmp_path / "gunicorn.log", extra=["--workers", "2"]) as base:
        result = load.run_load(base, plan, annotators=5, seconds=10)
    print(load.table(result, 5))
    assert not result.errors, result.errors[:5]
    done = [s for s in result.submits if s.status == 200]
    assert len(done) >= 10, f"only {len(done)} submissions in 10 s"
    assert {call[1] for call in result.calls if call[0] in ("image", "audio")} == {200}
    assert len({s.annotator for s in done}) == 5
    assert load.verify(plan, result) == []


def test_the_checks_catch_a_double_lease_and_a_lost_submission(db):
    """The invariants are not vacuous: a forged log with both faults fails them."""
    from tests import factories as f

    project = f.make_project("forged")
    user = f.make_user("forger")
    result = load.Result()
    result.leases = [[1, "a", 0.0, 5.0], [1, "b", 1.0, 2.0]]
    result.submits = [load.Submit(1, "a", 200, 999_999, 1)]
    plan = {"project": project.pk, "users": {"a": user.pk}}
    problems = load.verify(plan, result)
    assert any("leased to a and b" in p for p in problems)
    assert any("is lost" in p for p in problems)
