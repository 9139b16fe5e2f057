"""Inspector, problems panel and scenario editor: edits with immediate validation."""

from __future__ import annotations

import json

from PySide6 import QtCore, QtWidgets

from gui.editor import Editor
from gui.kernels import KernelWarmup
from gui.runpanel import AIR_DEFAULT_AREA
from twin.engine import COURANT_RANGE
from twin.examples import layouts_dir
from twin.files import load_scenario


def _row(inspector, key: str) -> int:
    table = inspector.table
    return next(r for r in range(table.rowCount()) if table.item(r, 0).text() == key)


def test_inspector_edits_with_units_and_rejects_a_bad_value(window, qtbot):
    assert window.open_layout(str(layouts_dir() / "pod-1mw.json"))
    rack = window.document.layout.racks[0]
    window.document.select({rack.id})
    inspector, stack = window.inspector, window.document.undo_stack
    row = _row(inspector, "power_kw")
    assert "nominal IT power [kW]" in inspector.table.item(row, 1).toolTip()
    inspector.table.item(row, 1).setText("-5")
    assert "must be > 0 kW, got -5" in inspector.error.text()
    assert stack.count() == 0 and window.document.layout.racks[0].power == rack.power
    QtCore.QCoreApplication.processEvents()
    assert inspector.table.item(_row(inspector, "power_kw"), 1).text() == f"{rack.power / 1e3:g}"
    # Typed into the cell's editor, as a user does.
    cell = inspector.table.item(_row(inspector, "power_kw"), 1)
    inspector.table.setCurrentItem(cell)
    inspector.table.editItem(cell)
    QtCore.QCoreApplication.processEvents()
    editor = next(e for e in inspector.table.viewport().findChildren(QtWidgets.QLineEdit)
                  if e.isVisible())
    editor.selectAll()
    qtbot.keyClicks(editor, "110")
    qtbot.keyClick(editor, QtCore.Qt.Key.Key_Return)
    QtCore.QCoreApplication.processEvents()
    assert window.document.layout.racks[0].power == 110e3
    QtCore.QCoreApplication.processEvents()
    assert inspector.error.text() == ""
    # Nested keys are dotted; choices come as a drop-down.
    QtCore.QCoreApplication.processEvents()
    inspector.table.item(_row(inspector, "chip.flow_exponent"), 1).setText("0.6")
    assert window.document.layout.racks[0].chip.flow_exponent == 0.6
    QtCore.QCoreApplication.processEvents()
    inlet = inspector.table.cellWidget(_row(inspector, "inlet"), 1)
    assert [inlet.itemText(i) for i in range(inlet.count())] == ["north", "east", "south",
                                                                    "west"]
    # Optional keys show empty and go back to the default rule when emptied.
    assert inspector.table.item(_row(inspector, "air_delta_t_k"), 1).text() == ""
    inspector.table.item(_row(inspector, "air_delta_t_k"), 1).setText("10")
    assert window.document.layout.racks[0].air_delta_t == 10.0
    QtCore.QCoreApplication.processEvents()
    inspector.table.item(_row(inspector, "air_delta_t_k"), 1).setText("")
    assert window.document.layout.racks[0].air_delta_t is None
    assert stack.count() == 4
    for _ in range(4):
        stack.undo()
    assert window.document.layout.racks[0] == rack


def test_problems_panel_click_selects_the_culprit(window, qtbot):
    window.palette_panel.choose("rack")
    window.editor.place("rack", 2.0, 2.0)
    panel = window.problems
    culprits = [i for i in range(panel.list.count())
                if panel.list.item(i).data(QtCore.Qt.ItemDataRole.UserRole + 1).component]
    assert culprits, "an unpiped rack is a problem with a component"
    item = panel.list.item(culprits[0])
    window.document.select(())
    rect = panel.list.visualItemRect(item)
    qtbot.mouseClick(panel.list.viewport(), QtCore.Qt.MouseButton.LeftButton,
                     pos=rect.center())
    problem = item.data(QtCore.Qt.ItemDataRole.UserRole + 1)
    assert window.document.selection == {problem.component}
    assert problem.component in window.inspector.title.text()
    assert window.counts.text().endswith("warnings")


def test_scenario_editor_builds_events_with_pickers(window, tmp_path):
    assert window.open_layout(str(layouts_dir() / "pod-1mw.json"))
    editor = window.scenarios
    editor.add_scenario()
    editor.add_event()
    scenario = window.document.layout.scenarios[-1]
    assert scenario.name == "Scenario 1" and scenario.events[0].action == "fail"
    picker = editor.table.cellWidget(0, 2)
    pumps = [picker.itemText(i) for i in range(picker.count())]
    assert "CDU-1-PA" in pumps and not any(r.id in pumps for r in window.document.layout.racks)
    picker.setCurrentText("CDU-1-PB")
    assert window.document.layout.scenarios[-1].events[0].target == "CDU-1-PB"
    QtCore.QCoreApplication.processEvents()
    editor.table.cellWidget(0, 1).setCurrentText("load_step")
    event = window.document.layout.scenarios[-1].events[0]
    assert event.action == "load_step" and event.targets == ["all"] and event.time == 60.0
    QtCore.QCoreApplication.processEvents()
    editor.table.item(0, 3).setText(json.dumps({"fraction": 2.0}))
    assert "fraction" in window.editor.last_error and "1" in window.editor.last_error
    assert window.document.layout.scenarios[-1].events[0].fraction == 0.5
    QtCore.QCoreApplication.processEvents()
    editor.table.item(0, 0).setText("90")
    assert window.document.layout.scenarios[-1].events[0].time == 90.0
    out = tmp_path / "exported.json"
    assert editor.export_file(str(out))
    assert load_scenario(out).events[0].time == 90.0
    editor.delete_scenario()
    assert window.document.layout.scenarios == []
    assert editor.import_file(str(out))
    assert window.document.layout.scenarios[0].events[0].time == 90.0


def test_refused_edits_never_raise(window):
    editor: Editor = window.editor
    assert editor.place("cdu", 50.0, 50.0) is None
    assert "outside the hall" in editor.last_error or "hall" in editor.last_error
    assert editor.link("pipe", "nope", "J9") is None
    assert editor.paste() is None or editor.last_error


def test_run_panel_passes_the_air_options_to_the_engine(window):
    """Grid and Courant number reach the engine's options; both follow the air switch."""
    panel = window.session.run_panel
    panel.air.setChecked(True)
    panel.grid.setValue(0.25)
    panel.courant.setValue(8.0)
    options = panel.options()
    assert (options.air, options.air_spacing, options.courant) == (True, 0.25, 8.0)
    assert (panel.courant.minimum(), panel.courant.maximum()) == COURANT_RANGE
    panel.courant.setValue(20.0)  # the box holds to the range the engine offers
    assert panel.options().courant == COURANT_RANGE[1]
    panel.air.setChecked(False)
    assert not panel.courant.isEnabled() and not panel.grid.isEnabled()
    assert panel.options().air is False


def _warm_up(panel, backend: str) -> None:
    """What a finished warm-up tells the panel: the air model ran on ``backend``."""
    warmup = KernelWarmup()
    warmup.result = f"kernels warm: coolant network, air ({backend}) in 3.2 s\n"
    panel.wait_for(warmup)
    warmup.finished.emit(True)


def _hall_area(window) -> float:
    hall = window.document.layout.hall
    return hall.width * hall.depth


def test_the_air_model_starts_on_for_small_halls_and_on_a_gpu_for_all(window):
    """Off for a hall over AIR_DEFAULT_AREA on a CPU, on once the warm-up ran the air on
    CuPy; a switch the user set for the hall stays as set."""
    panel = window.session.run_panel
    assert window.open_layout(str(layouts_dir() / "pod-1mw.json"))
    assert _hall_area(window) <= AIR_DEFAULT_AREA and panel.air.isChecked()
    assert window.open_layout(str(layouts_dir() / "hall-10mw.json"))
    assert _hall_area(window) > AIR_DEFAULT_AREA and not panel.air.isChecked()
    _warm_up(panel, "numba")
    assert not panel.air.isChecked()
    _warm_up(panel, "cupy")
    assert panel.air.isChecked() and panel.grid.isEnabled()


def test_a_gpu_leaves_the_users_air_switch_alone(window):
    panel = window.session.run_panel
    assert window.open_layout(str(layouts_dir() / "hall-10mw.json"))
    panel.air.click()  # on
    panel.air.click()  # and off again: the user's choice for this hall
    _warm_up(panel, "cupy")
    assert not panel.air.isChecked()
    assert window.open_layout(str(layouts_dir() / "pod-1mw.json"))  # another hall: defaults
    assert window.open_layout(str(layouts_dir() / "hall-10mw.json"))
    assert panel.air.isChecked()
