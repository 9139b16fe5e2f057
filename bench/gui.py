"""Heatmap refresh rate of the desktop app, measured as pyqtgraph's VideoSpeedTest does.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui.py [--seconds S]

Pushes air-temperature fields (degC, float32, (nz, ny, nx), row-major) of the
10 MW hall into the main window through the path a live run's frames take
(``MainWindow.panel.set_air_field``: the slider's range, the fixed 18-45 °C
levels with no autoLevels, the slice's ``ImageItem``, the section view
behind its tab) and repaints the canvas after each, for a fixed time, on two
grids: 0.25 m (the hall's own, 112 x 88 cells a slice) and 0.1 m (280 x 220).
In the same run the same slices go straight into a bare ``pg.ImageItem``
(``setImage`` with fixed levels, then a repaint) in a view of the canvas's
size: the machine's own limit for drawing that image.  Issue 6 asks for
>= 25 frames/s.  Prints the figures; passes or fails nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this file's folder leads sys.path and "gui" would name this file, not
# the app's package: drop the folder (nothing else is imported from it).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402 - after the path fix above
import pyqtgraph as pg  # noqa: E402
from PySide6 import QtCore, QtWidgets  # noqa: E402

from gui.app import MainWindow  # noqa: E402
from gui.canvas.heatmap import DEFAULT_LEVELS  # noqa: E402
from twin.examples import layouts_dir  # noqa: E402

#: Distinct frames cycled through (so no frame repeats its predecessor).
FRAMES = 16


def fields(hall, cell: float) -> list[np.ndarray]:
    """Random air fields (degC) of the hall on a grid of ``cell`` m, warmer upwards."""
    shape = tuple(int(round(extent / cell)) for extent in (hall.height, hall.depth, hall.width))
    rng = np.random.default_rng(0)
    base = np.linspace(20.0, 40.0, shape[0], dtype=np.float32)[:, None, None]
    return [base + rng.random(shape, dtype=np.float32) * 5.0 for _ in range(FRAMES)]


def rate(push, seconds: float) -> float:
    """Frames per second of ``push(frame_number)`` called back to back for ``seconds``."""
    push(0)  # the first frame lays the image out: not counted
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        count += 1
        push(count)
    return count / (time.perf_counter() - started)


def app_rate(window: MainWindow, frames: list[np.ndarray], cell: float, seconds: float) -> float:
    """Frames per second through the app's path: set_air_field, then the window repaints."""
    app = QtWidgets.QApplication.instance()

    def push(k: int) -> None:
        window.panel.set_air_field(frames[k % len(frames)], cell)
        app.processEvents()  # the repaint that follows, as in the app's event loop

    return rate(push, seconds)


def raw_rate(size: QtCore.QSize, frames: list[np.ndarray], seconds: float) -> float:
    """Frames per second of a bare ImageItem of the same on-screen size (its limit)."""
    view = pg.GraphicsLayoutWidget()
    view.resize(size)
    box = view.addViewBox(lockAspect=True)
    image = pg.ImageItem(axisOrder="row-major")
    image.setLookupTable(pg.colormap.get("CET-L8").getLookupTable(nPts=256))
    box.addItem(image)
    view.show()
    QtWidgets.QApplication.instance().processEvents()  # shown and laid out before timing
    slices = [f[f.shape[0] // 2] for f in frames]

    def push(k: int) -> None:
        image.setImage(slices[k % len(slices)], autoLevels=False, levels=DEFAULT_LEVELS)
        view.viewport().repaint()

    measured = rate(push, seconds)
    view.close()
    return measured


def main() -> None:
    """Print the heatmap frame rates of both grids."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement (default 3)")
    args = parser.parse_args()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())} on "
          f"{os.cpu_count()} logical cores; Qt platform {app.platformName()}")
    with tempfile.TemporaryDirectory() as folder:
        settings = QtCore.QSettings(str(Path(folder) / "settings.ini"),
                                    QtCore.QSettings.Format.IniFormat)
        window = MainWindow(settings=settings, autosave_folder=Path(folder) / "autosave")
        window.show()
        window.open_layout(str(layouts_dir() / "hall-10mw.json"))
        app.processEvents()
        hall = window.document.layout.hall
        size = window.canvas.viewport().size()
        print(f"canvas {size.width()} x {size.height()} px, hall {hall.width:g} x "
              f"{hall.depth:g} x {hall.height:g} m")
        for cell in (0.25, 0.1):
            frames = fields(hall, cell)
            nz, ny, nx = frames[0].shape
            through_app = app_rate(window, frames, cell, args.seconds)
            raw = raw_rate(size, frames, args.seconds)
            print(f"grid {cell:g} m, field {nx} x {ny} x {nz} cells ({nx} x {ny} a slice, "
                  f"{frames[0].nbytes / 1e6:.1f} MB a frame): app {through_app:6.1f} frames/s, "
                  f"bare ImageItem {raw:6.1f} frames/s (goal: app >= 25)")
        window.files.close()
        window.close()


if __name__ == "__main__":
    main()
