"""A vertical section through the air: temperature against x and z along one line of y.

It shows hot air going over the racks and back to the cold aisle, which a
horizontal slice cannot.  The section's y is a dashed line on the hall canvas
that the user drags; the section draws the racks, CDUs and air units that
the line crosses as outlines, in the same fixed colour range as the canvas.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from gui.canvas.items import cosmetic_pen
from gui.canvas.view import HallCanvas
from gui.theme import HEATMAP_COLORMAP, canvas_colours, colormap
from twin.model.layout import Layout


class SectionView(pg.PlotWidget):
    """Air temperature in the x-z plane at the y of a draggable line on the canvas.

    Parameters
    ----------
    canvas : HallCanvas
        The hall canvas, whose heatmap holds the field and where the line goes.
    """

    def __init__(self, canvas: HallCanvas, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = canvas
        self.heatmap = canvas.heatmap
        # Not to scale: a hall is far wider than tall, and the section shares a short panel.
        self.setLabel("bottom", "x", units="m")
        self.setLabel("left", "z", units="m")
        self.setMouseEnabled(x=True, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(colormap(HEATMAP_COLORMAP).getLookupTable(nPts=256))
        self.addItem(self.image)
        self.outlines: list[QtWidgets.QGraphicsRectItem] = []
        self._stale, self._drawn_y = False, None
        self.outline_colour = "#202020"
        self.line = pg.InfiniteLine(angle=0, movable=True, label="section",
                                    labelOpts={"position": 0.92, "color": "#ffffff",
                                               "fill": (0, 0, 0, 140)},
                                    pen=pg.mkPen("#ffffff", width=2,
                                                 style=QtCore.Qt.PenStyle.DashLine))
        self.line.setZValue(50)
        self.line.setVisible(False)
        canvas.view_box.addItem(self.line, ignoreBounds=True)
        self.line.sigPositionChanged.connect(self.update_section)
        self.heatmap.fieldChanged.connect(self._field_arrived)
        canvas.document.layoutChanged.connect(lambda _: self._draw_outlines())

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's API
        """Short: it shares the bottom of the window with the problems panel."""
        return QtCore.QSize(600, 150)

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's API
        """Small enough not to push the canvas around."""
        return QtCore.QSize(200, 80)

    @property
    def y(self) -> float:
        """The y (m) the section cuts at."""
        return float(self.line.value())

    def set_y(self, y: float) -> None:
        """Move the section to ``y`` m (the line on the canvas moves with it)."""
        self.line.setValue(y)

    def set_dark(self, dark: bool) -> None:
        """Use the background and text colours of the dark (or light) theme."""
        colours = canvas_colours(dark)
        self.setBackground(colours["background"])
        for axis in ("left", "bottom"):
            self.getAxis(axis).setTextPen(colours["text"])
            self.getAxis(axis).setPen(colours["outline"])
        self.plotItem.titleLabel.setAttr("color", colours["text"])
        self.outline_colour = colours["text"]
        self._draw_outlines()

    def _field_arrived(self) -> None:
        if not self.line.isVisible():
            # First field: start in the middle of the hall, where the racks usually are.
            _, dy, _ = self.heatmap.cell
            self.line.setValue(self.heatmap.field.shape[1] * dy / 2)
            self.line.setVisible(True)
        # Behind another tab, a live run's frames would be drawn for nobody: catch up on show.
        if self.isVisible():
            self.update_section()
        else:
            self._stale = True

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt's API
        """Show the latest field if frames came while hidden."""
        super().showEvent(event)
        if self._stale:
            self.update_section()

    def update_section(self) -> None:
        """Show the field's x-z plane at the line's y, on the canvas's fixed levels."""
        field = self.heatmap.field
        self._stale = False
        if field is None:
            return
        dz, dy, dx = self.heatmap.cell
        nz, ny, nx = field.shape
        j = int(np.clip(np.floor(self.y / dy), 0, ny - 1))
        relayout = self.image.image is None or self.image.image.shape != (nz, nx)
        self.image.setImage(field[:, j, :], autoLevels=False, levels=self.heatmap.levels)
        if relayout:
            rect = QtCore.QRectF(0.0, 0.0, nx * dx, nz * dz)
            self.image.setRect(rect)
            self.getViewBox().setRange(rect, padding=0.0)
        if self.y != self._drawn_y:  # title and outlines change with the line, not the frame
            self._drawn_y = self.y
            self.setTitle(f"Vertical section at y = {self.y:.2f} m (drag the dashed line on "
                          "the hall to move it)")
            self._draw_outlines()

    def _draw_outlines(self) -> None:
        for item in self.outlines:
            self.removeItem(item)
        self.outlines = []
        if self.heatmap.field is None:
            return
        for x0, x1, height in crossed_boxes(self.canvas.document.layout, self.y):
            item = QtWidgets.QGraphicsRectItem(QtCore.QRectF(x0, 0.0, x1 - x0, height))
            item.setPen(cosmetic_pen(self.outline_colour, 1.5))
            self.addItem(item)
            self.outlines.append(item)


def crossed_boxes(layout: Layout, y: float) -> list[tuple[float, float, float]]:
    """(x0, x1, height) in m of each rack, CDU and air unit whose footprint the line y crosses."""
    found = []
    for box in (*layout.racks, *layout.cdus, *layout.air_units):
        x0, y0, x1, y1 = box.footprint
        if y0 <= y <= y1:
            found.append((x0, x1, box.height))
    return found
