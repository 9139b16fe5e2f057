"""What the run views show: the series, events and current time of one run, live or replayed.

A :class:`RunModel` is filled either by a live run (:mod:`gui.live`, rows
appended as the engine steps) or from a run file (:mod:`gui.replay`, loaded
at once and extended as a live file grows).  The plots, the cascade timeline,
the event list and the canvas follow its signals, so they behave the same
whichever fed it.  Series are kept in NumPy buffers that double when full,
so appending a row costs O(1) and a plot takes a view, never a copy of a list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from PySide6 import QtCore

from twin.events import Event, EventLog
from twin.runs import SERIES

#: Rack states of the ``rack_state`` series, by their stored number.
RACK_STATES = ("ok", "throttled", "tripped")


class RunModel(QtCore.QObject):
    """One run's series (SI), events and cursor time.

    Signals
    -------
    reset()
        A new run starts (or a file is opened): everything was replaced.
    grew()
        Rows or events were added.
    cursorChanged(float)
        The time the views show (s) moved.
    """

    reset = QtCore.Signal()
    grew = QtCore.Signal()
    cursorChanged = QtCore.Signal(float)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.components: dict[str, list[str]] = {}
        self.events = EventLog()
        self.duration = 0.0
        self.status = ""
        self.cursor = 0.0
        self.follow = True
        self._times = np.zeros(0)
        self._values: dict[str, np.ndarray] = {}
        self._rows = 0

    # -- filling ---------------------------------------------------------------------------
    def start(self, components: Mapping[str, Sequence[str]], duration: float,
              status: str = "running") -> None:
        """Forget the last run and get ready for one with these component ids per series.

        Parameters
        ----------
        components : mapping
            Series name -> component ids along its second axis ([] for hall-wide series).
        duration : float
            Simulated length of the run (s), for the time axes.
        status : str
            ``running``, ``complete``, ...
        """
        self.components = {name: list(ids) for name, ids in components.items()}
        self.events = EventLog()
        self.duration, self.status = float(duration), status
        self.cursor, self.follow, self._rows = 0.0, True, 0
        self._times = np.zeros(256)
        self._values = {name: np.full((256, len(ids)) if ids else 256, np.nan)
                        for name, ids in self.components.items()}
        self.reset.emit()

    def append(self, times: Sequence[float], rows: Sequence[Mapping[str, object]],
               events: Iterable[Event] = ()) -> None:
        """Add series rows (one mapping of series name -> value(s) per time) and events."""
        values = {name: [row.get(name, np.nan) for row in rows] for name in self._values}
        self.extend(times, values, events)

    def extend(self, times: np.ndarray, values: Mapping[str, np.ndarray],
               events: Iterable[Event] = ()) -> None:
        """Add many rows at once: ``values`` maps series name -> (rows, ...) array (SI)."""
        count = len(times)
        if count:
            self._reserve(self._rows + count)
            end = self._rows + count
            self._times[self._rows:end] = times
            for name, buffer in self._values.items():
                if name in values:
                    buffer[self._rows:end] = values[name]
            self._rows = end
        self._added(count, events)

    def _added(self, count: int, events: Iterable[Event]) -> None:
        added = False
        for event in events:
            self.events.append(event)
            added = True
        if count or added:
            if self.follow:
                self.cursor = self.end_time
            self.grew.emit()
            if self.follow:
                self.cursorChanged.emit(self.cursor)

    def _reserve(self, rows: int) -> None:
        if rows <= len(self._times):
            return
        size = max(rows, 2 * len(self._times))
        self._times = np.resize(self._times, size)
        for name, buffer in self._values.items():
            grown = np.full((size, *buffer.shape[1:]), np.nan)
            grown[:self._rows] = buffer[:self._rows]
            self._values[name] = grown

    # -- reading ---------------------------------------------------------------------------
    @property
    def rows(self) -> int:
        """Series rows held."""
        return self._rows

    @property
    def times(self) -> np.ndarray:
        """Times of the series rows (s), a view."""
        return self._times[:self._rows]

    @property
    def end_time(self) -> float:
        """Time of the last row (s), 0 with none."""
        return float(self._times[self._rows - 1]) if self._rows else 0.0

    def series(self, name: str, component: str | None = None) -> np.ndarray:
        """Values of series ``name`` (SI): all components (time, component), or one."""
        values = self._values.get(name)
        if values is None:
            return np.zeros(0)
        values = values[:self._rows]
        if component is None:
            return values
        ids = self.components[name]
        return values[:, ids.index(component)] if component in ids else np.zeros(0)

    def row_at(self, time: float) -> int:
        """Index of the last row at or before ``time`` (s); -1 before the first."""
        return int(np.searchsorted(self.times, time + 1e-9, side="right")) - 1

    def value_at(self, name: str, time: float) -> np.ndarray | None:
        """The row of series ``name`` in force at ``time`` (s), or None."""
        row = self.row_at(time)
        return None if row < 0 or name not in self._values else self._values[name][row]

    def rack_states_at(self, time: float) -> dict[str, str]:
        """Each rack's state at ``time``: ``rack_state`` (ok/throttled/tripped), and ``alarm``
        for an ok rack whose latest event by then is an alarm."""
        racks = self.components.get("rack_state", [])
        row = self.value_at("rack_state", time)
        states = {r: "ok" for r in racks}
        if row is not None:
            for rack, code in zip(racks, row, strict=True):
                if code == code and 0 <= code < len(RACK_STATES):  # NaN before a row
                    states[rack] = RACK_STATES[int(code)]
        latest = {}
        for event in self.events:
            if event.time <= time + 1e-9 and event.component in states:
                latest[event.component] = event.state
        for rack, state in latest.items():
            if state == "alarm" and states[rack] == "ok":
                states[rack] = "alarm"
        return states

    # -- the time the views show -----------------------------------------------------------
    def set_cursor(self, time: float, follow: bool = False) -> None:
        """Show ``time`` (s); ``follow`` keeps the cursor at the newest row as rows arrive."""
        self.follow = follow
        time = float(np.clip(time, 0.0, max(self.end_time, self.duration)))
        if time != self.cursor:
            self.cursor = time
            self.cursorChanged.emit(time)


def series_components(components: Mapping[str, Sequence[str]],
                      names: Iterable[str]) -> dict[str, list[str]]:
    """Component ids per series name, from the ids per dimension (``rack``, ``cdu``...)."""
    found = {}
    for name in names:
        dim = SERIES[name].dim if name in SERIES else None
        found[name] = list(components.get(dim, [])) if dim else []
    return found
