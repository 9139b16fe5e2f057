"""The hall canvas: the floor plan with racks, CDUs, air units and piping."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from twin.model.base import Box
from twin.model.layout import Layout
from twin.validation.geometry import front_zone

#: Fill colours by kind of equipment.
COLOURS = {"rack": "#4c72b0", "cdu": "#55a868", "air_unit": "#8172b2"}


class FloorPlan(pg.PlotWidget):
    """A pan-and-zoom view of one hall in metres (equal aspect, y up)."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAspectLocked(True)
        self.showGrid(x=True, y=True, alpha=0.15)
        self.setLabel("bottom", "x", units="m")
        self.setLabel("left", "y", units="m")

    def show_layout(self, layout: Layout) -> None:
        """Draw ``layout`` from scratch."""
        self.clear()
        hall = layout.hall
        self._rect(0, 0, hall.width, hall.depth, pen="#888888", brush=None)
        nodes = layout.nodes
        for link in (*layout.pipes, *layout.valves):
            a, b = nodes.get(link.from_), nodes.get(link.to)
            if a and b:
                self.plot([a.x, b.x], [a.y, b.y], pen=pg.mkPen("#c44e52", width=1.5))
        for kind, boxes in (("rack", layout.racks), ("cdu", layout.cdus),
                            ("air_unit", layout.air_units)):
            for box in boxes:
                self._box(box, COLOURS[kind])
        self.autoRange()

    def _box(self, box: Box, colour: str) -> None:
        x0, y0, x1, y1 = box.footprint
        self._rect(x0, y0, x1 - x0, y1 - y0, pen="#222222", brush=colour)
        # The front (a rack's inlet) as a light strip, so orientation reads at a glance.
        fx0, fy0, fx1, fy1 = front_zone(box, box.facing, depth=0.08)
        self._rect(fx0, fy0, fx1 - fx0, fy1 - fy0, pen=None, brush="#9ecae1")
        label = pg.TextItem(box.id, color="#ffffff", anchor=(0.5, 0.5))
        label.setPos(*box.centre)
        self.addItem(label)

    def _rect(self, x: float, y: float, w: float, h: float, pen, brush) -> None:
        item = QtWidgets.QGraphicsRectItem(QtCore.QRectF(x, y, w, h))
        item.setPen(pg.mkPen(pen) if pen else QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
        item.setBrush(pg.mkBrush(brush) if brush else QtGui.QBrush())
        self.addItem(item)
