"""Compile the engine's kernels at app start, without freezing the window.

numba compiles a kernel on its first call and holds the interpreter's lock
while it does (seconds for the coolant network, tens of seconds for the air
model on a fresh install).  Done inside a live run's worker thread, that
froze the window.  :class:`KernelWarmup` instead starts a short-lived process
(:mod:`gui.warmup`, which imports only ``twin``) that compiles them into
numba's on-disk cache, then loads the coolant network's kernels into this
process from a plain thread (loading holds the lock in short pieces, the
longest about 0.1 s, once, while the app is idle).  A run started meanwhile
waits for it (:meth:`gui.runpanel.RunPanel.start`).
"""

from __future__ import annotations

import re
import sys
import threading

from PySide6 import QtCore

from gui.warmup import warm


def warmup_command(air: bool = True) -> tuple[str, list[str]]:
    """Program and arguments of the warm-up process: ``python -m gui.warmup``, or the
    packaged app's own ``gui --warm-kernels`` (a frozen app has no ``-m``)."""
    extra = [] if air else ["--no-air"]
    if getattr(sys, "frozen", False):
        return sys.executable, ["gui", "--warm-kernels", *extra]
    return sys.executable, ["-m", "gui.warmup", *extra]


class KernelWarmup(QtCore.QObject):
    """Fills numba's cache in another process, then loads the network kernels here.

    Parameters
    ----------
    air : bool
        Also compile the air model's kernels (the process only: a run with
        the air model on loads them itself, in short pieces).

    Signals
    -------
    message(str)
        A line for the status bar ("compiling kernels…", then what happened).
    finished(bool)
        Done: True when every kernel was compiled ahead.
    """

    message = QtCore.Signal(str)
    finished = QtCore.Signal(bool)
    _loaded = QtCore.Signal(str)

    def __init__(self, air: bool = True, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.air = air
        self.busy = False
        self.result = ""
        self._process = QtCore.QProcess(self)
        self._process.finished.connect(self._compiled)
        self._process.errorOccurred.connect(self._not_started)
        # Emitted from the loading thread: queued to this object's (the main) thread.
        self._loaded.connect(self._finish)

    @property
    def air_backend(self) -> str | None:
        """The backend the warm-up ran the air model on (``"cupy"``, ``"numba"``...), or
        None if it did not run it (not yet, ``air=False``, or it failed)."""
        found = re.search(r"air \((\w+)\)", self.result)
        return found.group(1) if found else None

    def start(self) -> None:
        """Start compiling (once; later calls while busy do nothing)."""
        if self.busy:
            return
        self.busy = True
        program, arguments = warmup_command(self.air)
        self.message.emit("compiling kernels…")
        self._process.start(program, arguments)

    def _not_started(self, error: QtCore.QProcess.ProcessError) -> None:
        if error == QtCore.QProcess.ProcessError.FailedToStart:
            self._done(False, f"kernels not compiled ahead ({self._process.errorString()}): "
                              "the first run compiles them")

    def _compiled(self, code: int, status: QtCore.QProcess.ExitStatus) -> None:
        if code != 0 or status != QtCore.QProcess.ExitStatus.NormalExit:
            why = bytes(self._process.readAllStandardError()).decode(errors="replace").strip()
            self._done(False, f"{why.splitlines()[-1] if why else 'warm-up process crashed'}"
                              ": the first run compiles them")
            return
        self.result = bytes(self._process.readAllStandardOutput()).decode(errors="replace")
        threading.Thread(target=self._load, name="halltwin-kernels", daemon=True).start()

    def _load(self) -> None:
        try:
            warm(air=False)
        except Exception as error:  # noqa: BLE001 - the reason goes to the status bar
            self._loaded.emit(f"kernels not loaded: {type(error).__name__}: {error}")
            return
        self._loaded.emit("")

    def _finish(self, problem: str) -> None:
        self._done(not problem, problem or "kernels ready")

    def _done(self, ok: bool, text: str) -> None:
        self.busy = False
        self.message.emit(text)
        self.finished.emit(ok)

    def wait(self, msecs: int = 120_000) -> bool:
        """Block until done (for scripts and benchmarks; the app never calls this)."""
        loop = QtCore.QEventLoop()
        self.finished.connect(loop.quit)
        QtCore.QTimer.singleShot(msecs, loop.quit)
        if self.busy:
            loop.exec()
        return not self.busy
