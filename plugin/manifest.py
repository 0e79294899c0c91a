"""The plugin manifest (plugin.toml), read once and exposed as plain data."""

import tomllib
from dataclasses import dataclass

from plugin.resources import resource


@dataclass(frozen=True)
class Job:
    id: str
    function: str
    cron_setting: str
    description: str


@dataclass(frozen=True)
class Manifest:
    id: str
    name: str
    version: str
    entry_point: str
    url_prefix: str
    permissions: dict[str, str]
    jobs: tuple[Job, ...]
    settings: dict[str, str]

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(self.permissions)


def load_manifest(path=None) -> Manifest:
    with open(path or resource("plugin.toml"), "rb") as f:
        raw = tomllib.load(f)
    return Manifest(
        id=raw["id"],
        name=raw["name"],
        version=raw["version"],
        entry_point=raw["entry_point"],
        url_prefix=raw["url_prefix"],
        permissions={k: v["description"] for k, v in raw.get("permissions", {}).items()},
        jobs=tuple(
            Job(id=k, function=v["function"], cron_setting=v["cron"],
                description=v.get("description", ""))
            for k, v in raw.get("jobs", {}).items()
        ),
        settings={k: str(v) for k, v in raw.get("settings", {}).items()},
    )


MANIFEST = load_manifest()
