"""The HallTwin main window (the full editor and live views come with issue 6)."""

from __future__ import annotations

import sys

from PySide6 import QtCore, QtWidgets

from gui.floorplan import FloorPlan
from twin import __version__
from twin.examples import example_layouts
from twin.validation import validate_files
from twin.validation.summary import summarize


class MainWindow(QtWidgets.QMainWindow):
    """Floor plan in the centre; summary and problems docked at the side."""

    def __init__(self) -> None:
        super().__init__()
        self.resize(1280, 800)
        self.setWindowTitle(f"HallTwin {__version__}")
        self.floor = FloorPlan()
        self.setCentralWidget(self.floor)
        self.summary = QtWidgets.QPlainTextEdit(readOnly=True)
        self.problems = QtWidgets.QListWidget()
        for title, widget in (("Hall", self.summary), ("Problems", self.problems)):
            dock = QtWidgets.QDockWidget(title, self)
            dock.setObjectName(title)
            dock.setWidget(widget)
            self.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, dock)
        open_action = self.menuBar().addMenu("&File").addAction("&Open layout...")
        open_action.setShortcut("Ctrl+O")
        open_action.triggered.connect(self._ask_open)

    def open_layout(self, path: str) -> bool:
        """Load and show a layout; list its problems. Returns False if it cannot be read."""
        report = validate_files(path)
        self.problems.clear()
        for problem in report.problems:
            self.problems.addItem(str(problem))
        if report.layout is None:
            self.summary.setPlainText("The file could not be read; see Problems.")
            return False
        self.setWindowTitle(f"HallTwin {__version__} - {report.layout.name}")
        self.summary.setPlainText("\n".join(summarize(report.layout)))
        self.floor.show_layout(report.layout)
        return True

    def _ask_open(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open layout", "",
                                                        "Layouts (*.json)")
        if path:
            self.open_layout(path)


def run_app(path: str | None = None, screenshot: str | None = None) -> int:
    """Open the main window on ``path`` (or the first example) and run Qt's loop.

    With ``screenshot``, render once, save the window as PNG and return.
    """
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    window = MainWindow()
    examples = example_layouts()
    target = path or (str(examples[0]) if examples else None)
    if target:
        window.open_layout(target)
    window.show()
    if screenshot:
        app.processEvents()
        return 0 if window.grab().save(screenshot) else 1
    return app.exec()
