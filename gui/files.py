"""Files: new, open, save, save as, recent files, the unsaved-changes prompt, autosave.

Saving goes through :func:`twin.files.save_atomic`, so the file on disk is
always the old or the new layout.  While there are unsaved edits, the
layout is also written every minute to a per-user autosave folder
(``QStandardPaths.AppDataLocation``/autosave) with a note of the file it
belongs to; a clean save or close removes it, so whatever is found there at
start-up was left by a crash and is offered for recovery.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from gui.document import HallDocument, empty_layout
from twin.errors import UserError, ValidationError
from twin.files import load_layout, save_atomic

#: How many files the Open Recent menu keeps.
RECENT_COUNT = 8
#: Milliseconds between autosaves while there are unsaved edits.
AUTOSAVE_MS = 60_000

Button = QtWidgets.QMessageBox.StandardButton


def autosave_folder() -> Path:
    """The per-user folder autosaves go to."""
    base = QtCore.QStandardPaths.writableLocation(
        QtCore.QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "autosave"


class FileController(QtCore.QObject):
    """The File menu's work for one document.

    Parameters
    ----------
    document : HallDocument
        The document saved and replaced.
    parent : QWidget
        The window the dialogs belong to.
    settings : QSettings
        Where recent files are remembered.

    Attributes
    ----------
    ask : callable
        ``ask(title, text, buttons) -> button``: the question dialog (tests
        replace it with an answer).
    """

    problemsFound = QtCore.Signal(str, list)
    """(file, problems): a file that could not be opened, with the reasons."""
    recentChanged = QtCore.Signal()

    def __init__(self, document: HallDocument, parent: QtWidgets.QWidget,
                 settings: QtCore.QSettings, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.document, self.window, self.settings = document, parent, settings
        self.folder = folder or autosave_folder()
        self.autosave_path = self.folder / f"autosave-{os.getpid()}.json"
        self.ask: Callable[[str, str, Button], Button] = (
            lambda title, text, buttons: QtWidgets.QMessageBox.question(
                self.window, title, text, buttons))
        self.timer = QtCore.QTimer(self, interval=AUTOSAVE_MS)
        self.timer.timeout.connect(self.autosave_now)
        self.timer.start()
        keys = QtGui.QKeySequence.StandardKey
        self.actions: dict[str, QtGui.QAction] = {}
        for name, text, shortcut, slot in (
                ("new", "&New", keys.New, self.new),
                ("open", "&Open...", keys.Open, self._ask_open),
                ("save", "&Save", keys.Save, self.save),
                ("save_as", "Save &As...", keys.SaveAs, self._ask_save_as)):
            action = QtGui.QAction(text, parent)
            action.setShortcut(QtGui.QKeySequence(shortcut))
            action.triggered.connect(slot)
            self.actions[name] = action

    # -- opening ---------------------------------------------------------------------------
    def new(self) -> bool:
        """Start an empty hall (after offering to save the current one)."""
        if not self.maybe_save():
            return False
        self.document.reset(empty_layout())
        self._drop_autosave()
        return True

    def open_path(self, path: str, ask_first: bool = True) -> bool:
        """Open a layout file; a file that cannot be read changes nothing and is reported."""
        if ask_first and not self.maybe_save():
            return False
        try:
            layout = load_layout(path)
        except ValidationError as error:
            self.problemsFound.emit(path, error.problems)
            return False
        self.document.reset(layout, str(Path(path).resolve()))
        self._drop_autosave()
        self.remember(self.document.path)
        return True

    def _ask_open(self) -> None:
        start = str(Path(self.document.path).parent) if self.document.path else ""
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self.window, "Open layout", start,
                                                        "HallTwin layouts (*.json)")
        if path:
            self.open_path(path)

    # -- saving ----------------------------------------------------------------------------
    def save(self) -> bool:
        """Save to the document's file, or ask for one."""
        if not self.document.path:
            return self._ask_save_as()
        return self.save_as(self.document.path)

    def save_as(self, path: str) -> bool:
        """Save the layout to ``path`` atomically; report (not raise) a failure."""
        try:
            save_atomic(self.document.layout, path)
        except UserError as error:
            QtWidgets.QMessageBox.warning(self.window, "Not saved", str(error))
            return False
        self.document.mark_saved(str(Path(path).resolve()))
        self._drop_autosave()
        self.remember(self.document.path)
        return True

    def _ask_save_as(self) -> bool:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self.window, "Save layout as", self.document.path or "hall.json",
            "HallTwin layouts (*.json)")
        if not path:
            return False
        return self.save_as(path if path.endswith(".json") else path + ".json")

    def maybe_save(self) -> bool:
        """Offer to save unsaved edits; False when the user cancels what they were doing."""
        if not self.document.modified:
            return True
        name = Path(self.document.path).name if self.document.path else "the new hall"
        answer = self.ask("Unsaved changes", f"Save the changes to {name}?",
                          Button.Save | Button.Discard | Button.Cancel)
        if answer == Button.Save:
            return self.save()
        return answer == Button.Discard

    # -- recent files ----------------------------------------------------------------------
    def recent(self) -> list[str]:
        """Recently opened or saved files that still exist, newest first."""
        files = self.settings.value("recent", [], type=list) or []
        return [f for f in files if Path(f).is_file()]

    def remember(self, path: str) -> None:
        """Put ``path`` at the top of the recent files."""
        files = [path] + [f for f in self.recent() if f != path]
        self.settings.setValue("recent", files[:RECENT_COUNT])
        self.recentChanged.emit()

    def fill_recent_menu(self, menu: QtWidgets.QMenu) -> None:
        """Rebuild the Open Recent menu."""
        menu.clear()
        for number, path in enumerate(self.recent(), start=1):
            action = menu.addAction(f"&{number} {Path(path).name}")
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        menu.setEnabled(bool(menu.actions()))

    # -- autosave and recovery -------------------------------------------------------------
    def autosave_now(self) -> bool:
        """Write unsaved edits to the autosave folder; True if something was written."""
        if not self.document.modified:
            return False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            save_atomic(self.document.layout, self.autosave_path)
            note = {"origin": self.document.path, "time": time.time()}
            self.autosave_path.with_suffix(".origin").write_text(json.dumps(note))
        except (UserError, OSError):
            return False  # autosave is a safety net: never interrupt the user for it
        return True

    def _drop_autosave(self) -> None:
        for file in (self.autosave_path, self.autosave_path.with_suffix(".origin")):
            file.unlink(missing_ok=True)

    def close(self) -> None:
        """The window closes cleanly: no crash to recover from."""
        self.timer.stop()
        self._drop_autosave()

    def leftovers(self) -> list[tuple[Path, str, float]]:
        """Autosaves left by other sessions: (file, original path, time written)."""
        found = []
        for file in sorted(self.folder.glob("autosave-*.json")):
            if file == self.autosave_path:
                continue
            try:
                note = json.loads(file.with_suffix(".origin").read_text())
            except (OSError, ValueError):
                note = {}
            found.append((file, note.get("origin", ""), note.get("time", file.stat().st_mtime)))
        return found

    def offer_recovery(self) -> bool:
        """Ask whether to recover each autosave a crashed session left; True if one was."""
        for file, origin, written in self.leftovers():
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(written))
            what = Path(origin).name if origin else "a new hall"
            answer = self.ask("Recover unsaved changes",
                              f"HallTwin did not close cleanly. Recover the unsaved changes to "
                              f"{what} autosaved at {when}?", Button.Yes | Button.No)
            if answer == Button.Yes and self.recover(file, origin):
                return True
            file.unlink(missing_ok=True)
            file.with_suffix(".origin").unlink(missing_ok=True)
        return False

    def recover(self, file: Path, origin: str) -> bool:
        """Open an autosave as unsaved edits of ``origin`` (saving writes there)."""
        try:
            layout = load_layout(file)
        except ValidationError as error:
            self.problemsFound.emit(str(file), error.problems)
            return False
        self.document.reset(layout, origin)
        self.document.undo_stack.resetClean()  # recovered edits are not saved yet
        for leftover in (file, file.with_suffix(".origin")):
            leftover.unlink(missing_ok=True)
        self.autosave_now()
        return True
