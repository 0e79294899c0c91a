"""The layers stay apart: the API never reaches into the screens, services read no Flask global
and leave the commit to views, jobs and commands, and no two modules import each other."""

import ast
from pathlib import Path

PLUGIN = Path(__file__).resolve().parents[1] / "plugin"


def _module(path: Path) -> str:
    parts = path.relative_to(PLUGIN.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports (at the top or inside a function), as dotted names."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def _files(*packages: str):
    for package in packages:
        yield from sorted((PLUGIN / package).rglob("*.py"))


def test_the_api_imports_nothing_from_the_screens():
    for path in _files("api"):
        assert not any(name.startswith("plugin.web") for name in _imports(path)), path.name


def test_services_exports_and_connectors_read_no_flask_global():
    for path in _files("services", "exports", "connectors"):
        imported = _imports(path)
        assert not any(name.split(".")[0] in ("flask", "flask_babel") for name in imported), \
            f"{path.relative_to(PLUGIN)} imports flask"


def test_services_exports_and_connectors_leave_the_commit_to_their_callers():
    for path in _files("services", "exports", "connectors"):
        calls = [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and node.func.attr == "commit"]
        assert calls == [], f"{path.relative_to(PLUGIN)} commits"


def test_no_two_modules_of_the_plugin_import_each_other():
    modules = {_module(path): path for path in PLUGIN.rglob("*.py")}
    graph = {name: {m for m in _imports(path) if m in modules and m != name}
             for name, path in modules.items()}
    mutual = sorted((a, b) for a, imported in graph.items() for b in imported
                    if a < b and a in graph[b] and not b.startswith(a + ".")
                    and not a.startswith(b + "."))
    assert mutual == []
