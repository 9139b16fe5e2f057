"""The app's command: opening a hall and rendering a screenshot; the core stays Qt-free."""

from __future__ import annotations

import subprocess
import sys

from PySide6 import QtCore, QtGui, QtWidgets

from gui.app import MainWindow, settle
from twin.examples import layouts_dir


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


def test_window_opens_an_example_hall_and_draws_it(window):
    assert window.open_layout(str(layouts_dir() / "rows-3mw.json"))
    assert window.windowTitle().startswith("Rows 3 MW (rows-3mw.json)")
    assert "racks      24" in window.summary.toPlainText()
    layout = window.document.layout
    drawn = window.canvas.items
    assert {r.id for r in layout.racks} <= set(drawn) and {p.id for p in layout.pipes} <= set(drawn)
    assert window.problems.list.count() == 0


def test_a_settled_window_shows_one_tab_bar_per_group_of_panels(qapp, tmp_path):
    """The screenshot's settling runs what the event loop would: Qt deletes (later) the
    tab bar it replaced when the Hall and Run panels were tabbed, which showed through
    the Run panel of every screenshot while it waited."""
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, autosave_folder=tmp_path / "autosave")
    window.show()
    settle(qapp)
    bars = sorted(tuple(bar.tabText(i) for i in range(bar.count()))
                  for bar in window.findChildren(QtWidgets.QTabBar) if bar.isVisible())
    assert bars == sorted([("Problems", "Scenarios", "Air section", "Events", "Plots",
                            "Cascade", "Sweep"), ("Hall", "Run")])
    window.session.close()
    window.close()


def test_a_screenshot_of_a_file_that_does_not_open_says_why_and_exits_1(tmp_path, qapp, capsys):
    """A missing layout used to give exit 0 and a picture of an empty hall; a damaged run
    or sweep file exit 1 with no word of why (the message box is never seen)."""
    from gui.app import run_app

    cut = tmp_path / "cut.h5"
    cut.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(200))
    pod = str(layouts_dir() / "pod-1mw.json")
    cases = [((str(tmp_path / "missing.json"),), {}, "missing.json: no such file"),
             ((str(cut),), {}, "cut.h5: not a readable HallTwin run file"),
             ((pod,), {"sweep": str(cut)}, "cut.h5: cannot be read as a sweep summary")]
    for args, options, message in cases:
        out = tmp_path / "window.png"
        assert run_app(*args, screenshot=str(out), **options) == 1
        assert message in capsys.readouterr().err
        assert not out.exists()
