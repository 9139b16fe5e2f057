"""Running a hall live through the Run panel: states change, the file is written.

How long the window stalls during a run is measured by ``bench/gui_stall.py``
(speed is benchmarked, not asserted in tests).
"""

from __future__ import annotations

from PySide6 import QtCore

from twin.examples import layouts_dir
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
    with qtbot.waitSignal(session.live.finished, timeout=30_000) as done:
        qtbot.mouseClick(panel.start_button, QtCore.Qt.MouseButton.LeftButton)
        assert not panel.start_button.isEnabled() and panel.stop_button.isEnabled()
        session.live.speed_cap = 150.0  # 4 s: slow enough to see the racks go ok -> tripped
    assert done.args[0] == "complete", done.args
    assert {"ok", "throttled", "tripped"} <= seen
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
