"""docs/profitability.md names only tests that exist, and only modules that exist."""

import re
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
DOCUMENT = REPOSITORY / "docs" / "profitability.md"


def test_the_profitability_document_names_only_tests_that_exist():
    document = DOCUMENT.read_text(encoding="utf-8")
    named = re.findall(r"\[([^\]]*)\]\(\.\./tests/billing/(\w+\.py)\)", document)
    assert named
    for names, file_name in named:
        source = (REPOSITORY / "tests" / "billing" / file_name).read_text(encoding="utf-8")
        for name in re.findall(r"`(test_\w+)`", names):
            assert f"def {name}(" in source, f"{name} is not in {file_name}"


def test_the_profitability_document_links_only_modules_that_exist():
    document = DOCUMENT.read_text(encoding="utf-8")
    for path in re.findall(r"\]\(\.\./(plugin/billing/\w+\.py)\)", document):
        assert (REPOSITORY / path).is_file(), path
