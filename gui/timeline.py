"""The cascade timeline and the event list: how a failure spread, component by component.

One lane per component that changed state, coloured by its state over time
(the rack colours of the canvas for ok / alarm / throttled / tripped; grey
for closed or standing by; green for running again).  Each event is a dot;
an elbow arrow runs from the event that caused it (along the cause's lane,
then down or up to the effect), so the chain pump failed -> no pump ->
throttled -> tripped reads top to bottom.  Clicking a dot (or a row of the
event list) moves the run's cursor to that event and selects the component
on the canvas.
"""

from __future__ import annotations

import time as clock

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from gui.document import HallDocument
from gui.rundata import RunModel
from gui.theme import STATE_COLOURS, canvas_colours

#: Colours of event states that are not rack states.
OTHER_STATES = {"failed": "tripped", "low_level": "tripped", "degraded": "throttled",
                "saturated": "throttled"}
NEUTRAL = {"closed": "#8a8a8a", "standby": "#b0b0b0", "starting": "#b0b0b0"}
RUNNING = "#2a9d6f"


def state_colour(state: str) -> str:
    """The lane colour of a component in ``state``."""
    state = OTHER_STATES.get(state, state)
    if state in STATE_COLOURS:
        return STATE_COLOURS[state]
    return NEUTRAL.get(state, RUNNING)


def select_component(document: HallDocument, component: str) -> None:
    """Select ``component`` on the canvas; a pump selects its CDU."""
    owner = next((c.id for c in document.layout.cdus
                  if any(p.id == component for p in c.pumps)), component)
    document.select({owner})


class CascadeTimeline(pg.PlotWidget):
    """Lanes of component states against time with cause -> effect arrows.

    Parameters
    ----------
    model : RunModel
        The run whose events are drawn.
    document : HallDocument
        Where a clicked event's component is selected.
    """

    def __init__(self, model: RunModel, document: HallDocument,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.model, self.document = model, document
        self.lanes: list[str] = []
        self._drawn, self._drawn_at, self._stale = 0, 0.0, False
        self.getPlotItem().invertY(True)
        self.setMouseEnabled(x=True, y=False)
        self.setLabel("bottom", "time", units="s")
        self.showGrid(x=True, alpha=0.2)
        self.bars = pg.BarGraphItem(x0=[], width=[], y=[], height=0.6)
        self.links = pg.PlotCurveItem(connect="pairs", pen=pg.mkPen("#606060", width=1.2))
        self.heads = pg.ScatterPlotItem(pxMode=True, size=9, pen=None,
                                        brush=pg.mkBrush("#606060"))
        self.dots = pg.ScatterPlotItem(pxMode=True, size=10, pen=pg.mkPen("#202020"),
                                       hoverable=True, tip=self._tip)
        self.dots.sigClicked.connect(self._clicked)
        for item in (self.bars, self.links, self.heads, self.dots):
            self.addItem(item)
        self.cursor = pg.InfiniteLine(angle=90, pen=pg.mkPen("#ff2bd6", width=1.5))
        self.addItem(self.cursor, ignoreBounds=True)
        model.reset.connect(self.redraw)
        model.grew.connect(self._grew)
        model.cursorChanged.connect(self.cursor.setValue)

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's API
        """Wide and short: the window gives the bottom panels their height once shown."""
        return QtCore.QSize(900, 150)

    def set_dark(self, dark: bool) -> None:
        """Background and text colours of the dark (or light) theme."""
        colours = canvas_colours(dark)
        self.setBackground(colours["background"])
        for axis in ("left", "bottom"):
            self.getAxis(axis).setTextPen(colours["text"])

    def _grew(self) -> None:
        # New events redraw at once; lanes only lengthen with new rows, which can wait a
        # second (and for the panel to be shown).
        now = clock.perf_counter()
        if not self.isVisible():
            self._stale = True
        elif len(self.model.events) != self._drawn or now - self._drawn_at > 1.0:
            self.redraw()

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt's API
        """Catch up with what happened while hidden."""
        super().showEvent(event)
        if self._stale:
            self.redraw()

    def _tip(self, x: float, y: float, data: int) -> str:
        event = self.model.events[int(data)]
        return f"{event.time:.1f} s  {event.component}  {event.state}\n{event.message}"

    def redraw(self) -> None:
        """Draw the lanes, dots and arrows from the model's events."""
        events = list(self.model.events)
        end = max(self.model.end_time, max((e.time for e in events), default=0.0))
        self.lanes = list(dict.fromkeys(e.component for e in events))
        lane = {c: i for i, c in enumerate(self.lanes)}
        x0, width, y, brushes = [], [], [], []
        for component in self.lanes:
            mine = [e for e in events if e.component == component]
            starts = [0.0] + [e.time for e in mine]
            states = ["ok"] + [e.state for e in mine]
            for k, (start, state) in enumerate(zip(starts, states, strict=True)):
                stop = starts[k + 1] if k + 1 < len(starts) else end
                if stop > start:
                    x0.append(start)
                    width.append(stop - start)
                    y.append(lane[component])
                    colour = QtGui.QColor(state_colour(state))
                    if k == 0:
                        colour.setAlpha(70)  # before anything happened: faint
                    brushes.append(pg.mkBrush(colour))
        self.bars.setOpts(x0=x0, width=width, y=y, height=0.6, brushes=brushes,
                          pen=pg.mkPen(None))
        xs, ys, hx, hy, symbols = [], [], [], [], []
        for event in events:
            if event.cause < 0:
                continue
            cause = self.model.events[event.cause]
            a, b = lane[cause.component], lane[event.component]
            xs += [cause.time, event.time, event.time, event.time]
            ys += [a, a, a, b]
            if a == b:
                hx.append(event.time)
                hy.append(b)
                symbols.append("t2")
            else:
                hx.append(event.time)
                hy.append(b - 0.35 if b > a else b + 0.35)
                symbols.append("t" if b > a else "t1")
        self.links.setData(xs, ys)
        self.heads.setData(hx, hy, symbol=symbols)
        self.dots.setData([{"pos": (e.time, lane[e.component]), "data": i,
                            "brush": pg.mkBrush(state_colour(e.state))}
                           for i, e in enumerate(events)])
        self.getAxis("left").setTicks([[(i, c) for i, c in enumerate(self.lanes)]])
        if self.lanes:
            self.setYRange(-0.6, len(self.lanes) - 0.4, padding=0)
        self.setXRange(0, max(end, self.model.duration, 1.0), padding=0.01)
        self._drawn, self._drawn_at, self._stale = len(events), clock.perf_counter(), False

    def _clicked(self, _item, points, *_) -> None:
        if len(points):
            self.jump_to(int(points[0].data()))

    def jump_to(self, index: int) -> None:
        """Move the run's cursor to event ``index`` and select its component."""
        event = self.model.events[index]
        self.model.set_cursor(event.time)
        select_component(self.document, event.component)


class EventList(QtWidgets.QTreeWidget):
    """The run's events, one row each: time, component, new state, message."""

    def __init__(self, model: RunModel, timeline: CascadeTimeline,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.model, self.timeline = model, timeline
        self.setHeaderLabels(["time (s)", "component", "state", "message"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.itemClicked.connect(lambda item, _: timeline.jump_to(item.data(0, 256)))
        model.reset.connect(self.clear)
        model.grew.connect(self._grew)

    def _grew(self) -> None:
        for i in range(self.topLevelItemCount(), len(self.model.events)):
            event = self.model.events[i]
            item = QtWidgets.QTreeWidgetItem([f"{event.time:.1f}", event.component,
                                              event.state, event.message])
            item.setData(0, 256, i)
            item.setForeground(2, QtGui.QBrush(QtGui.QColor(state_colour(event.state))))
            self.addTopLevelItem(item)
        for column in range(3):
            self.resizeColumnToContents(column)

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's API
        """Short: the window gives the bottom panels their height once shown."""
        return QtCore.QSize(500, 150)
