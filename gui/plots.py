"""Time series of a run: temperatures, CDUs, flows, power, PUE and WUE, with a time cursor.

Six plots (two rows of three) share one time axis.  Rack and CDU lines are drawn for the
selected racks and CDUs (the first few when none is selected), so a 10 MW
hall does not draw 72 lines: each line costs the main thread at every
redraw.  The vertical cursor is the model's time: dragging it moves replay
there, and the cascade timeline's cursor moves with it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from gui.document import HallDocument
from gui.rundata import RunModel
from gui.theme import canvas_colours

#: Racks and CDUs drawn when none is selected.
DEFAULT_RACKS = DEFAULT_CDUS = 3
#: Line colours, cycled (distinct on light and dark backgrounds).
LINE_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
                "#17becf"]
LPM = 60_000.0  # m^3/s -> L/min
#: Time between two redraw ticks of the plots (ms), and how many plots a tick redraws:
#: each plot follows a live run every 300 ms.
REDRAW_MS, PLOTS_PER_TICK = 100, 2
#: Width of the value axes (px): fixed, so new tick labels never re-lay the panel out.
AXIS_WIDTH = 52


def _wue(model: RunModel) -> np.ndarray:
    """Water use per IT energy (L/kWh) at each row."""
    water, it = model.series("water_use"), model.series("it_power")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(it > 0, water * 1000.0 * 3600.0 / (it / 1000.0), np.nan)


class PlotsPanel(pg.GraphicsLayoutWidget):
    """The run's time series in six linked plots.

    Parameters
    ----------
    model : RunModel
        The run to show.
    document : HallDocument
        Whose rack selection picks the rack lines.
    """

    def __init__(self, model: RunModel, document: HallDocument,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.model, self.document = model, document
        self.plots: dict[str, pg.PlotItem] = {}
        self.cursors: list[pg.InfiniteLine] = []
        titles = {"temperature": ("Racks: chip (solid), inlet (dashed)", "°C"),
                  "cdu": ("CDU supply (solid), return (dashed)", "°C"),
                  "flow": ("Pump flow", "L/min"), "power": ("IT (solid), cooling (dashed)", "kW"),
                  "pue": ("PUE", ""), "wue": ("WUE", "L/kWh")}
        first = None
        for n, (key, (title, units)) in enumerate(titles.items()):
            plot = self.addPlot(row=n // 3, col=n % 3, title=title)
            if units:
                plot.setLabel("left", units=units)
                plot.getAxis("left").enableAutoSIPrefix(False)  # "kL/min" reads wrong
            plot.showGrid(x=True, y=True, alpha=0.2)
            for axis in ("left", "bottom"):
                # Painted once into a pixmap until its ticks change, not at every repaint.
                plot.getAxis(axis).setCacheMode(
                    QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
            plot.getAxis("left").setWidth(AXIS_WIDTH)
            plot.addLegend(offset=(-5, 5), labelTextSize="8pt", verSpacing=-6)
            plot.setMouseEnabled(x=True, y=False)
            plot.enableAutoRange(y=False)  # see _fit_y
            if first is None:
                first = plot
            else:
                plot.setXLink(first)
            cursor = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen("#ff2bd6", width=1.5))
            cursor.sigDragged.connect(self._dragged)
            plot.addItem(cursor, ignoreBounds=True)
            self.cursors.append(cursor)
            self.plots[key] = plot
        for plot in list(self.plots.values())[-3:]:
            plot.setLabel("bottom", "time", units="s")
        self.curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        # Redrawn from a timer, not on every delivery: six plots of tens of lines cost the
        # main thread ~15 ms a paint, and nothing is drawn while the panel is hidden.
        self._dirty: set[str] = set()
        self._order = list(self.plots)
        self._next = 0
        self._timer = QtCore.QTimer(self, interval=REDRAW_MS, timeout=self._redraw_if_due)
        self._timer.start()
        self._built: list[tuple[str, str, str, int, bool]] = []
        model.reset.connect(self._rebuild)
        model.grew.connect(self._mark)
        model.cursorChanged.connect(self.set_cursor)
        document.selectionChanged.connect(lambda _: self._rebuild())
        document.layoutChanged.connect(lambda _: self._rebuild())

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's API
        """Wide and short: the window gives the bottom panels their height once shown."""
        return QtCore.QSize(900, 150)

    def set_dark(self, dark: bool) -> None:
        """Background and text colours of the dark (or light) theme."""
        colours = canvas_colours(dark)
        self.setBackground(colours["background"])
        for plot in self.plots.values():
            plot.titleLabel.setAttr("color", colours["text"])
            plot.titleLabel.setText(plot.titleLabel.text)
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setTextPen(colours["text"])

    def racks(self) -> list[str]:
        """Racks whose temperatures are drawn: the selected ones, else the first few.

        Taken from the open layout, whose component order every run of it records, so
        the lines exist before a run starts (building them costs the main thread)."""
        racks = [r.id for r in self.document.layout.racks]
        chosen = [r for r in racks if r in self.document.selection]
        return chosen or racks[:DEFAULT_RACKS]

    def cdus(self) -> list[str]:
        """CDUs whose temperatures and pumps are drawn: the selected ones, else the first few."""
        cdus = [c.id for c in self.document.layout.cdus]
        chosen = [c for c in cdus if c in self.document.selection]
        return chosen or cdus[:DEFAULT_CDUS]

    def pumps(self) -> list[str]:
        """Pumps of the CDUs drawn."""
        shown = set(self.cdus())
        return [p.id for c in self.document.layout.cdus if c.id in shown for p in c.pumps]

    def _lines(self) -> list[tuple[str, str, str, int, bool]]:
        """The lines to draw: (plot, key, legend name, colour index, dashed)."""
        lines = []
        for i, rack in enumerate(self.racks()):
            lines += [("temperature", f"rack_chip_temperature:{rack}", rack, i, False),
                      ("temperature", f"rack_inlet_temperature:{rack}", rack, i, True)]
        for i, cdu in enumerate(self.cdus()):
            lines += [("cdu", f"cdu_supply_temperature:{cdu}", cdu, i, False),
                      ("cdu", f"cdu_return_temperature:{cdu}", cdu, i, True)]
        lines += [("flow", f"pump_flow:{pump}", pump, i, False)
                  for i, pump in enumerate(self.pumps())]
        return lines + [("power", "it_power", "IT", 0, False),
                        ("power", "cooling_power", "cooling", 1, True),
                        ("pue", "pue", "PUE", 2, False), ("wue", "wue", "WUE", 0, False)]

    def _line(self, plot: str, key: str, name: str, colour: int, dashed: bool = False) -> None:
        style = QtCore.Qt.PenStyle.DashLine if dashed else QtCore.Qt.PenStyle.SolidLine
        pen = pg.mkPen(LINE_COLOURS[colour % len(LINE_COLOURS)], width=1.5, style=style)
        # Lines of hours of 1 s rows: let pyqtgraph thin them to the pixels.
        self.curves[(plot, key)] = self.plots[plot].plot(
            pen=pen, name=name if not dashed or plot == "power" else None,
            autoDownsample=True, clipToView=True)

    def _rebuild(self) -> None:
        """Lines for the open hall and selection (made again only when those changed), on
        the run's time axis."""
        lines = self._lines()
        if lines != self._built:
            for (plot, _), curve in self.curves.items():
                self.plots[plot].removeItem(curve)
            for plot in self.plots.values():
                if plot.legend is not None:
                    plot.legend.clear()
            self.curves = {}
            for line in lines:
                self._line(*line)
            self._built = lines
            # Legends change only here: paint them once into a pixmap rather than calling
            # their Python paint methods at every redraw.
            cached = QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
            for plot in self.plots.values():
                plot.legend.setCacheMode(cached)
                for sample, _ in plot.legend.items:
                    sample.setCacheMode(cached)
        if self.model.duration:
            self.plots["temperature"].setXRange(0, self.model.duration, padding=0.01)
        self.update_data()

    def values(self, key: str) -> np.ndarray:
        """Values drawn for a curve key (``name`` or ``name:component``), in plot units."""
        if key == "wue":
            return _wue(self.model)
        name, _, component = key.partition(":")
        values = self.model.series(name, component or None)
        if name.endswith("_flow"):
            return values * LPM
        if name.endswith("_power"):
            return values / 1000.0
        return values

    def _mark(self) -> None:
        self._dirty.update(self.plots)

    def _redraw_if_due(self) -> None:
        # A few plots per tick, in turn: a paint then covers only those plots, so the window
        # is never held for a repaint of all six (tens of ms when the cores are busy).
        if self._dirty and self.isVisible():
            due = [key for key in (*self._order[self._next:], *self._order[:self._next])
                   if key in self._dirty][:PLOTS_PER_TICK]
            self._next = (self._order.index(due[-1]) + 1) % len(self._order)
            self._update(due)

    def update_data(self) -> None:
        """Redraw every curve of every plot from the model, and the cursors."""
        self._update(list(self.plots))

    def _update(self, plots: list[str]) -> None:
        self._dirty.difference_update(plots)
        times = self.model.times
        spans: dict[str, list[float]] = {}
        for (plot, key), curve in self.curves.items():
            if plot not in plots:
                continue
            values = self.values(key)
            if len(values) == len(times):
                curve.setData(times, values, connect="finite")
                finite = values[np.isfinite(values)]
                if finite.size:
                    span = spans.setdefault(plot, [np.inf, -np.inf])
                    span[0], span[1] = min(span[0], finite.min()), max(span[1], finite.max())
        for plot, (low, high) in spans.items():
            self._fit_y(self.plots[plot], low, high)
        self._place_cursor(self.model.cursor, plots)

    @staticmethod
    def _fit_y(plot: pg.PlotItem, low: float, high: float) -> None:
        """Show ``low``..``high`` on the y axis, changing the range only when the data leaves
        it or fills less than half of it: new tick labels re-lay the axis out and repaint the
        whole panel a second time, so a growing live run should rarely change them."""
        shown_low, shown_high = plot.vb.viewRange()[1]
        inside = shown_low <= low and high <= shown_high
        if inside and high - low >= 0.5 * (shown_high - shown_low):
            return
        margin = 0.15 * (high - low) or max(0.05 * abs(high), 0.5)
        plot.setYRange(low - margin, high + margin, padding=0)

    def set_cursor(self, time: float) -> None:
        """Put the cursor of every plot at ``time`` (s); while it follows a live run, with
        each plot's next redraw (a moved cursor repaints its plot)."""
        if self.model.follow and self.model.status == "running":
            self._dirty.update(self.plots)
        else:
            self._place_cursor(time, list(self.plots))

    def _place_cursor(self, time: float, plots: list[str]) -> None:
        for key, cursor in zip(self.plots, self.cursors, strict=True):
            if key in plots and cursor.value() != time:
                cursor.blockSignals(True)
                cursor.setValue(time)
                cursor.blockSignals(False)

    def _dragged(self, line: pg.InfiniteLine) -> None:
        self.model.set_cursor(line.value())
