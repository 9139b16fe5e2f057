"""The hall canvas: one pan-and-zoom view of the floor plan, the heatmap and the equipment.

The canvas draws the document's layout and redraws whenever the document
says it changed.  Mouse gestures are turned into requests to the
:class:`gui.editor.Editor` (place, link, move), which makes the undoable
edits; the canvas itself never changes the layout.

Mouse: left click selects (Ctrl adds or removes), left drag on equipment or a
junction moves the selection (snapped, one undo entry), left drag on empty
floor draws a rubber band; right or middle drag pans, the wheel zooms.
With a placing tool, a click places; with the pipe or valve tool, click one
junction then another (a click on empty floor makes a junction there).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from gui.canvas import hit
from gui.canvas.heatmap import HeatmapLayer
from gui.canvas.items import (
    EquipmentItem,
    JunctionItem,
    LeakItem,
    PipeItem,
    ValveItem,
    cosmetic_pen,
    floor_item,
)
from gui.edits import own_hoses
from gui.theme import LOOP_COLOURS, canvas_colours, loop_colours, value_colours
from twin.model.layout import Layout

if TYPE_CHECKING:
    from gui.document import HallDocument
    from gui.editor import Editor
    from gui.readout import LiveReadout

#: Pick tolerance in screen pixels.
PICK_PIXELS = 7


class HallViewBox(pg.ViewBox):
    """A view box whose left button edits and whose other buttons pan."""

    def __init__(self, canvas: HallCanvas) -> None:
        super().__init__(lockAspect=True, enableMenu=False)
        self.canvas = canvas
        self._band: QtWidgets.QGraphicsRectItem | None = None

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph's API
        """Left click: the canvas's tool acts; right click: drop a half-drawn pipe."""
        point = self.mapSceneToView(ev.scenePos())
        if ev.button() == QtCore.Qt.MouseButton.LeftButton:
            ev.accept()
            control = bool(ev.modifiers() & QtCore.Qt.KeyboardModifier.ControlModifier)
            self.canvas.click(point.x(), point.y(), toggle=control)
        elif ev.button() == QtCore.Qt.MouseButton.RightButton:
            ev.accept()
            self.canvas.cancel()

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802 - pyqtgraph's API
        """Left drag: move what was grabbed, or a rubber band; other buttons: pan."""
        if ev.button() != QtCore.Qt.MouseButton.LeftButton:
            ev.accept()
            # Pan with the right or middle button.
            delta = self.mapToView(ev.pos()) - self.mapToView(ev.lastPos())
            self.translateBy(x=-delta.x(), y=-delta.y())
            return
        ev.accept()
        start = self.mapSceneToView(ev.buttonDownScenePos())
        now = self.mapSceneToView(ev.scenePos())
        if ev.isStart():
            self.canvas.drag_start(start.x(), start.y())
        if self.canvas.dragging:
            self.canvas.drag_to(now.x() - start.x(), now.y() - start.y(), ev.isFinish())
            return
        self._rubber_band(start, now, ev)

    def _rubber_band(self, start: QtCore.QPointF, now: QtCore.QPointF, ev) -> None:
        rect = QtCore.QRectF(start, now).normalized()
        if self._band is None:
            self._band = QtWidgets.QGraphicsRectItem()
            self._band.setPen(cosmetic_pen("#ffb000", 1.5))
            self._band.setBrush(pg.mkBrush(255, 176, 0, 40))
            self._band.setZValue(100)
            self.addItem(self._band, ignoreBounds=True)
        self._band.setRect(rect)
        if ev.isFinish():
            self.removeItem(self._band)
            self._band = None
            control = bool(ev.modifiers() & QtCore.Qt.KeyboardModifier.ControlModifier)
            self.canvas.band_select(rect, add=control)


class HallCanvas(pg.PlotWidget):
    """The floor plan of the open hall, with the heatmap under it and a hover readout.

    Parameters
    ----------
    document : HallDocument
        The hall to draw; the canvas redraws on its ``layoutChanged`` and
        ``selectionChanged``.

    Signals
    -------
    hovered(str)
        What is under the cursor: position, air temperature, component numbers.
    """

    hovered = QtCore.Signal(str)

    def __init__(self, document: HallDocument, parent: QtWidgets.QWidget | None = None) -> None:
        self.view_box = HallViewBox(self)
        super().__init__(parent, viewBox=self.view_box)
        self.document = document
        self.editor: Editor | None = None
        self.tool = "select"
        self.snap = 0.1
        self.dark = False
        self.items: dict[str, QtWidgets.QGraphicsItem] = {}
        self._floor: QtWidgets.QGraphicsItem | None = None
        self._layer: QtWidgets.QGraphicsItem | None = None
        self.pending: str | None = None
        self.dragging: list[str] = []
        self.last_point: tuple[float, float] | None = None
        self._drag_offset = (0.0, 0.0)
        self._anchor = (0.0, 0.0)
        self._pipe_values: tuple[dict[str, float], tuple[float, float]] | None = None
        self._loop_colour: dict[str, str] = {}
        self._fills: tuple[dict[str, str], str] | None = None
        self._hover_point: tuple[float, float] | None = None
        #: Live numbers of a run for the hover readout (set by the run session).
        self.readout: LiveReadout | None = None
        self.setAspectLocked(True)
        self.setLabel("bottom", "x", units="m")
        self.setLabel("left", "y", units="m")
        self.showGrid(x=True, y=True, alpha=0.12)
        for axis in ("left", "bottom"):
            # The axes draw the grid over the whole view: painted once into a pixmap until the
            # view moves, not again under every heatmap frame (their text costs ms each).
            self.getAxis(axis).setCacheMode(
                QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.heatmap = HeatmapLayer(self.getPlotItem())
        self.scene().sigMouseMoved.connect(self._hover)
        document.layoutChanged.connect(self.redraw)
        document.selectionChanged.connect(self._show_selection)
        self.redraw(document.layout)

    # -- drawing ---------------------------------------------------------------------------
    def set_dark(self, dark: bool) -> None:
        """Use the canvas colours of the dark (or light) theme."""
        self.dark = dark
        self.redraw(self.document.layout)

    def redraw(self, layout: Layout) -> None:
        """Draw ``layout`` from scratch, keeping the view and the heatmap."""
        first = self._floor is None
        for item in (self._floor, self._layer):
            if item is not None:
                self.view_box.removeItem(item)
        # One parent for all equipment: adding it to the view box once is far cheaper than
        # adding hundreds of items one by one, and removing it drops them all.
        self._layer = QtWidgets.QGraphicsRectItem()
        self._layer.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)
        self.items = {}
        colours = canvas_colours(self.dark)
        self.setBackground(colours["background"])
        for axis in ("left", "bottom"):
            self.getAxis(axis).setTextPen(colours["text"])
            self.getAxis(axis).setPen(colours["outline"])
        self._floor = floor_item(layout.hall.width, layout.hall.depth, colours["floor"],
                                 colours["outline"])
        self.view_box.addItem(self._floor)
        self.view_box.addItem(self._layer)
        self._loop_colour = node_colour = loop_colours(layout)
        nodes = layout.nodes
        for pipe in layout.pipes:
            a, b = nodes.get(pipe.from_), nodes.get(pipe.to)
            if a and b:
                self._add(PipeItem(pipe.id, (a.x, a.y), (b.x, b.y), pipe.diameter,
                                   node_colour[a.id]))
        for kind, boxes in (("rack", layout.racks), ("cdu", layout.cdus),
                            ("air_unit", layout.air_units)):
            for box in boxes:
                self._add(EquipmentItem(box, kind))
        for junction in layout.junctions:
            self._add(JunctionItem(junction.id, junction.x, junction.y))
        for valve in layout.valves:
            a, b = nodes.get(valve.from_), nodes.get(valve.to)
            if a and b:
                self._add(ValveItem(valve.id, (a.x, a.y), (b.x, b.y), valve.open))
        for leak in layout.leaks:
            at = hit.leak_point(layout, leak)
            if at:
                self._add(LeakItem(leak.id, *at))
        if self.pending not in nodes:
            self.pending = None
        if self._pipe_values:
            self.set_pipe_values(*self._pipe_values)
        if self._fills:
            self.set_fills(*self._fills)
        self._show_selection(self.document.selection)
        if first:
            self.fit()

    def _add(self, item: QtWidgets.QGraphicsItem) -> None:
        self.items[item.component_id] = item
        item.setParentItem(self._layer)

    def fit(self) -> None:
        """Zoom to the whole hall with a small margin."""
        hall = self.document.layout.hall
        self.view_box.setRange(QtCore.QRectF(0, 0, hall.width, hall.depth), padding=0.04)

    def _show_selection(self, selection: frozenset[str]) -> None:
        for cid, item in self.items.items():
            item.set_selected(cid in selection or cid == self.pending)

    def set_rack_states(self, states: dict[str, str]) -> None:
        """Colour racks by state (``ok``, ``alarm``, ``throttled``, ``tripped``), by rack id."""
        for cid, state in states.items():
            item = self.items.get(cid)
            # Only the racks whose state changed: a live run sends every rack 30 times a second.
            if isinstance(item, EquipmentItem) and item.state != state:
                item.set_state(state)

    def set_pipe_values(self, values: dict[str, float], levels: tuple[float, float]) -> None:
        """Colour pipes by a value (flow or temperature) on a fixed range; others keep their loop
        colour.  Pass an empty dict to go back to colouring by loop."""
        self._pipe_values = (values, levels) if values else None
        low, high = levels
        pipes = [p for p in self.document.layout.pipes if p.id in self.items]
        shown = [p.id for p in pipes if p.id in values]
        # All values through the colour table at once; an item whose colour is unchanged
        # is left alone (PipeItem.set_colour), so a frame costs only the pipes that moved.
        steps = np.clip((np.array([values[p] for p in shown], dtype=float) - low)
                        / max(high - low, 1e-12), 0.0, 1.0) * (len(value_colours()) - 1)
        colour = dict(zip(shown, (value_colours()[int(k)] for k in np.rint(steps)), strict=True))
        for pipe in pipes:
            self.items[pipe.id].set_colour(colour.get(pipe.id) or self._loop_colour.get(
                pipe.from_, LOOP_COLOURS[0]))

    def set_fills(self, fills: dict[str, str] | None, neutral: str = "") -> None:
        """Fill equipment, valves and leak points by id (a sweep's worst outcome), the
        others with ``neutral``; None goes back to the usual fills."""
        self._fills = (fills, neutral) if fills is not None else None
        for cid, item in self.items.items():
            if hasattr(item, "set_fill"):
                item.set_fill(None if fills is None else fills.get(cid, neutral) or None)

    def set_air_field(self, field: np.ndarray, cell: float | tuple[float, float, float]) -> None:
        """Show an air-temperature field (degC, shape (nz, ny, nx), cell size in m)."""
        self.heatmap.set_field(field, cell)

    # -- gestures --------------------------------------------------------------------------
    def tolerance(self) -> float:
        """The pick distance (m) at the current zoom."""
        sx, sy = self.view_box.viewPixelSize()
        return PICK_PIXELS * max(sx, sy, 1e-6)

    def set_tool(self, tool: str) -> None:
        """Switch the left button's job: ``select`` or a kind to place or link."""
        self.tool = tool
        self.cancel()

    def cancel(self) -> None:
        """Forget a half-drawn pipe."""
        if self.pending is not None:
            self.pending = None
            self._show_selection(self.document.selection)

    def click(self, x: float, y: float, toggle: bool = False) -> None:
        """A left click at (x, y) m with the current tool."""
        self.last_point = (x, y)
        layout = self.document.layout
        under = hit.component_at(layout, x, y, self.tolerance())
        if self.tool == "select" or self.editor is None:
            selection = set(self.document.selection)
            if toggle and under:
                selection ^= {under}
            elif not toggle:
                selection = {under} if under else set()
            self.document.select(selection)
        elif self.tool in ("pipe", "valve"):
            node = under if under in layout.nodes else None
            if node is None:
                node = (self.editor.place("junction", x, y) or [None])[0]
            if node and self.pending and node != self.pending:
                self.editor.link(self.tool, self.pending, node)
            self.pending = node
            self._show_selection(self.document.selection)
        elif self.tool == "leak":
            if under in layout.nodes or under in {p.id for p in layout.pipes}:
                self.editor.leak(under)
            else:
                self.editor.refuse("A leak point goes on a junction or a pipe: click one.")
        else:
            self.editor.place(self.tool, x, y)

    def drag_start(self, x: float, y: float) -> None:
        """Begin moving the selection if the press was on something movable."""
        layout = self.document.layout
        under = hit.component_at(layout, x, y, self.tolerance())
        located = layout.find(under) if under else None
        if self.tool != "select" or located is None or located.kind not in hit.MOVABLE:
            self.dragging = []
            return
        if under not in self.document.selection:
            self.document.select({under})
        movable = [c for c in self.document.selection
                   if (loc := layout.find(c)) is not None and loc.kind in hit.MOVABLE]
        # The grabbed component snaps to the grid; the rest keep their offsets to it.
        anchor = located.component
        self._anchor = (anchor.x, anchor.y)
        self.dragging = sorted(set(movable) | own_hoses(layout, movable))
        self._drag_offset = (0.0, 0.0)

    def snapped_offset(self, dx: float, dy: float) -> tuple[float, float]:
        """The drag offset (m) that puts the grabbed component on the snap grid."""
        ax, ay = self._anchor
        step = self.snap or 0.0
        if not step:
            return dx, dy
        return (round((ax + dx) / step) * step - ax, round((ay + dy) / step) * step - ay)

    def drag_to(self, dx: float, dy: float, finish: bool) -> None:
        """Show the dragged items offset by (dx, dy) m; on release, make the move one edit."""
        ox, oy = self.snapped_offset(dx, dy)
        self._drag_offset = (ox, oy)
        for cid in self.dragging:
            item = self.items.get(cid)
            if item is not None:
                item.setPos(QtCore.QPointF(ox, oy))
        if finish:
            ids = [c for c in self.dragging if c in self.document.selection]
            self.dragging = []
            if (ox, oy) != (0.0, 0.0) and self.editor is not None:
                if not self.editor.move(ids, ox, oy):
                    self.redraw(self.document.layout)
            else:
                self.redraw(self.document.layout)

    def band_select(self, rect: QtCore.QRectF, add: bool = False) -> None:
        """Select what lies inside ``rect`` (m), or add it to the selection."""
        found = hit.components_in_rect(self.document.layout, rect.left(), rect.top(),
                                       rect.right(), rect.bottom())
        self.document.select(found | (set(self.document.selection) if add else set()))

    # -- hover -----------------------------------------------------------------------------
    def _hover(self, scene_pos: QtCore.QPointF) -> None:
        if not self.view_box.sceneBoundingRect().contains(scene_pos):
            return
        point = self.view_box.mapSceneToView(scene_pos)
        self.last_point = self._hover_point = (point.x(), point.y())
        self.hovered.emit(self.hover_text(point.x(), point.y()))

    def refresh_hover(self) -> None:
        """Say again what is under a resting mouse: the run's time moved, so its numbers did."""
        if self._hover_point is not None and self.underMouse():
            self.hovered.emit(self.hover_text(*self._hover_point))

    def hover_text(self, x: float, y: float) -> str:
        """What the hover readout says at (x, y) m."""
        parts = [f"x {x:.2f} m, y {y:.2f} m"]
        value = self.heatmap.value_at(x, y)
        if value is not None:
            parts.append(f"air {value:.1f} °C at z {self.heatmap.height():.2f} m")
        layout = self.document.layout
        under = hit.component_at(layout, x, y, self.tolerance())
        # A hose junction sits on its rack: name the rack too.
        for cid in dict.fromkeys(c for c in (under, hit.box_at(layout, x, y)) if c):
            live = self.readout.describe(layout, cid) if self.readout is not None else None
            parts.append(live or hit.describe(layout, cid))
        return "  ·  ".join(parts)

    def export_png(self, path: str) -> bool:
        """Save the canvas as it is on screen to a PNG file."""
        return self.grab().save(path, "PNG")
