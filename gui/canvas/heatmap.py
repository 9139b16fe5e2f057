"""The air-temperature heatmap under the equipment: one horizontal slice of a 3-D field.

Follows pyqtgraph's VideoSpeedTest example: a row-major ``ImageItem`` whose
levels are fixed once (by the colour bar), and frames pushed with
``autoLevels=False`` so no frame pays for a min/max scan and colours mean the
same temperature from frame to frame.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from gui.canvas.items import Z_HEATMAP
from gui.theme import HEATMAP_COLORMAP, colormap

#: Default colour range (degC): cold-aisle supply to well past a hot-aisle alarm.
DEFAULT_LEVELS = (18.0, 45.0)


class HeatmapLayer(QtCore.QObject):
    """A slice of an air-temperature field (degC) drawn as an image with a colour bar.

    Parameters
    ----------
    plot_item : pyqtgraph.PlotItem
        The canvas's plot; the image goes into its view box and the colour
        bar into its layout, right of the view.
    levels : (float, float)
        Temperatures (degC) at the ends of the colour map; fixed until
        :meth:`set_levels`.
    """

    sliceChanged = QtCore.Signal(int, float)
    """(index, height in m) of the slice shown, after every new field or slider move."""
    fieldChanged = QtCore.Signal()
    """A new field arrived (views of other cuts through it follow)."""

    def __init__(self, plot_item: pg.PlotItem, levels: tuple[float, float] = DEFAULT_LEVELS,
                 ) -> None:
        super().__init__()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(Z_HEATMAP)
        self.image.setOpacity(0.85)
        plot_item.addItem(self.image)
        self.levels = levels
        self.bar = pg.ColorBarItem(values=levels, colorMap=colormap(HEATMAP_COLORMAP),
                                   label="air temperature (°C)", interactive=False, width=14)
        self.bar.setImageItem(self.image, insert_in=plot_item)
        self.field: np.ndarray | None = None
        self.cell = (1.0, 1.0, 1.0)
        self.index = 0
        self._shape: tuple[int, ...] = ()
        self.set_visible(False)

    def set_visible(self, visible: bool) -> None:
        """Show or hide the image and its colour bar together."""
        self.image.setVisible(visible)
        self.bar.setVisible(visible)

    def set_field(self, field: np.ndarray, cell: float | tuple[float, float, float]) -> None:
        """Show a new air-temperature field.

        Parameters
        ----------
        field : numpy.ndarray, shape (nz, ny, nx)
            Temperatures (degC) at cell centres, z up, origin at the floor corner.
        cell : float or (dz, dy, dx)
            Cell size (m), one number for cubic cells.
        """
        if not isinstance(field, np.ndarray) or field.ndim != 3 or 0 in field.shape:
            raise ValueError(f"the air field must be a non-empty 3-D NumPy array (z, y, x), "
                             f"got {type(field).__name__} {getattr(field, 'shape', '')}")
        self.field = np.ascontiguousarray(field, dtype=np.float32)
        cells = (float(cell),) * 3 if np.isscalar(cell) else tuple(float(c) for c in cell)
        relayout = field.shape != self._shape or cells != self.cell
        self.cell, self._shape = cells, field.shape
        self.index = min(self.index, field.shape[0] - 1)
        self._show(relayout)
        self.fieldChanged.emit()

    def set_height_index(self, index: int) -> None:
        """Choose the slice by its cell index from the floor (clamped to the field)."""
        if self.field is None:
            self.index = max(0, index)
            return
        self.index = int(np.clip(index, 0, self.field.shape[0] - 1))
        self._show(False)

    def height(self) -> float:
        """Height (m) of the centre of the shown slice."""
        return (self.index + 0.5) * self.cell[0]

    def set_levels(self, low: float, high: float) -> None:
        """Change the fixed colour range (degC)."""
        self.levels = (low, high)
        self.bar.setLevels((low, high))
        self.image.setLevels((low, high))

    def value_at(self, x: float, y: float) -> float | None:
        """Temperature (degC) of the shown slice at (x, y) m, or None outside the field."""
        if self.field is None or not self.image.isVisible():
            return None
        _, dy, dx = self.cell
        i, j = int(np.floor(y / dy)), int(np.floor(x / dx))
        _, ny, nx = self.field.shape
        if 0 <= i < ny and 0 <= j < nx:
            return float(self.field[self.index, i, j])
        return None

    def _show(self, relayout: bool) -> None:
        frame = self.field[self.index]
        self.image.setImage(frame, autoLevels=False, levels=self.levels)
        if relayout:
            _, dy, dx = self.cell
            _, ny, nx = self.field.shape
            self.image.setRect(QtCore.QRectF(0.0, 0.0, nx * dx, ny * dy))
        self.set_visible(True)
        self.sliceChanged.emit(self.index, self.height())
