"""Typed options kept in a project's JSON settings: one dataclass per option, defaults on it.

A project's loop settings live in ``Project.sampling_params`` (a JSON object). Each top-level key
is an option declared once, by the app that reads it, with ``register_loop_option``: the model
options by ``models_app``, the cold start and the strategy's parameters by ``sampling`` (the base
app knows neither). ``Project.clean`` checks the object through ``loop_option_errors``, so the API,
the admin, the pages and the commands refuse the same things: an unknown key, a value of the wrong
type, a choice that does not exist. Readers call ``loop_options(project)`` and get typed values with
every default filled in, never ``.get(key, default)`` with a default of their own.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from typing import Any

Parser = Callable[[Any], Any]


class OptionError(ValueError):
    """A value an option refuses. ``errors`` maps the offending keys (dotted paths) to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclasses.dataclass(frozen=True)
class LoopOption:
    key: str
    parse: Parser  # the stored JSON value -> the typed value; OptionError/ValueError if refused
    default: Callable[[], Any]  # the typed value when the key is absent
    dump: Callable[[Any], Any] = lambda value: value


LOOP_OPTIONS: dict[str, LoopOption] = {}
# Checks of a whole project's settings by the apps that read them (e.g. that the sampling strategy
# exists and takes the strategy_params given): project -> {field name: message}.
PROJECT_CHECKS: dict[str, Callable[[Any], dict[str, str]]] = {}


def register_loop_option(
    key: str, parse: Parser, default: Callable[[], Any], dump: Callable[[Any], Any] | None = None
) -> None:
    """Declare the loop option ``key`` (call it from the owning app's ``AppConfig.ready``)."""
    LOOP_OPTIONS[key] = LoopOption(key, parse, default, dump or (lambda value: value))


def register_loop_section(key: str, cls: type) -> None:
    """Declare ``key`` as a JSON object read into the dataclass ``cls`` (``parse_dataclass``)."""
    register_loop_option(key, lambda raw: parse_dataclass(cls, raw), cls, dataclasses.asdict)


def register_project_check(name: str, check: Callable[[Any], dict[str, str]]) -> None:
    """Have ``Project.clean`` run ``check(project)`` (call it from the app's ``ready``)."""
    PROJECT_CHECKS[name] = check


def project_check_errors(project) -> dict[str, str]:
    """The registered checks' complaints about ``project``, by field (its loop options parse)."""
    errors: dict[str, str] = {}
    for check in PROJECT_CHECKS.values():
        errors.update(check(project))
    return errors


def loop_option_errors(raw: Any) -> dict[str, str]:
    """What is wrong with a project's stored loop settings (empty if nothing)."""
    try:
        parse_loop_options(raw)
    except OptionError as exc:
        return exc.errors
    return {}


def parse_loop_options(raw: Any) -> dict[str, Any]:
    """Every declared option, typed: the stored value where there is one, else its default."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise OptionError({"": "Must be a JSON object."})
    errors = {key: "Not a loop setting." for key in raw if key not in LOOP_OPTIONS}
    values = {}
    for key, option in LOOP_OPTIONS.items():
        if key not in raw:
            values[key] = option.default()
            continue
        try:
            values[key] = option.parse(raw[key])
        except OptionError as exc:
            errors.update({f"{key}.{k}" if k else key: v for k, v in exc.errors.items()})
        except (TypeError, ValueError) as exc:
            errors[key] = str(exc)
    if errors:
        raise OptionError(errors)
    return values


def loop_options(project) -> dict[str, Any]:
    """The project's loop options, typed, defaults filled in (the project was validated on save)."""
    return parse_loop_options(project.sampling_params)


# --- dataclasses from JSON ----------------------------------------------------------------------


def parse_dataclass(cls: type, raw: Any):
    """``cls(**raw)`` refusing unknown keys and values not of the field's type.

    Types understood: bool, int, float (an int is accepted), str, dict, and ``X | None``. Range
    and choice rules go in the dataclass's ``__post_init__`` (raise ValueError).
    """
    if not isinstance(raw, dict):
        raise OptionError({"": "Must be a JSON object."})
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    errors = {key: "Not an option here." for key in raw if key not in names}
    values = {}
    for key in names & set(raw):
        try:
            values[key] = _typed(hints[key], raw[key])
        except ValueError as exc:
            errors[key] = str(exc)
    if errors:
        raise OptionError(errors)
    return cls(**values)


def _typed(hint: Any, value: Any) -> Any:
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (hint,) = [a for a in args if a is not type(None)]
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    base = typing.get_origin(hint) or hint
    if base is int and isinstance(value, bool):
        raise ValueError("Must be a whole number.")
    if not isinstance(value, base):
        raise ValueError(f"Must be {_NAMES.get(base, base.__name__)}.")
    return value


_NAMES = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    str: "a string",
    dict: "a JSON object",
}
