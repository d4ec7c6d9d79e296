"""Print pip constraints pinning every dependency in pyproject.toml to its declared lower bound.

``name>=X`` (with or without an upper bound) becomes ``name==X``; an exact pin ``name==X`` stays.
A dependency with no lower bound is an error: its floor would be whatever happens to be newest.
Only the standard library, so it runs before anything is installed.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


def floor(requirement: str) -> str:
    match = REQUIREMENT.match(requirement.split(";")[0])
    if match is None:
        raise SystemExit(f"cannot read requirement {requirement!r}")
    name, _extras, specs = match.groups()
    for spec in specs.split(","):
        op, _, version = spec.strip().partition("=")
        version = version.lstrip("=").strip()
        if spec.strip().startswith((">=", "==")) and version:
            return f"{name}=={version}"
    raise SystemExit(f"{name}: no lower bound declared ({requirement!r})")


def main(path: str = "pyproject.toml", *groups: str) -> None:
    project = tomllib.loads(Path(path).read_text())["project"]
    requirements = list(project["dependencies"])
    for group in groups:
        requirements += project["optional-dependencies"][group]
    for requirement in requirements:
        print(floor(requirement))


if __name__ == "__main__":
    main(*sys.argv[1:])
