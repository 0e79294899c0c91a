"""Where the shipped files (manifest, templates, static, migrations) live, installed or not."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource(name: str) -> Path:
    """In a wheel the files sit inside the package; in a checkout, at the repository root."""
    inside = _PACKAGE / name
    return inside if inside.exists() else _PACKAGE.parent / name
