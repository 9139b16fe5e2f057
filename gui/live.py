"""Running a hall live: the engine in a worker thread, its results drained at <= 30 fps.

The worker is a plain Python thread that owns the :class:`twin.engine.Simulation`
and its run file.  It never touches Qt: after each engine step it puts the
step's series and new events in a lock-protected inbox (and, when the GUI
asked for one, a host copy of the air field).  A 30 fps timer on the main
thread empties the inbox into the :class:`gui.rundata.RunModel`, so however
fast the engine steps, the views redraw at most 30 times a second and the
main thread only ever waits for the lock, never for a step.

Both threads share the interpreter's lock (the GIL), and the window re-takes
it after every Qt call it makes while painting.  Each re-take waited for the
engine to let go; on a busy machine the engine thread is often descheduled
while it holds the lock, and a paint of a few hundred items stretched to
100-200 ms.  So the engine takes turns with the window: it starts a step only
while the window's event loop sleeps (Qt's ``aboutToBlock``/``awake``), or
after :data:`LAG` at most, and the window then mostly runs alone.
"""

from __future__ import annotations

import os
import sys
import threading
import time as clock
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from PySide6 import QtCore

from gui.rundata import RunModel, series_components
from twin.engine import EngineOptions, Simulation
from twin.engine.recording import SERIES, components, open_run_file
from twin.model.layout import Layout
from twin.model.scenario import Scenario

#: Shortest time between two deliveries to the views (s): 30 fps.
FRAME_INTERVAL = 1 / 30
#: Longest the engine waits for the window's event loop to sleep before a step (s).
LAG = 2 * FRAME_INTERVAL
#: The interpreter's thread switch interval while a run goes (s).
SWITCH_INTERVAL = 0.0002
#: How much lower than the window's the engine's scheduling priority is (Unix niceness).
WORKER_NICENESS = 10


@dataclass
class _Inbox:
    """What the worker produced since the main thread last looked (guarded by a lock)."""

    times: list[float] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    events: list = field(default_factory=list)
    air: np.ndarray | None = None
    finished: tuple[str, str] | None = None


class LiveRun(QtCore.QObject):
    """Runs one simulation at a time in a worker thread and feeds a :class:`RunModel`.

    Parameters
    ----------
    model : RunModel
        Filled with the run's series and events as it goes.

    Signals
    -------
    airField(object, object)
        A host air-temperature field (degC, (nz, ny, nx)) and its cell (dz, dy, dx) in m.
    progress(float, float)
        Simulated time (s) and speed (simulated s per wall s).
    finished(str, str)
        Final status (``complete``, ``aborted``, ``failed``) and a message.
    """

    airField = QtCore.Signal(object, object)
    progress = QtCore.Signal(float, float)
    finished = QtCore.Signal(str, str)

    def __init__(self, model: RunModel, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.path: Path | None = None
        self.speed_cap: float | None = None
        self._lock = threading.Lock()
        self._inbox = _Inbox()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._detached = False
        self._resume = threading.Event()
        self._want_air = threading.Event()
        self._switch_interval: float | None = None
        # Set while the window's event loop sleeps: the engine's turn (see the module doc).
        self._idle = threading.Event()
        self._idle.set()
        self._dispatcher = QtCore.QAbstractEventDispatcher.instance(self.thread())
        self._cell = (1.0, 1.0, 1.0)
        self._wall0 = 0.0
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(int(FRAME_INTERVAL * 1000))
        self._timer.timeout.connect(self.drain)

    @property
    def running(self) -> bool:
        """True while the worker thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def paused(self) -> bool:
        """True while a running run waits for :meth:`pause` (False)."""
        return self.running and not self._resume.is_set()

    def start(self, layout: Layout, scenario: Scenario, options: EngineOptions,
              path: str | Path, speed_cap: float | None = None) -> None:
        """Start a run of ``layout`` under ``scenario`` recorded to ``path``.

        Parameters
        ----------
        speed_cap : float, optional
            Most simulated seconds per wall second; None runs as fast as possible.
        """
        self.stop(wait=True, detach=True)
        self.path, self.speed_cap = Path(path), speed_cap
        self._detached = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._inbox = _Inbox()
        self._stop.clear()
        self._resume.set()
        self._want_air.set()
        self._wall0 = clock.perf_counter()
        self._share_interpreter(True)
        # The views are set up for the run before the engine starts competing for the CPU.
        ids = components(SimpleNamespace(layout=layout))  # it reads only the layout
        self.model.start(series_components(ids, SERIES), scenario.duration)
        self._thread = threading.Thread(target=self._work, name="halltwin-engine", daemon=True,
                                        args=(layout, scenario, options, self.path))
        self._thread.start()
        self._timer.start()

    def pause(self, paused: bool) -> None:
        """Hold the run after its current step (True) or let it go on (False)."""
        if paused:
            self._resume.clear()
        else:
            self._resume.set()

    def stop(self, wait: bool = False, detach: bool = False) -> None:
        """End the run (its file is marked aborted).

        The engine looks at the request between steps, and one step (or a big hall's
        air spin-up) can take seconds: so by default this returns at once and
        ``finished`` comes when the worker is done.

        Parameters
        ----------
        wait : bool
            Block until the worker is done (closing the app: the file must be closed).
        detach : bool
            Leave the model alone from now on (another run or a replay takes it over).
        """
        if self._thread is None:
            return
        self._detached = self._detached or detach
        self._stop.set()
        self._resume.set()
        if wait:
            self._thread.join()
            self.drain()

    def _share_interpreter(self, running: bool) -> None:
        """Set up (True) or undo (False) how the window and the engine share the GIL."""
        if running == (self._switch_interval is not None):
            return
        if running:
            # The main thread re-takes the GIL after every Qt call that released it: with
            # the default 5 ms switch interval each such wait could last 5 ms, and a paint
            # of a few hundred items stalled the window for 100-200 ms.  A short interval
            # makes those waits short; the turns (module doc) make them rare.
            self._switch_interval = sys.getswitchinterval()
            sys.setswitchinterval(SWITCH_INTERVAL)
            self._dispatcher.aboutToBlock.connect(self._idle.set)
            self._dispatcher.awake.connect(self._idle.clear)
        else:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None
            self._dispatcher.aboutToBlock.disconnect(self._idle.set)
            self._dispatcher.awake.disconnect(self._idle.clear)
            self._idle.set()

    # -- main thread ----------------------------------------------------------------------
    def drain(self) -> None:
        """Move what the worker produced into the model (the 30 fps timer calls this)."""
        with self._lock:
            inbox, self._inbox = self._inbox, _Inbox()
        if not self._detached:
            if inbox.times or inbox.events:
                self.model.append(inbox.times, inbox.rows, inbox.events)
            if inbox.air is not None:
                self.airField.emit(inbox.air, self._cell)
                self._want_air.set()
            if inbox.times:
                wall = max(clock.perf_counter() - self._wall0, 1e-6)
                self.progress.emit(inbox.times[-1], inbox.times[-1] / wall)
        if inbox.finished is not None:
            self._timer.stop()
            if self._thread is not None:  # it posted its last words: about to exit
                self._thread.join()
                self._thread = None
            self._share_interpreter(False)
            if not self._detached:
                self.model.status = inbox.finished[0]
            self.finished.emit(*inbox.finished)

    # -- worker thread --------------------------------------------------------------------
    def _work(self, layout: Layout, scenario: Scenario, options: EngineOptions,
              path: Path) -> None:
        writer, status, message = None, "failed", ""
        if hasattr(os, "setpriority"):
            # Linux niceness is per thread (and the run file's writer thread, started from
            # here, inherits it): when the cores are busy, the window is served first.
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICENESS)
        try:
            sim = Simulation(layout, scenario, options)
            writer = sim.writer = open_run_file(sim, path, ["halltwin", "gui"])
            if sim.air is not None:
                dx, dy, dz = sim.air.solver.grid.spacing
                self._cell = (dz, dy, dx)
            status = "aborted" if self._loop(sim) else "complete"
            message = f"{sim.time:.0f} s simulated"
        except Exception as error:  # noqa: BLE001 - any failure ends the run with its message
            message = f"{type(error).__name__}: {error}"
        finally:
            if writer is not None:
                try:
                    writer.close(status)
                except Exception as error:  # noqa: BLE001 - say why the file is incomplete
                    status, message = "failed", f"run file: {error}"
            with self._lock:
                self._inbox.finished = (status, message)

    def _loop(self, sim: Simulation) -> bool:
        """Step to the end; True if stopped early."""
        sim_start, wall_start = sim.time, clock.perf_counter()
        for snapshot in sim.iter_run():
            if self._stop.is_set():
                return True
            row = dict(sim.last)
            air = None
            if sim.air is not None and self._want_air.is_set():
                self._want_air.clear()
                air = sim.air.solver.temperature().astype(np.float32)
            with self._lock:
                self._inbox.times.append(snapshot.time)
                self._inbox.rows.append(row)
                self._inbox.events.extend(snapshot.new_events)
                if air is not None:
                    self._inbox.air = air
            # The window's turn while it works (its event loop is awake): see the module doc.
            self._idle.wait(LAG)
            if not self._resume.is_set():
                self._resume.wait()
                sim_start, wall_start = sim.time, clock.perf_counter()
            if self.speed_cap:
                ahead = (sim.time - sim_start) / self.speed_cap - (clock.perf_counter()
                                                                    - wall_start)
                if ahead > 0:
                    self._stop.wait(ahead)
        return self._stop.is_set()
