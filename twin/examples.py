"""Where the bundled example halls and scenarios are."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def layouts_dir() -> Path:
    """The folder of example layouts.

    ``HALLTWIN_LAYOUTS`` wins; then the folder inside a packaged app; then the
    source checkout's ``layouts/``.
    """
    if "HALLTWIN_LAYOUTS" in os.environ:
        return Path(os.environ["HALLTWIN_LAYOUTS"])
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "layouts"
    return Path(__file__).resolve().parent.parent / "layouts"


def example_layouts() -> list[Path]:
    """Every example layout file, sorted by name."""
    return sorted(layouts_dir().glob("*.json"))


def scenarios_for(layout: Path) -> list[Path]:
    """The scenario files written for a layout (``scenarios/<hall>--<incident>.json``)."""
    return sorted((layout.parent / "scenarios").glob(f"{layout.stem}--*.json"))
