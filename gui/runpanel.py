"""The Run panel: choose scenario, backend, air model and speed; start, pause and stop.

The air model costs CPU time (at a 0.5 m grid on two cores, about 110x real
time on the 1 MW pod and 30x on the 10 MW hall), and the window gets its turn
only between engine steps, which the air makes long: on a busy machine the
10 MW hall held it up for 240 ms (docs/performance.md).  So it starts
switched off for halls larger than :data:`AIR_DEFAULT_AREA` and the status bar
says so; the coolant side, chips, controls and cascades run either way.  On a
GPU the air is fast and its steps short (the 10 MW hall at 0.25 m about 22x
real time on an H200), so once the kernels' warm-up reports that the air
model runs on CuPy, it starts switched on for every hall, unless the user
has set the switch for the hall already.
"""

from __future__ import annotations

import time as clock
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from gui.document import HallDocument
from gui.kernels import KernelWarmup
from gui.live import LiveRun
from twin.engine import COURANT_RANGE, EngineOptions, default_scenario
from twin.errors import UserError
from twin.examples import scenarios_for
from twin.files import load_scenario
from twin.model.scenario import Scenario

#: Largest floor area (m^2) for which the air model starts switched on.
AIR_DEFAULT_AREA = 120.0
#: Speed choices: label -> most simulated seconds per wall second (None: no cap).
SPEEDS = {"as fast as possible": None, "1x (real time)": 1.0, "10x": 10.0, "100x": 100.0}


def runs_folder() -> Path:
    """The per-user folder live runs are recorded to."""
    base = QtCore.QStandardPaths.writableLocation(
        QtCore.QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "runs"


class RunPanel(QtWidgets.QWidget):
    """Controls of a live run of the open hall.

    Parameters
    ----------
    document : HallDocument
        The hall to run (its current layout when Start is pressed).
    live : LiveRun
        The runner.
    folder : Path, optional
        Where run files go (default :func:`runs_folder`).

    Signals
    -------
    message(str)
        A line for the status bar.
    started()
        A run was started.
    """

    message = QtCore.Signal(str)
    started = QtCore.Signal()

    def __init__(self, document: HallDocument, live: LiveRun, folder: Path | None = None,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.document, self.live = document, live
        self.folder = folder or runs_folder()
        self.scenario = QtWidgets.QComboBox()
        self.scenario.setToolTip("What happens during the run: the layout's scenarios and the "
                                 "scenario files next to it")
        self.backend = QtWidgets.QComboBox()
        self.backend.addItems(["auto", "numba", "numpy", "cupy"])
        self.backend.setToolTip("Where the air model runs (auto: CuPy on a GPU, else Numba, "
                                "else NumPy)")
        self.air = QtWidgets.QCheckBox("air model")
        self.air.setToolTip("Simulate the room air (costs CPU time); off: the room is one "
                            "well-mixed node of air")
        self.grid = QtWidgets.QDoubleSpinBox(decimals=2, minimum=0.1, maximum=2.0,
                                             singleStep=0.05, value=0.5, suffix=" m")
        self.grid.setToolTip("Air grid spacing")
        low, high = COURANT_RANGE
        self.courant = QtWidgets.QDoubleSpinBox(decimals=1, minimum=low, maximum=high,
                                                singleStep=1.0, value=4.0, prefix="C ")
        self.courant.setToolTip("Cells the fastest air crosses per air step: larger is "
                                "faster and less accurate (8: about 1.4x faster, rack inlets "
                                "about twice as far off as at 4)")
        for control in (self.grid, self.courant, self.backend):
            self.air.toggled.connect(control.setEnabled)
        self.speed = QtWidgets.QComboBox()
        self.speed.addItems(list(SPEEDS))
        self.speed.setToolTip("Most simulated seconds per wall second")
        self.speed.currentTextChanged.connect(lambda t: setattr(self.live, "speed_cap", SPEEDS[t]))
        self.start_button = QtWidgets.QPushButton("Start")
        self.pause_button = QtWidgets.QPushButton("Pause", checkable=True)
        self.stop_button = QtWidgets.QPushButton("Stop")
        self.start_button.clicked.connect(self.start)
        self.pause_button.toggled.connect(self.live.pause)
        self.stop_button.clicked.connect(self.stop)
        self.state = QtWidgets.QLabel("not running")
        form = QtWidgets.QFormLayout(self)
        form.addRow("Scenario", self.scenario)
        air = QtWidgets.QHBoxLayout()
        air.addWidget(self.air)
        air.addWidget(self.grid)
        air.addWidget(self.courant)
        form.addRow("Air", air)
        form.addRow("Backend", self.backend)
        form.addRow("Speed", self.speed)
        buttons = QtWidgets.QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        form.addRow(buttons)
        form.addRow(self.state)
        self._scenarios: list[tuple[str, Scenario | Path]] = []
        self._area = -1.0
        self._gpu = False  # the warm-up ran the air model on a GPU
        self._air_chosen = False  # the user set the air switch for this hall
        self.air.clicked.connect(lambda: setattr(self, "_air_chosen", True))
        self.warmup: KernelWarmup | None = None
        self._pending = False
        live.finished.connect(self._finished)
        live.progress.connect(self._progress)
        document.layoutChanged.connect(lambda _: self.refresh())
        document.pathChanged.connect(lambda _: self.refresh())
        self.refresh()
        self._enable(False)

    def refresh(self) -> None:
        """List the scenarios of the hall and pick the air model's default for its size."""
        layout = self.document.layout
        chosen = self.scenario.currentText()
        self._scenarios = [(s.name, s) for s in layout.scenarios]
        if self.document.path:
            self._scenarios += [(p.stem.split("--", 1)[-1], p)
                                for p in scenarios_for(Path(self.document.path))]
        self._scenarios.append(("steady operation (1 h)", default_scenario()))
        self.scenario.blockSignals(True)
        self.scenario.clear()
        self.scenario.addItems([name for name, _ in self._scenarios])
        self.scenario.setCurrentIndex(max(self.scenario.findText(chosen), 0))
        self.scenario.blockSignals(False)
        area = layout.hall.width * layout.hall.depth
        if area != self._area:  # another hall: its default; an edit keeps the user's choice
            self._area, self._air_chosen = area, False
            self.air.setChecked(self._air_default())
        for control in (self.grid, self.courant, self.backend):
            control.setEnabled(self.air.isChecked())

    def choose(self, name: str) -> None:
        """Pick the scenario listed as ``name``."""
        index = self.scenario.findText(name)
        if index < 0:
            raise ValueError(f"no scenario {name!r}; listed: "
                             + ", ".join(n for n, _ in self._scenarios))
        self.scenario.setCurrentIndex(index)

    def options(self) -> EngineOptions:
        """Engine options from the panel."""
        return EngineOptions(air=self.air.isChecked(), air_spacing=self.grid.value(),
                             backend=self.backend.currentText(), courant=self.courant.value())

    def wait_for(self, warmup: KernelWarmup) -> None:
        """Hold a start until ``warmup`` has compiled the kernels: a run that compiled them
        in its worker thread would freeze the window for seconds."""
        self.warmup = warmup
        warmup.finished.connect(self._kernels_ready)

    def _air_default(self) -> bool:
        """The air model on for small halls, and for any hall when it runs on a GPU."""
        return self._area <= AIR_DEFAULT_AREA or self._gpu

    def _kernels_ready(self, _ok: bool) -> None:
        if not self._gpu and self.warmup is not None and self.warmup.air_backend == "cupy":
            self._gpu = True
            if not self._air_chosen:
                self.air.setChecked(self._air_default())
        if self._pending:
            self._pending = False
            self.start()

    def stop(self) -> None:
        """Stop the run (its file is marked aborted), or drop a start that waits."""
        if self._pending:
            self._pending = False
            self._enable(False)
            self.state.setText("not running")
            return
        if self.live.running:
            self.live.stop()
            self.stop_button.setEnabled(False)
            self.pause_button.setEnabled(False)
            self.state.setText("stopping after the engine's current step…")

    def start(self) -> bool:
        """Start a run of the open hall with the chosen scenario; False if it cannot start.

        While the kernels are being compiled the run starts once they are.
        """
        if self.warmup is not None and self.warmup.busy:
            self._pending = True
            self.start_button.setEnabled(False)
            self.stop_button.setEnabled(True)
            self.state.setText("starts when the kernels are compiled…")
            return True
        _, chosen = self._scenarios[self.scenario.currentIndex()]
        try:
            scenario = load_scenario(chosen) if isinstance(chosen, Path) else chosen
        except UserError as error:
            self.message.emit(f"Scenario not loaded: {error}")
            return False
        stamp = clock.strftime("%Y%m%d-%H%M%S")
        name = self.document.layout.name.replace(" ", "-").replace("/", "-")
        path = self.folder / f"{name}--{stamp}.h5"
        self.live.start(self.document.layout, scenario, self.options(), path,
                        speed_cap=SPEEDS[self.speed.currentText()])
        self.pause_button.setChecked(False)
        self._enable(True)
        air = (f"air model on ({self.grid.value():g} m, {self.backend.currentText()})"
               if self.air.isChecked() else "air model off")
        if not self.air.isChecked() and self.document.layout.hall.width \
                * self.document.layout.hall.depth > AIR_DEFAULT_AREA:
            air += f" (default above {AIR_DEFAULT_AREA:g} m²: slow on a CPU)"
        self.state.setText("starting...")
        self.started.emit()
        self.message.emit(f"Running '{scenario.name}', {air}; recording to {path}")
        return True

    def _enable(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)

    def _progress(self, time: float, speed: float) -> None:
        self.state.setText(f"t = {time:.0f} s of {self.live.model.duration:.0f} s, "
                           f"{speed:.1f}x real time")

    def _finished(self, status: str, message: str) -> None:
        self._enable(False)
        self.pause_button.setChecked(False)
        self.state.setText(f"{status}: {message}")
        self.message.emit(f"Run {status} ({message}); file {self.live.path}")
