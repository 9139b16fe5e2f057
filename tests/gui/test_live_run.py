"""Running a hall live through the Run panel: states change, the file is written.

How long the window stalls during a run is measured by ``bench/gui_stall.py``
(speed is benchmarked, not asserted in tests).
"""

from __future__ import annotations

import sys

from PySide6 import QtCore

from gui import warmup
from gui.app import MainWindow
from gui.kernels import KernelWarmup
from tests.gui.conftest import hover_at
from twin.cli import main
from twin.engine import EngineOptions, Simulation, default_scenario
from twin.examples import layouts_dir
from twin.files import load_layout
from twin.runs import RunReader


def _start(window, qtbot, tmp_path, hall: str, scenario: str):
    assert window.open_layout(str(layouts_dir() / f"{hall}.json"))
    panel = window.session.run_panel
    panel.folder = tmp_path / "runs"
    panel.choose(scenario)
    panel.air.setChecked(False)
    panel.speed.setCurrentText("as fast as possible")
    return panel


def test_pump_trip_runs_live_recolours_racks_and_writes_the_run_file(window, qtbot, tmp_path):
    panel = _start(window, qtbot, tmp_path, "pod-1mw", "pump-trip-no-standby")
    session = window.session
    seen: set[str] = set()
    session.model.cursorChanged.connect(
        lambda t: seen.update(session.model.rack_states_at(t).values()))
    # the speed chosen before Start caps the run from its first step (6 s), slow enough to
    # see the racks go ok -> tripped (Start used to drop it: the run went as fast as possible)
    panel.speed.setCurrentText("100x")
    with qtbot.waitSignal(session.live.finished, timeout=30_000) as done:
        qtbot.mouseClick(panel.start_button, QtCore.Qt.MouseButton.LeftButton)
        assert not panel.start_button.isEnabled() and panel.stop_button.isEnabled()
        assert session.live.speed_cap == 100.0
    assert done.args[0] == "complete", done.args
    # Racks were recoloured while the run went (how many of the short-lived
    # states a cursor update lands in depends on the machine's load) ...
    assert "tripped" in seen and len(seen) >= 2
    # ... and the run's record holds the whole story: ok -> alarm -> throttled -> tripped.
    recorded = set().union(*(session.model.rack_states_at(t).values()
                             for t in session.model.times))  # fmt: skip
    assert {"ok", "alarm", "throttled", "tripped"} <= recorded
    rack = window.document.layout.racks[0].id
    assert window.canvas.items[rack].brush().color().name() == "#c9242b"  # tripped
    assert session.model.end_time == 600.0
    assert any(e.state == "tripped" for e in session.model.events)
    # The event list and the timeline show what happened; the plots have their lines.
    assert session.events.topLevelItemCount() == len(session.model.events)
    assert "CDU-1-PA" in session.timeline.lanes and rack in session.timeline.lanes
    chip = session.plots.curves[("temperature", f"rack_chip_temperature:{rack}")]
    assert len(chip.getData()[0]) == session.model.rows
    assert str(session.live.path) in window.run_state.text()
    with RunReader(session.live.path) as run:
        assert run.status == "complete"
        assert run.series_times[-1] == 600.0
        assert len(run.events()) == len(session.model.events)
    assert not session.live.running and panel.start_button.isEnabled()
    # Hovering a rack gives its numbers at the end of the run, as the run recorded them.
    chip = session.model.series("rack_chip_temperature", rack)[-1]
    x0, y0, _, _ = window.document.layout.racks[0].footprint
    hover_at(qtbot, window.canvas, x0 + 0.1, y0 + 0.1)
    qtbot.waitUntil(lambda: f"rack {rack} TRIPPED at t = 600 s" in window.hover.text(),
                    timeout=2000)
    assert f"chip {chip:.1f} °C" in window.hover.text()


def test_pause_and_stop_leave_an_aborted_file(window, qtbot, tmp_path):
    panel = _start(window, qtbot, tmp_path, "pod-1mw", "steady operation (1 h)")
    panel.speed.setCurrentText("100x")
    panel.start()
    qtbot.waitUntil(lambda: window.session.model.rows > 0, timeout=10_000)
    panel.pause_button.setChecked(True)
    assert window.session.live.paused
    with qtbot.waitSignal(window.session.live.finished, timeout=10_000) as done:
        panel.stop_button.click()
    assert done.args[0] == "aborted"
    with RunReader(window.session.live.path) as run:
        assert run.status == "aborted"


def test_a_run_that_cannot_start_says_why(window, qtbot, tmp_path):
    panel = _start(window, qtbot, tmp_path, "pod-1mw", "pump-trip-no-standby")
    panel.air.setChecked(True)
    panel.grid.setValue(2.0)  # coarser than a rack
    with qtbot.waitSignal(window.session.live.finished, timeout=20_000) as done:
        panel.start()
    assert done.args[0] == "failed" and "too coarse" in done.args[1]
    assert "failed" in panel.state.text() and panel.start_button.isEnabled()


def test_kernels_compile_in_another_process_and_a_run_waits_for_them(qtbot, tmp_path):
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"), QtCore.QSettings.Format.IniFormat)
    warmup = KernelWarmup(air=False)
    window = MainWindow(settings, tmp_path / "autosave", tmp_path / "runs", warmup=warmup)
    qtbot.addWidget(window)
    window.show()
    assert warmup.busy and window.kernels.text() == "compiling kernels…"
    panel = _start(window, qtbot, tmp_path, "pod-1mw", "pump-trip-no-standby")
    assert panel.start()
    # The run waits for the kernels instead of compiling them in its worker thread.
    assert not window.session.live.running
    assert panel.state.text() == "starts when the kernels are compiled…"
    assert not panel.start_button.isEnabled() and panel.stop_button.isEnabled()
    with qtbot.waitSignal(window.session.live.finished, timeout=60_000) as done:
        pass
    assert done.args[0] == "complete"
    assert not warmup.busy and window.kernels.text() == "kernels ready"
    assert "kernels warm: coolant network" in warmup.result
    window.files.close()
    window.session.close()


def test_a_failed_warm_up_says_why_and_lets_runs_start(qtbot, monkeypatch):
    monkeypatch.setattr("gui.kernels.warmup_command", lambda air: (
        sys.executable, ["-c", "import sys; sys.exit('kernels not warmed: no numba here')"]))
    warmup = KernelWarmup()
    said: list[str] = []
    warmup.message.connect(said.append)
    with qtbot.waitSignal(warmup.finished, timeout=20_000) as done:
        warmup.start()
    assert done.args == [False] and not warmup.busy
    assert said == ["compiling kernels…",
                    "kernels not warmed: no numba here: the first run compiles them"]


def test_the_packaged_app_warms_kernels_through_the_gui_command(capsys):
    assert main(["gui", "--warm-kernels", "--no-air"]) == 0
    assert capsys.readouterr().out.startswith("kernels warm: coolant network in ")


def test_the_warm_up_air_run_reaches_the_multigrid_fix_ups():
    """The warm-up's air run moves cells between the pressure multigrid's coarse cells
    (solvers.air.aggregates: the pod's rack rows are thin walls on its coarse levels),
    so the fix-up kernels are compiled before a live run needs them, as the 10 MW
    hall's does."""
    layout = load_layout(layouts_dir() / warmup.HALL)
    options = EngineOptions(air=True, air_spacing=warmup.WARM_SPACING, spin_up=0.0,
                            backend="numpy")  # fmt: skip
    sim = Simulation(layout, default_scenario(1.0), options)
    assert any(level.moved is not None for level in sim.air.solver.poisson.levels)
