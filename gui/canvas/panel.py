"""The canvas with its height slider (which slice of the air the heatmap shows) and legend."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from gui.canvas.view import HallCanvas
from gui.document import HallDocument
from gui.theme import EQUIPMENT_COLOURS, OUTCOME_NEUTRAL, STATE_COLOURS


def swatch(colour: str, text: str, shape: str = "■") -> str:
    """A coloured mark and its text, for a legend in rich text."""
    return f'<span style="color:{colour}; font-size:14pt;">{shape}</span>&nbsp;{text}'


class CanvasPanel(QtWidgets.QWidget):
    """The hall canvas, a vertical slider for the heatmap's height, and a colour legend.

    Parameters
    ----------
    document : HallDocument
        The hall the canvas draws.
    """

    def __init__(self, document: HallDocument, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = HallCanvas(document)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Vertical)
        self.slider.setRange(0, 0)
        self.slider.setEnabled(False)  # until there is an air field to slice
        self.slider.setToolTip("Height of the air slice the heatmap shows")
        self.slider.valueChanged.connect(self.canvas.heatmap.set_height_index)
        self.height_label = QtWidgets.QLabel("air\nslice\n–")
        self.height_label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.canvas.heatmap.sliceChanged.connect(self._show_height)
        side = QtWidgets.QVBoxLayout()
        side.addWidget(self.height_label)
        side.addWidget(self.slider, 1, QtCore.Qt.AlignmentFlag.AlignHCenter)
        self._pipes, self._outcome = "pipes by loop", ""
        self.legend = QtWidgets.QLabel(self._legend_html(self._pipes))
        self.legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.canvas, 1)
        row.addLayout(side)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row, 1)
        layout.addWidget(self.legend)

    @staticmethod
    def _legend_html(pipes: str) -> str:
        states = " ".join(swatch(c, f"rack {s}") for s, c in STATE_COLOURS.items())
        others = " ".join([
            swatch(EQUIPMENT_COLOURS["cdu"], "CDU"),
            swatch(EQUIPMENT_COLOURS["air_unit"], "air unit"),
            swatch(EQUIPMENT_COLOURS["inlet"], "inlet / front side"),
            swatch(EQUIPMENT_COLOURS["closed_valve"], "closed valve", "⧓"),
            swatch(EQUIPMENT_COLOURS["leak"], "leak point", "◆"),
        ])
        return f"&nbsp;{states}&nbsp;&nbsp;│&nbsp;&nbsp;{others}&nbsp;&nbsp;│&nbsp; {pipes}"

    def set_pipe_values(self, values: dict[str, float], levels: tuple[float, float],
                        label: str) -> None:
        """Colour pipes by a value (``label`` names it with its unit, e.g. "flow (L/min)") on
        the fixed range ``levels``; an empty ``values`` goes back to colours by loop."""
        self.canvas.set_pipe_values(values, levels)
        self._pipes = (f"pipes by {label}: dark {levels[0]:g} → yellow {levels[1]:g}" if values
                       else "pipes by loop")
        self.legend.setText(self._outcome or self._legend_html(self._pipes))

    def show_outcome(self, fills: dict[str, str] | None, legend: str = "") -> None:
        """Fill components by a sweep's worst outcome (colour by id; the rest neutral grey)
        with ``legend`` (HTML) under the plan; None: back to the usual colours and legend."""
        self.canvas.set_fills(fills, OUTCOME_NEUTRAL)
        self._outcome = legend if fills is not None else ""
        self.legend.setText(self._outcome or self._legend_html(self._pipes))

    def set_air_field(self, field: np.ndarray, cell: float | tuple[float, float, float]) -> None:
        """Show an air-temperature field (degC, (nz, ny, nx), cell in m); the slider spans z."""
        if isinstance(field, np.ndarray) and field.ndim == 3 \
                and self.slider.maximum() != field.shape[0] - 1:
            self.slider.blockSignals(True)
            self.slider.setRange(0, field.shape[0] - 1)
            self.slider.setEnabled(True)
            self.slider.blockSignals(False)
        self.canvas.set_air_field(field, cell)
        if self.slider.value() != self.canvas.heatmap.index:
            self.slider.blockSignals(True)
            self.slider.setValue(self.canvas.heatmap.index)
            self.slider.blockSignals(False)

    def _show_height(self, index: int, height: float) -> None:
        self.height_label.setText(f"air\nslice\nz {height:.2f} m")
