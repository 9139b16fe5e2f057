"""Entry script of the packaged app (PyInstaller runs this instead of the console script).

It is the same program as the ``halltwin`` console script (``twin.cli:main``);
the ``gui`` command arrives through the ``halltwin.commands`` entry point,
whose metadata the spec bundles (and checks) next to the code.

One difference: an executable that a desktop starts without a terminal - the
macOS ``.app`` and Windows' ``halltwin-gui.exe`` - opens the desktop app when
it is given no command (a double-click) or just a file (an "Open with").
"""

from __future__ import annotations

import os
import sys

#: Files the desktop app opens: layouts and scenarios (JSON) and run files (HDF5).
_DOCUMENTS = (".json", ".h5")


def _desktop_launch() -> bool:
    """True for the executables that a desktop starts (no terminal attached)."""
    exe = os.path.basename(sys.executable).lower()
    if exe.removesuffix(".exe").endswith("-gui"):
        return True
    # The macOS .app has one executable for both; Finder starts it with no
    # arguments, or with documents thanks to PyInstaller's argv emulation.
    return sys.platform == "darwin" and ".app/Contents/MacOS/" in sys.executable


def _argv(argv: list[str]) -> list[str]:
    """Return ``argv`` with ``gui`` put in front where a desktop started us."""
    if not _desktop_launch():
        return argv
    if not argv or (argv[0].lower().endswith(_DOCUMENTS) and os.path.isfile(argv[0])):
        return ["gui", *argv]
    return argv


def main() -> int:
    """Run the HallTwin command line; return its exit status."""
    from twin.cli import main as cli_main

    return cli_main(_argv(sys.argv[1:]))


if __name__ == "__main__":
    # A sweep's local Dask cluster starts its workers by spawning this
    # executable again; freeze_support makes such a child run the worker,
    # not the command line.
    import multiprocessing

    multiprocessing.freeze_support()
    raise SystemExit(main())
