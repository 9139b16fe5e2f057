"""Graphics items of the hall canvas: equipment boxes, pipes, junctions and marks.

Everything is drawn in metres in the view's coordinates (x east, y north);
labels are scaled to metres too, so they shrink with the equipment when the
view zooms out instead of piling up over it.
"""

from __future__ import annotations

import functools
import math

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from gui.theme import EQUIPMENT_COLOURS, STATE_COLOURS
from twin.model.base import Box
from twin.validation.geometry import front_zone

#: Stacking order, bottom to top.
Z_FLOOR, Z_HEATMAP, Z_PIPE, Z_EQUIPMENT, Z_JUNCTION, Z_MARK = -20, -10, 5, 10, 15, 20
#: Radius of a junction's dot and half-size of valve and leak marks (m).
JUNCTION_RADIUS, MARK_SIZE = 0.07, 0.16

_NO_PEN = QtGui.QPen(QtCore.Qt.PenStyle.NoPen)


def cosmetic_pen(colour: str, width: float = 1.0) -> QtGui.QPen:
    """A pen whose width is in screen pixels whatever the zoom."""
    pen = pg.mkPen(colour, width=width)
    pen.setCosmetic(True)
    return pen


@functools.cache
def shared_pen(colour: str, width: float = 1.0) -> QtGui.QPen:
    """One cosmetic pen per (colour, width), made once: a live run recolours hundreds of
    items many times a second, and building a pen each time costs the main thread."""
    return cosmetic_pen(colour, width)


@functools.cache
def shared_brush(colour: str) -> QtGui.QBrush:
    """One brush per colour, made once (see :func:`shared_pen`)."""
    return pg.mkBrush(colour)


class Label(QtWidgets.QGraphicsSimpleTextItem):
    """Text of a given height in metres, centred on a point, upright in a y-up view.

    ``vertical`` turns it a quarter turn to run along a tall, narrow box.
    """

    def __init__(self, text: str, centre: tuple[float, float], height: float, max_width: float,
                 colour: str, parent: QtWidgets.QGraphicsItem | None = None,
                 vertical: bool = False) -> None:
        super().__init__(text, parent)
        font = self.font()
        font.setPixelSize(40)
        font.setBold(True)
        self.setFont(font)
        self.setBrush(pg.mkBrush(colour))
        rect = self.boundingRect()
        scale = min(height / rect.height(), max_width / max(rect.width(), 1e-9))
        w, h = rect.width() * scale, rect.height() * scale
        # Flip y (the view's y axis points up, text's down), then turn if vertical.
        transform = QtGui.QTransform.fromScale(scale, -scale)
        if vertical:
            transform = transform * QtGui.QTransform().rotate(90)
            self.setTransform(transform)
            self.setPos(centre[0] - h / 2, centre[1] - w / 2)
        else:
            self.setTransform(transform)
            self.setPos(centre[0] - w / 2, centre[1] + h / 2)


class EquipmentItem(QtWidgets.QGraphicsRectItem):
    """A rack, CDU or air unit: its footprint, its front marked as a light strip, its id.

    Parameters
    ----------
    box : twin.model.base.Box
        The component (SI: metres).
    kind : {"rack", "cdu", "air_unit"}
        Sets the fill; racks are filled by their state (see :meth:`set_state`).
    """

    def __init__(self, box: Box, kind: str) -> None:
        x0, y0, x1, y1 = box.footprint
        super().__init__(QtCore.QRectF(x0, y0, x1 - x0, y1 - y0))
        self.component_id, self.kind = box.id, kind
        self.state = "ok"
        self.fill: str | None = None
        self.setZValue(Z_EQUIPMENT)
        fx0, fy0, fx1, fy1 = front_zone(box, box.facing, depth=min(0.1, 0.15 * min(box.extent)))
        # The strip lies just inside the front edge, so it is part of the footprint.
        nx, ny = box.facing.normal
        strip = QtCore.QRectF(fx0 - nx * (fx1 - fx0), fy0 - ny * (fy1 - fy0),
                              fx1 - fx0, fy1 - fy0)
        self.front = QtWidgets.QGraphicsRectItem(strip, self)
        self.front.setPen(_NO_PEN)
        self.front.setBrush(pg.mkBrush(EQUIPMENT_COLOURS["inlet"]))
        width, depth = x1 - x0, y1 - y0
        centre = box.centre
        vertical = False
        if kind in ("rack", "cdu"):
            # Hose junctions sit at the centre: put the id between them and the front.
            shift = 0.3 * (depth if nx == 0 else width)
            centre = (centre[0] + nx * shift, centre[1] + ny * shift)
        else:
            vertical = depth > 1.8 * width  # a long unit along y: run the text along it
        across, along = (depth, width) if vertical else (width, depth)
        self.label = Label(box.id, centre, min(0.24, 0.3 * along), 0.9 * across,
                           "#ffffff", self, vertical)
        self.set_selected(False)
        self.set_state("ok")

    def set_state(self, state: str) -> None:
        """Colour a rack by its state: ``ok``, ``alarm``, ``throttled`` or ``tripped``."""
        if state not in STATE_COLOURS:
            raise ValueError(f"unknown state '{state}'; allowed: {', '.join(STATE_COLOURS)}")
        self.state = state
        self.set_fill(self.fill)

    def set_fill(self, colour: str | None) -> None:
        """Fill with ``colour`` whatever the state (a sweep's outcome), or None: as usual."""
        self.fill = colour
        usual = STATE_COLOURS[self.state] if self.kind == "rack" else EQUIPMENT_COLOURS[self.kind]
        self.setBrush(shared_brush(colour or usual))
        # White ids read on the usual fills; an outcome's light yellow or grey needs dark.
        light = QtGui.QColor(colour or usual).lightnessF() > 0.6
        self.label.setBrush(shared_brush("#202020" if light else "#ffffff"))

    def set_selected(self, selected: bool) -> None:
        """Outline the item in the selection colour (or thin and dark)."""
        self.setPen(shared_pen(EQUIPMENT_COLOURS["selected"], 3) if selected
                    else shared_pen("#1a1a1a", 1))


class JunctionItem(QtWidgets.QGraphicsEllipseItem):
    """A piping node: a small dot."""

    def __init__(self, junction_id: str, x: float, y: float) -> None:
        r = JUNCTION_RADIUS
        super().__init__(QtCore.QRectF(x - r, y - r, 2 * r, 2 * r))
        self.component_id, self.kind = junction_id, "junction"
        self.setZValue(Z_JUNCTION)
        self.setBrush(shared_brush(EQUIPMENT_COLOURS["junction"]))
        self.set_selected(False)

    def set_selected(self, selected: bool) -> None:
        """Ring the dot when selected (or when it is a pipe's pending first end)."""
        self.setPen(shared_pen(EQUIPMENT_COLOURS["selected"], 3) if selected
                    else shared_pen("#f0f0f0", 1))


class PipeItem(QtWidgets.QGraphicsLineItem):
    """A pipe on the floor plan, its width growing gently with its bore."""

    def __init__(self, pipe_id: str, a: tuple[float, float], b: tuple[float, float],
                 diameter: float, colour: str) -> None:
        super().__init__(QtCore.QLineF(*a, *b))
        self.component_id, self.kind = pipe_id, "pipe"
        self.width = 1.5 + 2.0 * min(diameter / 0.3, 1.0)
        self.colour = colour
        self.setZValue(Z_PIPE)
        self.set_selected(False)

    def set_colour(self, colour: str) -> None:
        """Recolour (by loop, or by a value such as flow or temperature)."""
        if colour != self.colour:
            self.colour = colour
            self.set_selected(self._selected)

    def set_selected(self, selected: bool) -> None:
        """Draw selected pipes in the selection colour, thicker."""
        self._selected = selected
        self.setPen(shared_pen(EQUIPMENT_COLOURS["selected"], self.width + 2) if selected
                    else shared_pen(self.colour, self.width))


def _polygon(points: list[tuple[float, float]]) -> QtGui.QPolygonF:
    return QtGui.QPolygonF([QtCore.QPointF(x, y) for x, y in points])


class ValveItem(QtWidgets.QGraphicsPolygonItem):
    """A valve as a bow tie across its link; closed valves are red and crossed out."""

    def __init__(self, valve_id: str, a: tuple[float, float], b: tuple[float, float],
                 is_open: bool) -> None:
        s = MARK_SIZE
        super().__init__(_polygon([(-s, -s), (s, s), (s, -s), (-s, s)]))
        self.component_id, self.kind, self.is_open = valve_id, "valve", is_open
        self.setPos((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        self.setRotation(math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])) + 45)
        self.setZValue(Z_MARK)
        self.usual = EQUIPMENT_COLOURS["valve" if is_open else "closed_valve"]
        self.set_fill(None)
        if not is_open:
            bar = QtWidgets.QGraphicsLineItem(QtCore.QLineF(-1.4 * s, 0, 1.4 * s, 0), self)
            bar.setPen(cosmetic_pen(self.usual, 3))
        self.set_selected(False)

    def set_fill(self, colour: str | None) -> None:
        """Fill with ``colour`` (a sweep's outcome), or None: grey open, red closed."""
        self.setBrush(shared_brush(colour or self.usual))

    def set_selected(self, selected: bool) -> None:
        """Outline in the selection colour when selected."""
        self.setPen(shared_pen(EQUIPMENT_COLOURS["selected"], 3) if selected
                    else shared_pen("#202020", 1))


class LeakItem(QtWidgets.QGraphicsPolygonItem):
    """A place a leak can start: a cyan drop-like diamond at its junction or pipe middle."""

    def __init__(self, leak_id: str, x: float, y: float) -> None:
        s = MARK_SIZE
        super().__init__(_polygon([(0, 1.6 * s), (s, 0), (0, -s), (-s, 0)]))
        self.component_id, self.kind = leak_id, "leak"
        self.setPos(x + s, y + s)
        self.setZValue(Z_MARK)
        self.set_fill(None)
        self.set_selected(False)

    def set_fill(self, colour: str | None) -> None:
        """Fill with ``colour`` (a sweep's outcome), or None: cyan."""
        self.setBrush(shared_brush(colour or EQUIPMENT_COLOURS["leak"]))

    def set_selected(self, selected: bool) -> None:
        """Outline in the selection colour when selected."""
        self.setPen(shared_pen(EQUIPMENT_COLOURS["selected"], 3) if selected
                    else shared_pen("#004a57", 1))


def floor_item(width: float, depth: float, fill: str, outline: str) -> QtWidgets.QGraphicsRectItem:
    """The hall's floor: a filled rectangle with a firm outline (m)."""
    item = QtWidgets.QGraphicsRectItem(QtCore.QRectF(0, 0, width, depth))
    item.setPen(cosmetic_pen(outline, 2))
    item.setBrush(pg.mkBrush(fill))
    item.setZValue(Z_FLOOR)
    return item
