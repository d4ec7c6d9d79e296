"""The project's sampling options in ``sampling_params``: the cold start and the strategy's parameters.

Registered as loop options by ``SamplingConfig.ready``; ``rounds`` reads them through
``annotator.options.loop_options`` (typed, defaults from here).
"""

from __future__ import annotations

import inspect
from typing import Any

from annotator.options import register_loop_option, register_project_check
from sampling import strategies
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


def accepted_params(entry) -> list[str] | None:
    """The keyword parameters a registered strategy takes (None: any, it passes the rest on)."""
    signature = inspect.signature(entry.fn)  # the registered function's own (functools.wraps)
    if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return None
    return sorted(set(signature.parameters) - {"pool", "k", "rng"})


def strategy_errors(project) -> dict[str, str]:
    """The project's strategy must exist and take every one of its ``strategy_params``: else a
    round would fail in the worker, long after the lead saved the settings."""
    try:
        entry = strategies.get(project.sampling_strategy)
    except ValueError as exc:
        return {"sampling_strategy": str(exc)}
    params = (project.sampling_params or {}).get("strategy_params", {})
    accepted = accepted_params(entry)
    if accepted is None:
        return {}  # passes the rest on (e.g. stratified to its "within" strategy)
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        return {
            "sampling_params": f"strategy_params: {', '.join(unknown)} not taken by "
            f"{project.sampling_strategy!r} (it takes: {', '.join(accepted) or 'nothing'})."
        }
    return {}


def register() -> None:
    register_loop_option("cold_start", parse_cold_start, lambda: DEFAULT_COLD_START)
    register_loop_option("strategy_params", parse_strategy_params, dict)
    register_project_check("sampling", strategy_errors)
