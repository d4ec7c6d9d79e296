"""The project's sampling options in ``sampling_params``: the cold start and the strategy's parameters.

Registered as loop options by ``SamplingConfig.ready``; ``rounds`` reads them through
``annotator.options.loop_options`` (typed, defaults from here).
"""

from __future__ import annotations

from typing import Any

from annotator.options import register_loop_option
from sampling.strategies import COLD_START_METHODS

DEFAULT_COLD_START = "stratified"


def parse_cold_start(value: Any) -> str:
    """How the first batch is chosen before any model exists (``strategies.COLD_START_METHODS``)."""
    if value not in COLD_START_METHODS:
        raise ValueError(f"Must be one of {', '.join(sorted(COLD_START_METHODS))}.")
    return value


def parse_strategy_params(value: Any) -> dict:
    """Keyword arguments of the project's strategy: a JSON object keyed by parameter name."""
    if not isinstance(value, dict):
        raise ValueError("Must be a JSON object of the strategy's parameters.")
    return dict(value)


def register() -> None:
    register_loop_option("cold_start", parse_cold_start, lambda: DEFAULT_COLD_START)
    register_loop_option("strategy_params", parse_strategy_params, dict)
