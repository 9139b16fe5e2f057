"""The main window opens offscreen on an example hall and draws it."""

from __future__ import annotations

import subprocess
import sys

from PySide6 import QtGui, QtWidgets

from gui.app import MainWindow
from twin.examples import layouts_dir


def test_window_shows_the_hall_and_its_summary(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.open_layout(str(layouts_dir() / "rows-3mw.json"))
    assert window.windowTitle().endswith("Rows 3 MW")
    assert "racks      24" in window.summary.toPlainText()
    rects = [i for i in window.floor.getPlotItem().items
             if isinstance(i, QtWidgets.QGraphicsRectItem)]
    # hall outline + (body + inlet strip) for 24 racks, 3 CDUs and 2 fan walls
    assert len(rects) == 1 + 2 * (24 + 3 + 2)
    assert window.problems.count() == 0


def test_bad_file_lists_problems_instead_of_crashing(qtbot, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "halltwin-layout"')
    window = MainWindow()
    qtbot.addWidget(window)
    assert not window.open_layout(str(bad))
    assert window.problems.count() == 1
    assert "is not valid JSON" in window.problems.item(0).text()


def test_screenshot_command_renders_a_picture(tmp_path):
    png = tmp_path / "window.png"
    hall = layouts_dir() / "pod-1mw.json"
    result = subprocess.run([sys.executable, "-m", "twin", "gui", str(hall), "--screenshot",
                             str(png)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    image = QtGui.QImage(str(png))
    assert image.width() >= 800 and image.height() >= 600


def test_core_imports_without_qt():
    code = ("import sys, twin.cli, twin.editing, twin.validation, twin.pipe_sizing;"
            "twin.cli.build_parser();"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'cupy')];"
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
