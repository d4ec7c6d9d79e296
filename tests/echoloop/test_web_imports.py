"""The web process never imports torch: loading every URL (every API view) leaves it out.

Training, scoring and pretraining run on workers; the web process only sends their tasks by name.
Importing torch costs each gunicorn process ~0.5 GB and seconds at start.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_every_url_does_not_import_torch(tmp_path):
    code = (
        "import django, sys; django.setup(); "
        "from django.urls import get_resolver; get_resolver().url_patterns; "
        "import echoloop.wsgi; "
        "print('torch' in sys.modules)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "echoloop.settings",
        "ECHOLOOP_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)  # the embedded default: no server needed to import the views
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
