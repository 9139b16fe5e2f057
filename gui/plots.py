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
#: Shortest time between two redraws of the plots (ms).
REDRAW_MS = 100


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
            plot.addLegend(offset=(-5, 5), labelTextSize="8pt", verSpacing=-6)
            plot.setMouseEnabled(x=True, y=False)
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
        self._dirty = False
        self._timer = QtCore.QTimer(self, interval=REDRAW_MS, timeout=self._redraw_if_due)
        self._timer.start()
        model.reset.connect(self._rebuild)
        model.grew.connect(self._mark)
        model.cursorChanged.connect(self.set_cursor)
        document.selectionChanged.connect(lambda _: self._rebuild())

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
        """Racks whose temperatures are drawn: the selected ones, else the first few."""
        racks = self.model.components.get("rack_chip_temperature", [])
        chosen = [r for r in racks if r in self.document.selection]
        return chosen or racks[:DEFAULT_RACKS]

    def cdus(self) -> list[str]:
        """CDUs whose temperatures and pumps are drawn: the selected ones, else the first few."""
        cdus = self.model.components.get("cdu_supply_temperature", [])
        chosen = [c for c in cdus if c in self.document.selection]
        return chosen or cdus[:DEFAULT_CDUS]

    def pumps(self) -> list[str]:
        """Pumps of the CDUs drawn."""
        shown = set(self.cdus())
        mine = {p.id for c in self.document.layout.cdus if c.id in shown for p in c.pumps}
        return [p for p in self.model.components.get("pump_flow", []) if p in mine]

    def _line(self, plot: str, key: str, name: str, colour: int, dashed: bool = False) -> None:
        style = QtCore.Qt.PenStyle.DashLine if dashed else QtCore.Qt.PenStyle.SolidLine
        pen = pg.mkPen(LINE_COLOURS[colour % len(LINE_COLOURS)], width=1.5, style=style)
        # Lines of hours of 1 s rows: let pyqtgraph thin them to the pixels.
        self.curves[(plot, key)] = self.plots[plot].plot(
            pen=pen, name=name if not dashed or plot == "power" else None,
            autoDownsample=True, clipToView=True)

    def _rebuild(self) -> None:
        for (plot, _), curve in self.curves.items():
            self.plots[plot].removeItem(curve)
        for plot in self.plots.values():
            if plot.legend is not None:
                plot.legend.clear()
        self.curves = {}
        for i, rack in enumerate(self.racks()):
            self._line("temperature", f"rack_chip_temperature:{rack}", rack, i)
            self._line("temperature", f"rack_inlet_temperature:{rack}", rack, i, dashed=True)
        for i, cdu in enumerate(self.cdus()):
            self._line("cdu", f"cdu_supply_temperature:{cdu}", cdu, i)
            self._line("cdu", f"cdu_return_temperature:{cdu}", cdu, i, dashed=True)
        for i, pump in enumerate(self.pumps()):
            self._line("flow", f"pump_flow:{pump}", pump, i)
        self._line("power", "it_power", "IT", 0)
        self._line("power", "cooling_power", "cooling", 1, dashed=True)
        self._line("pue", "pue", "PUE", 2)
        self._line("wue", "wue", "WUE", 0)
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
        self._dirty = True

    def _redraw_if_due(self) -> None:
        if self._dirty and self.isVisible():
            self.update_data()

    def update_data(self) -> None:
        """Redraw every curve from the model (called at most at the live frame rate)."""
        self._dirty = False
        times = self.model.times
        for (_, key), curve in self.curves.items():
            values = self.values(key)
            if len(values) == len(times):
                curve.setData(times, values, connect="finite")

    def set_cursor(self, time: float) -> None:
        """Put the cursor of every plot at ``time`` (s)."""
        for cursor in self.cursors:
            if cursor.value() != time:
                cursor.blockSignals(True)
                cursor.setValue(time)
                cursor.blockSignals(False)

    def _dragged(self, line: pg.InfiniteLine) -> None:
        self.model.set_cursor(line.value())
