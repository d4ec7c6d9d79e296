"""The import graph of the project's own modules has no cycle, late (function-level) imports included.

Dependencies point one way (DESIGN.md): ``annotator`` is the base and imports neither ``models_app``
nor ``sampling``; within an app, a module that needs another's code at call time imports it at the
top, never "late" to dodge a cycle (training ↔ inference, loop ↔ tasks, models ↔ querysets were).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("annotator", "models_app", "sampling", "echoloop")


def module_files() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules ``name`` imports anywhere in its body (top level or inside functions)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            # ``from pkg import sub`` imports the submodule; ``from mod import name`` the module.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def graph() -> dict[str, set[str]]:
    modules = module_files()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in edges:
        if v not in index:
            visit(v)
    return found


def test_the_import_graph_has_no_cycle():
    assert cycles(graph()) == []


def test_the_named_cycles_are_gone():
    edges = graph()
    for a, b in [
        ("models_app.training", "models_app.inference"),
        ("sampling.loop", "sampling.tasks"),
        ("annotator.models.audio", "annotator.querysets"),
    ]:
        assert not (b in edges[a] and a in edges[b]), (a, b)


def test_the_finder_sees_late_imports_and_cycles(tmp_path):
    """The check itself can fail: a late import that closes a loop is a cycle."""
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]
    late = tmp_path / "late.py"
    late.write_text("def f():\n    from annotator.models import Clip\n")
    assert "annotator.models" in imports_of("sampling.late", late, module_files())


def test_the_base_app_imports_no_downstream_app():
    downstream = ("models_app", "sampling")
    leaks = {
        name: sorted(t for t in targets if t.startswith(downstream))
        for name, targets in graph().items()
        if name.startswith("annotator")
    }
    assert {k: v for k, v in leaks.items() if v} == {}


@pytest.mark.parametrize(
    "first,then",
    [
        ("models_app.inference", "models_app.training"),
        ("models_app.training", "models_app.inference"),
        ("sampling.tasks", "sampling.loop"),
        ("annotator.querysets", "annotator.models"),
    ],
)
def test_each_module_imports_alone_in_a_fresh_interpreter(first, then):
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'echoloop.settings');"
        f"django.setup(); import importlib; importlib.import_module({first!r});"
        f"importlib.import_module({then!r})"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


def test_the_base_apps_urlconf_includes_no_downstream_app():
    """echoloop.urls composes the apps; annotator's own URLconfs route only annotator's views."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def views(patterns):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from views(p.url_patterns)
            elif isinstance(p, URLPattern):
                yield p.callback.__module__

    for conf in ("annotator.urls", "annotator.api.urls"):
        modules = set(views(get_resolver(conf).url_patterns))
        assert not {m for m in modules if m.startswith(("models_app", "sampling"))}, conf
    composed = set(views(get_resolver().url_patterns))
    assert {"models_app.api", "sampling.api"} <= composed
