"""`make run PORT=…` serves on that port (issue 11); the README says so."""

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_make_run_takes_the_port_from_port():
    dry = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert "--port 8123" in dry
    default = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout
    assert "--port 5000" in default
    assert "make run PORT=8080" in (ROOT / "README.md").read_text(encoding="utf-8")
