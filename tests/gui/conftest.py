"""Shared fixtures of the GUI tests: a main window with its settings and autosaves in tmp."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from gui.app import MainWindow


@pytest.fixture(scope="session", autouse=True)
def _compiled_engine():
    """Compile the engine's numba kernels once, on the main thread, before any live run:
    on a fresh checkout (no numba cache) the first compile inside a run's worker thread,
    competing with the window for the GIL, outlasted the tests' timeouts."""
    from twin.engine import EngineOptions, Simulation, default_scenario
    from twin.examples import layouts_dir
    from twin.files import load_layout

    layout = load_layout(layouts_dir() / "pod-1mw.json")
    Simulation(layout, default_scenario(2.0), EngineOptions(air=False)).run()


@pytest.fixture(autouse=True)
def _empty_clipboard(qapp):
    """Leave the clipboard empty after each test: Qt's offscreen platform (PySide6 6.11)
    crashes the interpreter at exit while its clipboard still holds data."""
    yield
    qapp.clipboard().clear()


@pytest.fixture
def window(qtbot, tmp_path):
    """A shown main window on an empty hall that remembers nothing outside ``tmp_path``."""
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    main = MainWindow(settings=settings, autosave_folder=tmp_path / "autosave")
    # Answer "discard" to the unsaved-changes question so closing never blocks a test.
    main.files.ask = lambda *_: QtWidgets.QMessageBox.StandardButton.Discard
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


def click_at(qtbot, canvas, x: float, y: float, control: bool = False) -> None:
    """A real left click on the canvas at hall coordinates (x, y) m."""
    qtbot.mouseClick(canvas.viewport(), QtCore.Qt.MouseButton.LeftButton,
                     QtCore.Qt.KeyboardModifier.ControlModifier if control
                     else QtCore.Qt.KeyboardModifier.NoModifier, to_widget(canvas, x, y))


def to_widget(canvas, x: float, y: float) -> QtCore.QPoint:
    """Widget pixel of the hall point (x, y) m."""
    scene = canvas.view_box.mapViewToScene(QtCore.QPointF(x, y))
    return canvas.mapFromScene(scene)


def hover_at(qtbot, canvas, x: float, y: float) -> None:
    """A real mouse move onto the hall point (x, y) m, from a pixel beside it (a "move" to
    where the mouse already is moves nothing).  It goes to the canvas's own window (moving
    the global cursor would reach whichever window lies on top there), and waits out
    pyqtgraph's ``mouseRateLimit`` (moves within 10 ms of the last are dropped)."""
    window = canvas.window()
    target = canvas.viewport().mapTo(window, to_widget(canvas, x, y))
    for point in (target + QtCore.QPoint(2, 2), target):
        qtbot.wait(20)
        qtbot.mouseMove(window.windowHandle(), point)
