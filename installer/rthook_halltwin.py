"""PyInstaller runtime hook: runs inside the packaged app before any HallTwin code.

Two things must be settled before numba or the backend chooser import:

* numba's on-disk cache.  The kernels use ``cache=True``; numba would write
  next to their sources, inside the install folder (read-only under
  ``/opt``/``Program Files``) or, failing that, in a folder of its own
  choosing.  ``NUMBA_CACHE_DIR`` sends it to a per-user cache folder.  The
  folder is named after the build (version + hash of the solver sources, in
  ``halltwin-build.txt``) because numba stamps a frozen app's cache with the
  executable, which need not change when only the kernels do.
* the user's CuPy.  CuPy (hundreds of MB, tied to a CUDA version) is not
  bundled.  Folders named in ``HALLTWIN_CUPY_PATH`` (``os.pathsep``-separated
  site-packages folders) and the per-user ``gpu`` folder, when it exists, are
  appended to ``sys.path``, so ``import cupy`` finds the user's copy while the
  bundled NumPy and everything else still win.  When CuPy is not found the
  backend chooser falls back to the CPU backends and says why.

A user's own ``NUMBA_CACHE_DIR`` wins.  Nothing here may fail: a hook that
raises stops the app before it can print a useful message.
"""

import os
import sys


def _user_folder(kind: str) -> str:
    """Per-user folder for ``kind`` "cache" or "data".

    The same folders as Qt's ``QStandardPaths`` CacheLocation and
    AppLocalDataLocation for the app's names (organization and application
    "HallTwin"), so that everything HallTwin keeps per user sits together.
    """
    home = os.path.expanduser("~")
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
        folder = os.path.join(base, "HallTwin", "HallTwin")
        return os.path.join(folder, "cache") if kind == "cache" else folder
    if sys.platform == "darwin":
        sub = "Caches" if kind == "cache" else "Application Support"
        return os.path.join(home, "Library", sub, "HallTwin", "HallTwin")
    if kind == "cache":
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    else:
        base = os.environ.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    return os.path.join(base, "HallTwin", "HallTwin")


def _build_id() -> str:
    """The bundle's build id written by the spec, or "unknown"."""
    bundle = getattr(sys, "_MEIPASS", os.path.dirname(sys.executable))
    try:
        with open(os.path.join(bundle, "halltwin-build.txt"), encoding="ascii") as handle:
            return handle.read().strip() or "unknown"
    except OSError:
        return "unknown"


def _numba_cache() -> None:
    if not os.environ.get("NUMBA_CACHE_DIR"):
        os.environ["NUMBA_CACHE_DIR"] = os.path.join(_user_folder("cache"), "numba", _build_id())


def _user_cupy() -> None:
    folders = [p for p in os.environ.get("HALLTWIN_CUPY_PATH", "").split(os.pathsep) if p]
    default = os.path.join(_user_folder("data"), "gpu")
    if os.path.isdir(default):
        folders.append(default)
    for folder in folders:
        if not os.path.isdir(folder):
            # Said on stderr (absent in a windowed app, where print does nothing);
            # the backend chooser then reports that cupy does not import.
            print(f"halltwin: HALLTWIN_CUPY_PATH names {folder!r}, which is not a folder",
                  file=sys.stderr)
            continue
        if folder not in sys.path:
            # Appended, not prepended: the bundled NumPy must stay the one in use.
            sys.path.append(folder)


# The install folder is read-only for users (and must stay as the package left
# it, or uninstalling leaves files behind): never write bytecode next to the
# solvers' sources, which are shipped precompiled.
sys.dont_write_bytecode = True
_numba_cache()
_user_cupy()
