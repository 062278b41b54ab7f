"""Compile the translation catalogues when the package is built, so any install speaks Vietnamese.

The compiled `.mo` files are build products (never committed): a wheel gets them from here, an editable
install gets them written beside their `.po` in the source tree. `make` compiles them the same way.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

CATALOGUES = Path("statements") / "translations"


class CompileCatalogues(BuildHookInterface):
    """Compile every `messages.po` under statements/translations into its `messages.mo`."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        """Compile the catalogues and add the results to the wheel (or beside the sources, when editable)."""
        root = Path(self.root)
        self._made = None if version == "editable" else Path(tempfile.mkdtemp(prefix="pressgate-mo-"))
        out = self._made or root
        for po in sorted((root / CATALOGUES).glob("*/LC_MESSAGES/*.po")):
            relative = po.relative_to(root).with_suffix(".mo")
            target = out / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as source:
                catalog = read_po(source)
            with target.open("wb") as compiled:
                write_mo(compiled, catalog)
            if version != "editable":
                build_data["force_include"][str(target)] = relative.as_posix()

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        """Remove the compiled copies once the wheel holds them."""
        if getattr(self, "_made", None) is not None:
            shutil.rmtree(self._made, ignore_errors=True)
