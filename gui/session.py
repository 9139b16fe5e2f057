"""The run side of the main window: live runs, replay, plots, timeline, and the canvas following.

:class:`RunSession` owns one :class:`gui.rundata.RunModel` that either a live
run or a replayed file fills, and the panels that show it.  Whenever the
model's cursor moves (each live delivery, each scrub or replay tick) the
canvas is recoloured for that time: rack states, pipes by flow, and the air
frame (live: the latest field the worker sent; replay: the recorded frame
nearest the cursor).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6 import QtCore

from gui.live import LiveRun
from gui.plots import LPM, PlotsPanel
from gui.readout import LiveReadout
from gui.replay import Replay, ReplayBar
from gui.rundata import RunModel
from gui.runpanel import RunPanel
from gui.timeline import CascadeTimeline, EventList
from twin.errors import UserError
from twin.files import parse_layout

#: Pipe colours are updated when a flow moves by 1/COLOUR_STEPS of the colour range.
COLOUR_STEPS = 32
#: Height (px) the bottom panels get when a run starts.
PLOTS_HEIGHT = 320

if TYPE_CHECKING:
    from gui.app import MainWindow


class RunSession(QtCore.QObject):
    """Live runs and replay for a main window, and the views they drive.

    Parameters
    ----------
    window : MainWindow
        Its document, canvas panel and status bar are used.
    runs_folder : Path, optional
        Where live runs are recorded (default the per-user runs folder).
    """

    def __init__(self, window: MainWindow, runs_folder: Path | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.model = RunModel(self)
        self.live = LiveRun(self.model, self)
        self.replay = Replay(self.model, self)
        self.run_panel = RunPanel(window.document, self.live, runs_folder)
        self.plots = PlotsPanel(self.model, window.document)
        self.timeline = CascadeTimeline(self.model, window.document)
        self.events = EventList(self.model, self.timeline)
        self.bar = ReplayBar(self.replay)
        window.canvas.readout = LiveReadout(self.model)
        self._flow_levels = (0.0, 1.0)
        self._shown_steps: np.ndarray | None = None
        self.live.airField.connect(window.panel.set_air_field)
        self.replay.airField.connect(window.panel.set_air_field)
        self.live.finished.connect(self._finished)
        self.model.reset.connect(self._reset)
        self.model.cursorChanged.connect(self.show_time)
        self.run_panel.started.connect(self._started)

    def _finished(self) -> None:
        self.plots.update_data()
        self.show_time(self.model.cursor)

    def _started(self) -> None:
        self.replay.close()
        self.window.docks["Plots"].raise_()
        # Room for six plots (the editing panels need less).
        self.window.resizeDocks([self.window.docks["Plots"]], [PLOTS_HEIGHT],
                                QtCore.Qt.Orientation.Vertical)

    def _reset(self) -> None:
        self._flow_levels, self._shown_steps = (0.0, 0.0), None

    def open_run(self, path: str) -> bool:
        """Replay a run file (asking first about unsaved edits); False if it was not opened."""
        if not self.window.files.maybe_save():
            return False
        self.live.stop(detach=True)  # it ends in the background; replay takes the views
        try:
            reader = self.replay.open(path)
            layout = parse_layout(reader.layout, f"{path} (layout)")
        except (UserError, ValueError) as error:
            self.replay.close()
            self.window.show_error(f"Open {Path(path).name}", str(error))
            return False
        self.window.document.reset(layout)
        self.window.canvas.fit()
        self.show_time(self.model.cursor)
        self.window.statusBar().showMessage(
            f"Replaying {path} ({reader.status}, backend {reader.metadata.get('backend', '?')})")
        return True

    def show_time(self, time: float) -> None:
        """Recolour the canvas for ``time`` (s): rack states and pipe flows."""
        canvas = self.window.canvas
        canvas.set_rack_states(self.model.rack_states_at(time))
        canvas.refresh_hover()
        flows = self.model.value_at("pipe_flow", time)
        if flows is None:
            return
        flows = np.abs(flows) * LPM
        if not self._flow_levels[1]:
            # Fixed for the whole run from its first row (the healthy hall's flows), so a
            # colour means the same flow at every time.
            first = np.abs(self.model.series("pipe_flow")[0]) * LPM
            top = float(np.nanmax(first)) if np.isfinite(first).any() else 1.0
            self._flow_levels = (0.0, max(round(top * 1.2, -1), 10.0))
        # Recolour only when some pipe moved by a visible step of the colour map: redrawing
        # hundreds of pipes every frame would cost the main thread for nothing.
        low, high = self._flow_levels
        steps = np.nan_to_num(np.round((flows - low) / (high - low) * COLOUR_STEPS), nan=-1)
        if self._shown_steps is not None and np.array_equal(steps, self._shown_steps):
            return
        self._shown_steps = steps
        pipes = self.model.components.get("pipe_flow", [])
        self.window.panel.set_pipe_values(
            {p: float(f) for p, f in zip(pipes, flows, strict=True) if np.isfinite(f)},
            self._flow_levels, "flow (L/min)")

    def close(self) -> None:
        """Stop a live run (waiting for its file to be marked aborted) and close a replayed
        file."""
        self.live.stop(wait=True, detach=True)
        self.replay.close()
