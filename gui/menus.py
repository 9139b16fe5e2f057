"""The main window's menus, tool bar and keyboard shortcuts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6 import QtGui, QtWidgets

if TYPE_CHECKING:
    from gui.app import MainWindow


def _action(window: MainWindow, text: str, slot, shortcut: str | None = None,
            tip: str = "") -> QtGui.QAction:
    action = QtGui.QAction(text, window)
    if shortcut:
        action.setShortcut(QtGui.QKeySequence(shortcut))
    action.setStatusTip(tip)
    action.triggered.connect(slot)
    return action


def _ask_export_png(window: MainWindow) -> None:
    name = window.document.path.removesuffix(".json") if window.document.path else "hall"
    path, _ = QtWidgets.QFileDialog.getSaveFileName(window, "Export view as PNG",
                                                    f"{name}.png", "PNG images (*.png)")
    if path:
        window.export_png(path if path.lower().endswith(".png") else path + ".png")


def _ask_open_run(window: MainWindow) -> None:
    path, _ = QtWidgets.QFileDialog.getOpenFileName(
        window, "Open run for replay", str(window.session.run_panel.folder),
        "Run files (*.h5 *.hdf5)")
    if path:
        window.session.open_run(path)


def _show_sweep(window: MainWindow, ask_file: bool) -> None:
    window.show_sweep()
    if ask_file:
        window.sweep.ask_open_summary()


def build_menus(window: MainWindow) -> None:
    """Fill the menu bar and the tool bar of ``window`` with its actions and shortcuts."""
    files, editor = window.files.actions, window.editor.actions
    bar = window.menuBar()

    menu = bar.addMenu("&File")
    menu.addActions([files["new"], files["open"]])
    recent = menu.addMenu("Open &Recent")
    recent.aboutToShow.connect(lambda: window.files.fill_recent_menu(recent))
    window.files.fill_recent_menu(recent)
    menu.addActions([files["save"], files["save_as"]])
    menu.addSeparator()
    menu.addAction(_action(window, "Open r&un for replay...", lambda: _ask_open_run(window),
                           "Ctrl+Shift+O", "Replay a run file (also one still being written)"))
    menu.addAction(_action(window, "Open s&weep summary...", lambda: _show_sweep(window, True),
                           tip="Show a contingency sweep's ranked results (halltwin sweep -o)"))
    menu.addSeparator()
    menu.addAction(_action(window, "&Export view as PNG...", lambda: _ask_export_png(window),
                           "Ctrl+E", "Save the hall canvas as a picture"))
    menu.addSeparator()
    menu.addAction(_action(window, "&Quit", window.close, "Ctrl+Q"))

    menu = bar.addMenu("&Edit")
    menu.addActions([window.editor.undo_action, window.editor.redo_action])
    menu.addSeparator()
    menu.addActions([editor["cut"], editor["copy"], editor["paste"], editor["delete"]])
    menu.addSeparator()
    menu.addActions([editor["rotate"], editor["select_all"], editor["pipe_row"]])

    menu = bar.addMenu("&Tools")
    menu.addActions(list(window.palette_panel.actions.values()))
    menu.addSeparator()
    menu.addAction(_action(window, "Contingency s&weep...", lambda: _show_sweep(window, False),
                           "Ctrl+Shift+W", "Run every single failure (or pair) of the hall "
                           "and rank them"))

    menu = bar.addMenu("&View")
    window.fit_action = _action(window, "&Fit hall", window.canvas.fit, "F",
                                "Zoom to the whole hall")
    menu.addAction(window.fit_action)
    window.dark_action = _action(window, "&Dark theme", lambda on: window.set_dark(on),
                                 "Ctrl+Shift+D")
    window.dark_action.setCheckable(True)
    menu.addAction(window.dark_action)
    menu.addSeparator()
    panels = menu.addMenu("&Panels")
    for dock in window.docks.values():
        panels.addAction(dock.toggleViewAction())
    menu.addAction(_action(window, "&Reset panels", window.reset_panels))

    menu = bar.addMenu("&Help")
    menu.addAction(_action(window, "&About HallTwin", window.about))

    tools = window.addToolBar("Main")
    tools.setObjectName("Main tool bar")
    tools.addActions([files["new"], files["open"], files["save"]])
    tools.addSeparator()
    tools.addActions([window.editor.undo_action, window.editor.redo_action])
    tools.addSeparator()
    tools.addActions([editor["rotate"], editor["delete"], editor["pipe_row"]])
