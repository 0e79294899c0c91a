"""The billing core stays pure: standard library only, Decimal money, importable without Flask."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

BILLING = Path(__file__).resolve().parents[2] / "plugin" / "billing"
REPOSITORY = BILLING.parents[1]
FORBIDDEN = ("flask", "sqlalchemy", "werkzeug", "requests", "wtforms", "apscheduler")


def test_importing_the_billing_core_loads_no_web_database_or_network_library():
    probe = (
        "import json, sys, plugin.billing; "
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(REPOSITORY)!r}); {probe}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = set(json.loads(result.stdout))
    assert "plugin" in loaded
    assert loaded.isdisjoint(FORBIDDEN), sorted(loaded & set(FORBIDDEN))


def test_the_billing_core_imports_only_the_standard_library_and_itself():
    for module in BILLING.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = [node.module.split(".")[0]]
            else:
                continue
            outside = [root for root in roots if root not in sys.stdlib_module_names]
            assert not outside, f"{module.name} imports {outside}"


def test_no_money_goes_through_float():
    for module in BILLING.glob("*.py"):
        assert "float(" not in module.read_text(encoding="utf-8"), module.name


def test_every_billing_module_says_in_one_line_what_it_holds():
    for module in BILLING.glob("*.py"):
        docstring = ast.get_docstring(ast.parse(module.read_text(encoding="utf-8")))
        assert docstring and "\n" not in docstring, module.name


def test_the_billing_rules_document_names_only_tests_that_exist():
    document = (REPOSITORY / "docs" / "billing-rules.md").read_text(encoding="utf-8")
    tests = BILLING.parents[1] / "tests" / "billing"
    for names, file_name in re.findall(r"\[([^\]]*)\]\(\.\./tests/billing/(\w+\.py)\)", document):
        source = (tests / file_name).read_text(encoding="utf-8")
        for name in re.findall(r"`(test_\w+)`", names):
            assert f"def {name}(" in source, f"{name} is not in {file_name}"
