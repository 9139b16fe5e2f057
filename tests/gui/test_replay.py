"""Replaying run files: open, scrub to an event, click the timeline, follow a live file."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PySide6 import QtCore

from gui.app import run_app
from tests.gui.conftest import hover_at
from twin.engine import EngineOptions, Simulation
from twin.engine.recording import open_run_file
from twin.examples import layouts_dir
from twin.files import load_layout, load_scenario
from twin.runs import RunReader


def _simulate(path, pause: float = 0.0) -> None:
    """The pod's pump trip without standby, air off, recorded to ``path``."""
    layout = load_layout(layouts_dir() / "pod-1mw.json")
    scenario = load_scenario(layouts_dir() / "scenarios/pod-1mw--pump-trip-no-standby.json")
    sim = Simulation(layout, scenario, EngineOptions(air=False))
    sim.writer = open_run_file(sim, path, ["test"])
    try:
        for _ in sim.iter_run():
            time.sleep(pause)
    finally:
        sim.writer.close("complete")


@pytest.fixture(scope="module")
def run_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("runs") / "pump-trip.h5"
    _simulate(path)
    return path


def test_open_scrub_and_click_the_timeline(window, qtbot, run_file):
    session = window.session
    assert session.open_run(str(run_file))
    assert [r.id for r in window.document.layout.racks][:2] == ["A1", "A2"]
    model = session.model
    assert model.status == "complete" and model.end_time == 600.0
    # Scrub: the slider moves the cursor and the canvas follows.
    session.bar.slider.setValue(1500)
    assert model.cursor == 150.0
    assert window.canvas.items["A1"].brush().color().name() == "#c9242b"  # tripped by then
    session.bar.slider.setValue(300)
    assert window.canvas.items["A1"].brush().color().name() == "#3b7dd8"  # still ok
    # Step to the next event: the duty pump fails at 60 s.
    index = session.replay.step_event(True)
    assert model.cursor == 60.0 and model.events[index].component == "CDU-1-PA"
    assert session.plots.cursors[0].value() == 60.0 and session.timeline.cursor.value() == 60.0
    # Click the dot of A1's trip on the timeline: replay jumps there and A1 is selected.
    window.docks["Cascade"].raise_()
    timeline = session.timeline
    qtbot.waitUntil(timeline.isVisible)
    trip = next(i for i, e in enumerate(model.events)
                if e.component == "A1" and e.state == "tripped")
    event = model.events[trip]
    scene = timeline.getPlotItem().vb.mapViewToScene(
        QtCore.QPointF(event.time, timeline.lanes.index("A1")))
    qtbot.mouseClick(timeline.viewport(), QtCore.Qt.MouseButton.LeftButton,
                     pos=timeline.mapFromScene(scene))
    assert model.cursor == event.time
    assert window.document.selection == {"A1"}
    # Clicking a pump's event selects its CDU.
    session.events.itemClicked.emit(session.events.topLevelItem(index), 0)
    assert window.document.selection == {"CDU-1"} and model.cursor == 60.0


def test_a_run_stopped_early_is_drawn_over_the_time_it_recorded(window, run_file, tmp_path):
    """The pump-trip scenario lasts 600 s; a run of its first 90 s is shown over 90 s."""
    layout = load_layout(layouts_dir() / "pod-1mw.json")
    scenario = load_scenario(layouts_dir() / "scenarios/pod-1mw--pump-trip-no-standby.json")
    sim = Simulation(layout, scenario, EngineOptions(air=False))
    path = tmp_path / "first-90s.h5"
    sim.writer = open_run_file(sim, path, ["test"])
    sim.run(90.0)
    sim.writer.close("complete")
    session = window.session
    assert session.open_run(str(path))
    assert session.model.end_time == 90.0 and session.model.duration == 90.0
    assert session.timeline.viewRange()[0][1] == pytest.approx(90.0, rel=0.02)
    assert session.plots.plots["temperature"].viewRange()[0][1] == pytest.approx(90.0, rel=0.02)
    # The whole run still spans its scenario.
    assert session.open_run(str(run_file))
    assert session.model.duration == 600.0


def test_replay_plays_and_refuses_what_is_not_a_run(window, qtbot, run_file, tmp_path):
    session = window.session
    assert session.open_run(str(run_file))
    session.bar.speed.setValue(100)
    session.bar.play.setChecked(True)
    qtbot.waitUntil(lambda: session.model.cursor > 20.0, timeout=5000)
    session.bar.play.setChecked(False)
    assert not session.replay.playing
    bad = tmp_path / "not-a-run.h5"
    bad.write_text("hello")
    assert not session.open_run(str(bad))
    assert "not a readable HallTwin run file" in window.last_message.informativeText()


def test_replay_follows_a_file_being_written(window, qtbot, tmp_path):
    path = tmp_path / "live.h5"
    writer = threading.Thread(target=_simulate, args=(path, 0.002))
    writer.start()
    try:
        qtbot.waitUntil(path.exists, timeout=10_000)
        qtbot.wait(300)
        assert window.session.open_run(str(path))
        model = window.session.model
        first = model.rows
        assert model.status == "running" and first < 600
        qtbot.waitUntil(lambda: model.status == "complete", timeout=20_000)
        assert model.rows == 600 and model.rows > first
        assert any(e.state == "tripped" for e in model.events)
        assert model.cursor == 600.0, "the cursor followed the growing file"
    finally:
        writer.join()


def test_screenshot_of_a_run_at_its_worst_moment(run_file, tmp_path, qapp):
    out = tmp_path / "worst.png"
    assert run_app(str(run_file), screenshot=str(out)) == 0
    assert out.stat().st_size > 10_000


def test_hover_shows_the_live_numbers_of_what_is_under_the_mouse(window, qtbot, run_file):
    session = window.session
    assert session.open_run(str(run_file))
    session.bar.slider.setValue(300)  # t = 30 s: the healthy hall
    layout = window.document.layout
    rack, cdu = layout.racks[0], layout.cdus[0]
    [hose] = [p for p in layout.pipes if p.to == rack.supply]  # the pod's racks: one each
    with RunReader(run_file) as run:
        row = int(np.searchsorted(run.series_times, 30.0 + 1e-9)) - 1

        def value(name, component):
            return run.series(name)[1][row, run.components(name).index(component)]

        chip, inlet = value("rack_chip_temperature", rack.id), value("rack_inlet_temperature",
                                                                       rack.id)
        power, flow = value("rack_power", rack.id), value("pipe_flow", hose.id)
        supply = value("cdu_supply_temperature", cdu.id)
    # A real mouse move over the rack (away from its hose junctions in the middle), once
    # the view has taken the range that opening the run gave it.
    QtCore.QCoreApplication.processEvents()
    x0, y0, _, _ = rack.footprint
    hover_at(qtbot, window.canvas, x0 + 0.1, y0 + 0.1)
    qtbot.waitUntil(lambda: f"rack {rack.id}" in window.hover.text(), timeout=2000)
    text = window.hover.text()
    assert f"rack {rack.id} OK at t = 30 s" in text
    assert f"chip {chip:.1f} °C" in text and f"inlet {inlet:.1f} °C" in text
    assert f"{power / 1e3:.1f} kW IT" in text and f"coolant {flow * 6e4:.0f} L/min" in text
    assert flow > 0 and "air " not in text  # no air model in this run: no air temperature
    # The numbers follow the time while the mouse rests: tripped after the pump failed.
    session.bar.slider.setValue(3000)
    assert f"rack {rack.id} TRIPPED at t = 300 s: 0.0 kW IT" in window.hover.text()
    # A CDU: supply temperature and its pumps' states (the duty pump failed at 60 s).
    cx0, cy0, _, _ = cdu.footprint
    hover_at(qtbot, window.canvas, cx0 + 0.1, cy0 + 0.1)
    qtbot.waitUntil(lambda: f"CDU {cdu.id}" in window.hover.text(), timeout=2000)
    session.bar.slider.setValue(300)
    assert f"supply {supply:.1f} °C" in window.hover.text()
    assert "CDU-1-PA running" in window.hover.text()
    session.bar.slider.setValue(1200)
    assert "CDU-1-PA FAILED" in window.hover.text()
