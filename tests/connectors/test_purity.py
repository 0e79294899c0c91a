"""The connector clients take their settings as arguments: no Flask, no database, no globals."""

import ast
import json
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
CONNECTORS = REPOSITORY / "plugin" / "connectors"
FORBIDDEN = ("flask", "sqlalchemy", "werkzeug", "wtforms", "apscheduler", "flask_babel")


def test_importing_the_clients_and_signatures_loads_no_web_or_database_library():
    probe = ("import json, sys, plugin.connectors.helpdesks, plugin.connectors.signatures; "
             "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))")
    path = f"import sys; sys.path.insert(0, {str(REPOSITORY)!r}); "
    result = subprocess.run([sys.executable, "-I", "-c", path + probe], capture_output=True,
                            text=True, check=True)
    loaded = set(json.loads(result.stdout))
    assert "requests" in loaded
    assert loaded.isdisjoint(FORBIDDEN), sorted(loaded & set(FORBIDDEN))


def test_signatures_use_the_standard_library_only():
    tree = ast.parse((CONNECTORS / "signatures.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and getattr(node, "level", 0) == 0:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            assert all(n.split(".")[0] in sys.stdlib_module_names for n in names), names


def test_every_connector_module_says_in_one_line_what_it_holds():
    for module in [CONNECTORS / "signatures.py", *(CONNECTORS / "helpdesks").glob("*.py")]:
        docstring = ast.get_docstring(ast.parse(module.read_text(encoding="utf-8")))
        assert docstring and docstring.splitlines()[0].endswith("."), module.name
