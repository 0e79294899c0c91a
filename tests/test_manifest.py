"""plugin.toml is the manifest the code reads, and the one source of the version."""

import importlib
import tomllib
from importlib.metadata import version
from pathlib import Path

from plugin.manifest import MANIFEST
from plugin.models.users import ROLES

ROOT = Path(__file__).resolve().parent.parent


def test_the_installed_version_is_the_manifest_version():
    assert version("quarterhour") == MANIFEST.version
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "plugin.toml"


def test_the_entry_point_and_job_functions_resolve():
    module, name = MANIFEST.entry_point.split(":")
    from plugin import QuarterHour

    assert getattr(importlib.import_module(module), name) is QuarterHour
    for job in MANIFEST.jobs:
        module, name = job.function.split(":")
        assert callable(getattr(importlib.import_module(module), name))
        assert job.cron_setting in MANIFEST.settings


def test_the_roles_are_the_permissions_the_manifest_adds():
    assert ROLES == ("engineer", "admin", "billing")


def test_the_host_mounts_at_the_manifest_prefix():
    from tests.test_host_app import build_host

    host = build_host("sqlite://", ROOT / "migrations")
    assert any(r.rule == f"{MANIFEST.url_prefix}/api/v1/openapi.json"
               for r in host.url_map.iter_rules())
