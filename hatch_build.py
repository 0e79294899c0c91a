"""Build hook: compile every .po catalog under plugin/translations to its .mo for the wheel."""

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileCatalogs(BuildHookInterface):
    """Runs Babel's `compile` before a wheel (editable or not) is built.

    The .mo files are build output and never committed; an editable install loads them from the
    source tree, a wheel ships them (pyproject.toml lists them as artifacts).
    """

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        from babel.messages.frontend import CommandLineInterface

        for po in sorted(Path(self.root, "plugin", "translations").glob("*/LC_MESSAGES/*.po")):
            locale = po.parent.parent.name
            argv = ["pybabel", "--quiet", "compile", "-l", locale,
                    "-i", str(po), "-o", str(po.with_suffix(".mo"))]
            if CommandLineInterface().run(argv):
                raise RuntimeError(f"{po}: Babel found errors in this catalog (see above)")
