"""manage.py simulate_active_learning — the oracle simulation of benchmarks/simulate_active_learning.py."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

SCRIPT = Path(settings.BASE_DIR) / "benchmarks" / "simulate_active_learning.py"


class Command(BaseCommand):
    help = (
        "Simulate active learning with an oracle on fully labelled sets (bats, birds, synthetic): each "
        "strategy picks batches, a learner retrains, learning curves and AULC are reported. Arguments after "
        "the command go to the script (try --help)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "script_args", nargs="*", help="passed to the benchmark script, e.g. --seeds 5"
        )

    def handle(self, *args, script_args: list[str], **opts):
        sys.argv = [str(SCRIPT), *script_args]
        sys.path.insert(0, str(SCRIPT.parent))
        runpy.run_path(str(SCRIPT), run_name="__main__")
