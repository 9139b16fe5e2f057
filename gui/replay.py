"""Replaying a run file: scrub, play at 1x-100x, step from event to event.

:class:`Replay` opens a run with :class:`twin.runs.RunReader` (never raw
h5py), loads its series and events into the :class:`gui.rundata.RunModel`
and reads the air frame nearest the cursor when it moves.  A file still
being written (status ``running``) is polled with ``refresh()`` twice a
second and the views grow with it.  :class:`ReplayBar` is its tool bar.
"""

from __future__ import annotations

import time as clock

import numpy as np
from PySide6 import QtCore, QtWidgets

from gui.rundata import RunModel
from twin.runs import RunReader

#: How often a live file is polled for new rows (ms), and the play timer's tick (ms).
POLL_MS, PLAY_MS = 500, 33


class Replay(QtCore.QObject):
    """A run file shown through a :class:`RunModel`.

    Signals
    -------
    playingChanged(bool)
        Playing started or stopped (also at the end of the run).
    airField(object, object)
        The air frame at the cursor (degC, (nz, ny, nx)) and its cell (dz, dy, dx) in m.
    """

    playingChanged = QtCore.Signal(bool)
    airField = QtCore.Signal(object, object)

    def __init__(self, model: RunModel, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.reader: RunReader | None = None
        self.speed = 10.0
        self._frame = -1
        self._has_air = False
        self._cell = (1.0, 1.0, 1.0)
        self._poll = QtCore.QTimer(self, interval=POLL_MS, timeout=self.poll)
        self._play = QtCore.QTimer(self, interval=PLAY_MS, timeout=self._tick)
        self._last_tick = 0.0
        model.cursorChanged.connect(self._show_frame)

    def open(self, path: str) -> RunReader:
        """Open a run file (finished or being written) and show its start.

        Raises
        ------
        twin.errors.UserError
            If it is not a readable run file.
        """
        reader = RunReader(path)
        self.close()
        self.reader, self._frame = reader, -1
        x, y, z = reader.grid
        # One cell per hall means the run had no air model: there is no field to show.
        self._has_air = len(x) > 1 and len(y) > 1 and "air_temperature" in reader.field_names
        spacing = [float(c[1] - c[0]) if len(c) > 1 else 1.0 for c in (z, y, x)]
        self._cell = tuple(spacing)
        duration = float((reader.scenario or {}).get("duration_s", 0.0))
        if reader.status != "running" and len(reader.series_times):
            # A finished file spans what it recorded: a run stopped before its scenario's
            # end (--until, Stop) would otherwise be drawn on mostly empty axes.
            duration = float(reader.series_times[-1])
        ids = {name: reader.components(name) for name in reader.series_names}
        self.model.start(ids, duration, reader.status)
        self._load_new()
        self.model.set_cursor(0.0, follow=reader.status == "running")
        self._show_frame(self.model.cursor)
        if reader.status == "running":
            self._poll.start()
        return reader

    def close(self) -> None:
        """Stop playing and polling and close the file."""
        self._poll.stop()
        if self.playing:
            self.play(False)
        if self.reader is not None:
            self.reader.close()
            self.reader = None

    def _load_new(self) -> None:
        reader, start = self.reader, self.model.rows
        times = reader.series_times[start:]
        values = {name: reader.series(name)[1][start:] for name in reader.series_names}
        events = reader.events()
        self.model.extend(times, values, [events[i] for i in
                                          range(len(self.model.events), len(events))])

    def poll(self) -> None:
        """Take what a live writer has flushed since the last poll."""
        if self.reader is None:
            return
        if self.reader.refresh():
            self._load_new()
            if self.model.follow:
                self._show_frame(self.model.cursor)
        self.model.status = self.reader.status
        if self.model.status != "running":
            self.reader.refresh()
            self._load_new()
            self._poll.stop()

    # -- moving through the run ------------------------------------------------------------
    def play(self, on: bool) -> None:
        """Play forward at :attr:`speed` simulated seconds per wall second, or stop."""
        if on and self.model.cursor >= self.model.end_time and self.model.status != "running":
            self.model.set_cursor(0.0)
        self._last_tick = clock.perf_counter()
        if on:
            self._play.start()
        else:
            self._play.stop()
        self.playingChanged.emit(on)

    @property
    def playing(self) -> bool:
        """True while playing."""
        return self._play.isActive()

    def _tick(self) -> None:
        now = clock.perf_counter()
        step, self._last_tick = (now - self._last_tick) * self.speed, now
        target = self.model.cursor + step
        self.model.set_cursor(min(target, self.model.end_time))
        if target >= self.model.end_time and self.model.status != "running":
            self.play(False)

    def step_event(self, forward: bool) -> int | None:
        """Move the cursor to the next (or previous) event; its index, or None if none."""
        now = self.model.cursor
        events = list(enumerate(self.model.events))
        found = [(e.time, i) for i, e in events if (e.time > now + 1e-6 if forward
                                                     else e.time < now - 1e-6)]
        if not found:
            return None
        _, index = min(found) if forward else max(found)
        self.model.set_cursor(self.model.events[index].time)
        return index

    def worst_time(self) -> float:
        """The run's worst moment: its first rack trip, else its highest chip temperature (s)."""
        trips = [e.time for e in self.model.events if e.state == "tripped"]
        if trips:
            return min(trips)
        chips = self.model.series("rack_chip_temperature")
        if chips.size == 0 or np.all(np.isnan(chips)):
            return self.model.end_time
        return float(self.model.times[np.nanargmax(np.nanmax(chips, axis=1))])

    def _show_frame(self, time: float) -> None:
        reader = self.reader
        if reader is None or not self._has_air or reader.frame_count == 0:
            return
        index = reader.frame_index(time)
        if index != self._frame:
            self._frame = index
            _, frame = reader.frame_at(index)
            self.airField.emit(np.asarray(frame), self._cell)


class ReplayBar(QtWidgets.QWidget):
    """Scrub slider, play/pause, speed and event stepping for a :class:`Replay`."""

    def __init__(self, replay: Replay, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.replay, self.model = replay, replay.model
        self.play = QtWidgets.QPushButton("Play", checkable=True)
        self.play.toggled.connect(replay.play)
        self.previous = QtWidgets.QPushButton("◀ event")
        self.next = QtWidgets.QPushButton("event ▶")
        self.previous.setToolTip("Go to the previous event")
        self.next.setToolTip("Go to the next event")
        self.previous.clicked.connect(lambda: replay.step_event(False))
        self.next.clicked.connect(lambda: replay.step_event(True))
        self.speed = QtWidgets.QSpinBox(minimum=1, maximum=100, value=int(replay.speed),
                                        suffix="x", toolTip="Replay speed")
        self.speed.valueChanged.connect(lambda v: setattr(replay, "speed", float(v)))
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setToolTip("Scrub through the run")
        self.slider.valueChanged.connect(lambda v: self.model.set_cursor(v / 10.0))
        self.time = QtWidgets.QLabel("t = 0.0 s")
        self.time.setMinimumWidth(150)
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        for widget in (self.play, self.previous, self.next, self.speed):
            row.addWidget(widget)
        row.addWidget(self.slider, 1)
        row.addWidget(self.time)
        self.model.grew.connect(self._range)
        self.model.reset.connect(self._range)
        self.model.cursorChanged.connect(self._moved)
        replay.playingChanged.connect(self._playing)

    def _playing(self, on: bool) -> None:
        self.play.blockSignals(True)
        self.play.setChecked(on)
        self.play.blockSignals(False)

    def _range(self) -> None:
        self.slider.blockSignals(True)
        self.slider.setRange(0, int(round(self.model.end_time * 10)))
        self.slider.blockSignals(False)

    def _moved(self, time: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(int(round(time * 10)))
        self.slider.blockSignals(False)
        self.time.setText(f"t = {time:.1f} s of {self.model.end_time:.0f} s")
