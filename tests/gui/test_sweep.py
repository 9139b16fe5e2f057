"""The Sweep panel: a sweep run through its own controls, the ranked table, the plan's colours,
replay of a contingency and summary files opened."""

from __future__ import annotations

import math

import h5py
import pytest
from PySide6 import QtCore

from gui.app import run_app
from gui.theme import OUTCOME_NEUTRAL, outcome_colour
from twin.examples import layouts_dir
from twin.sweeps import rank, write_summary

pytest.importorskip("distributed")


def _file_rows(path) -> list[dict]:
    """The summary's rows in file order, read independently of the app."""
    with h5py.File(path, "r") as file:
        ids = [v.decode() for v in file["contingency"][()]]
        columns = {name: file[name][()] for name in ("rank", "racks_tripped",
                                                      "max_chip_temperature")}
    return [{"id": cid, **{k: v[i] for k, v in columns.items()}} for i, cid in enumerate(ids)]


def _worst_by_drawn(rows, layout, measure) -> dict[str, float]:
    """Expected fills: pumps count for their CDU; plant equipment is not drawn."""
    owner = {p.id: c.id for c in layout.cdus for p in c.pumps}
    drawn = {c.id for c in (*layout.cdus, *layout.air_units, *layout.valves, *layout.leaks)}
    worst: dict[str, float] = {}
    for row in rows:
        for target in row["id"].split("+"):
            cid = owner.get(target, target)
            if cid in drawn and not math.isnan(row[measure]):
                worst[cid] = max(worst.get(cid, -math.inf), float(row[measure]))
    return worst


def test_a_sweep_started_from_the_panel_ranks_colours_and_replays(window, qtbot, tmp_path):
    assert window.open_layout(str(layouts_dir() / "pod-1mw.json"))
    layout = window.document.layout
    panel = window.sweep
    panel.folder = tmp_path
    panel.until.setValue(150.0)
    panel.workers.setValue(1)  # one local worker process: CI has two cores
    with qtbot.waitSignal(panel.runner.finished, timeout=180_000) as done:
        qtbot.mouseClick(panel.start_button, QtCore.Qt.MouseButton.LeftButton)
        assert not panel.start_button.isEnabled() and panel.cancel_button.isEnabled()
    path, message = done.args
    assert path, message
    assert message.startswith("7 contingencies in ")
    assert panel.progress.value() == panel.progress.maximum() == 7
    assert not panel.progress.isVisible()  # shown while a sweep runs
    # The table is the summary file: the same rows in the same (rank) order.
    rows = _file_rows(path)
    assert panel.shown_ids() == [r["id"] for r in rows]
    assert [r["rank"] for r in rows] == list(range(1, 8))
    for r, row in enumerate(rows):
        assert panel.table.item(r, 3).text() == f"{row['racks_tripped']}"
        assert panel.table.item(r, 5).text() == f"{row['max_chip_temperature']:.1f}"
    # The plan: the component whose failure is worst is dark red, racks are neutral.
    worst = _worst_by_drawn(rows, layout, "max_chip_temperature")
    top = max(worst, key=worst.get)
    assert window.canvas.items[top].brush().color().name() == outcome_colour(1.0)
    assert window.canvas.items[layout.racks[0].id].brush().color().name() == OUTCOME_NEUTRAL
    assert "Worst max chip temperature (°C) when this fails" in window.panel.legend.text()
    assert "not on the plan: DC-1, DC-2" in window.panel.legend.text()
    # Another measure recolours; switching the colours off restores the usual fills.
    panel.measure.setCurrentIndex(panel.measure.findData("racks_tripped"))
    assert "racks tripped when this fails" in window.panel.legend.text()
    panel.colour.setChecked(False)
    assert window.canvas.items[layout.racks[0].id].brush().color().name() == "#3b7dd8"
    # Selecting a row selects what failed (a pump: its CDU); Open run replays its run.
    row = next(i for i, r in enumerate(rows) if r["id"] == "CDU-1-PA")
    panel.table.selectRow(row)
    assert window.document.selection == {"CDU-1"}
    qtbot.mouseClick(panel.run_button, QtCore.Qt.MouseButton.LeftButton)
    model = window.session.model
    assert model.status == "complete" and model.end_time == 150.0
    assert any(e.component == "CDU-1-PA" and e.time == 60.0 for e in model.events)


def test_bad_settings_are_refused_with_a_message(window):
    assert window.open_layout(str(layouts_dir() / "pod-1mw.json"))
    panel = window.sweep
    panel.remote.setChecked(True)
    panel.scheduler.setText("10.0.0.5")
    assert not panel.start()
    assert "must look like tcp://HOST:PORT, got '10.0.0.5'" in window.last_message.informativeText()
    assert not panel.runner.busy and panel.start_button.isEnabled()


def _summary(path) -> None:
    """A summary as `halltwin sweep -o` writes it, for the pod."""
    def row(cid, kind, tripped, chip):
        return {"id": cid, "kind": kind, "status": "complete", "max_chip_temperature": chip,
                "max_chip_rack": "A1", "max_inlet_temperature": 25.0, "max_inlet_rack": "A1",
                "time_to_throttle": math.nan, "time_to_trip": 40.0 if tripped else math.nan,
                "racks_tripped": tripped, "compute_lost": 0.1 * tripped,
                "max_pipe_velocity": 1.2, "max_pipe": "P1", "pue": 1.1, "wue": 0.2,
                "message": ""}
    rows = rank([row("CRAH-1", "air_unit", 0, 70.0), row("CDU-1-PA", "pump", 0, 75.0),
                 row("CDU-1", "cdu", 8, 95.0), row("DC-1", "dry_cooler", 0, 66.0)])
    write_summary(path, rows, {"layout": "pod-1mw.json", "layout_name": "Pod 1 MW",
                               "order": 1, "until_s": 900.0})


def test_open_a_summary_file_and_refuse_what_is_not_one(window, tmp_path):
    assert window.open_layout(str(layouts_dir() / "pod-1mw.json"))
    path = tmp_path / "pod--sweep-n1.h5"
    _summary(path)
    panel = window.sweep
    assert panel.open_summary(str(path))
    assert panel.shown_ids() == ["CDU-1", "CDU-1-PA", "CRAH-1", "DC-1"]
    assert "N-1 of 'Pod 1 MW', 4 contingencies to 900 s" in panel.state.text()
    assert window.canvas.items["CDU-1"].brush().color().name() == outcome_colour(1.0)
    assert window.canvas.items["CRAH-1"].brush().color().name() == outcome_colour(0.0)
    # Sorting by another column and back keeps the ranking readable.
    panel.table.sortItems(5, QtCore.Qt.SortOrder.AscendingOrder)  # max chip, mildest first
    assert panel.shown_ids() == ["DC-1", "CRAH-1", "CDU-1-PA", "CDU-1"]
    # No run files were kept next to this summary: Open run says so.
    panel.table.selectRow(0)
    assert not panel.open_selected_run()
    assert "no run file of DC-1 next to the summary" in window.last_message.informativeText()
    bad = tmp_path / "notes.h5"
    bad.write_text("not hdf5")
    assert not panel.open_summary(str(bad))
    assert "cannot be read as a sweep summary" in window.last_message.informativeText()


def test_screenshot_with_a_sweep_summary(tmp_path, qapp):
    path = tmp_path / "pod--sweep-n1.h5"
    _summary(path)
    out = tmp_path / "sweep.png"
    assert run_app(str(layouts_dir() / "pod-1mw.json"), screenshot=str(out),
                   sweep=str(path)) == 0
    assert out.stat().st_size > 10_000
