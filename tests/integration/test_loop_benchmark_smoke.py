"""benchmarks/loop.py --quick: the compose stack, one simulated annotator on the bat pool, a few minutes.

Timings and model quality are reported, not asserted (the benchmark is for that); asserted are the
things that must hold on any machine: every submission answered 200 is an annotation in the
database, trainings ran and each finished one was followed by one rescoring, every version was
scored on the held-out recordings, and the report files were written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from tests.conftest import services_available
from tests.services import ROOT

pytestmark = [pytest.mark.services, pytest.mark.slow]


def redis_db_5() -> str:
    """The benchmark's own database (it flushes it) on the tests' Redis server."""
    return urlsplit(os.environ["REDIS_URL"])._replace(path="/5").geturl()


def test_quick_loop_run_loses_no_label_and_chains_once(tmp_path):
    if not services_available():
        pytest.fail("DATABASE_URL (PostgreSQL) and REDIS_URL must point at the real services")
    run = subprocess.run(
        [
            sys.executable,
            "benchmarks/loop.py",
            "--quick",
            "--max-minutes",
            "3",
            "--redis-url",
            redis_db_5(),
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    print(run.stdout[-6000:], run.stderr[-3000:])
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads((tmp_path / "loop-bats.json").read_text())
    assert (tmp_path / "loop.md").read_text().startswith("| dataset |")
    submissions = result["submissions"]
    assert submissions["ok"] >= 8 and not submissions["lost"]
    assert result["trainings"], "no training ran"
    finished = [t for t in result["trainings"] if t["status"] in ("succeeded", "kept_old")]
    assert finished and all(t["rescore_jobs"] == 1 for t in finished), result["trainings"]
    assert all(isinstance(v["held_out"], dict) for v in result["versions"]), result["versions"]
    assert 0.0 <= result["waiting"]["fraction"] <= 1.0
