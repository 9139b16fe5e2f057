"""The scenario editor: the layout's scenarios as tables of timed events.

Each scenario embedded in the layout (``scenarios[]``) is edited here; a
scenario file can be imported into the layout and any scenario exported as a
``halltwin-scenario`` file.  Every change is one undoable edit through
:func:`twin.editing.apply`, so the schema checks it at once; the rules that
need the hall (targets exist, are of the right kind, times within the run)
show in the problems panel.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from PySide6 import QtCore, QtWidgets

from gui.document import HallDocument
from gui.editor import Editor
from twin.editing import apply as apply_edit
from twin.errors import UserError
from twin.files import load_scenario, save_atomic, to_document
from twin.model.layout import ACTION_TARGETS, Layout

#: What a new event of each action starts as (file keys; the target is filled in).
EVENT_TEMPLATES: dict[str, dict[str, Any]] = {
    "fail": {"target": "", "fraction": 1.0},
    "restore": {"target": ""},
    "set": {"target": "ambient", "property": "dry_bulb_c", "value": 35.0},
    "open_valve": {"target": ""},
    "close_valve": {"target": ""},
    "leak_start": {"target": ""},
    "leak_stop": {"target": ""},
    "load_step": {"targets": ["all"], "fraction": 0.5},
    "load_ramp": {"targets": ["all"], "to_fraction": 0.5, "duration_s": 60.0},
    "load_swing": {"targets": ["all"], "low_fraction": 0.3, "high_fraction": 1.0,
                   "period_s": 60.0},
}
COLUMNS = ["time_s", "action", "target", "other keys (JSON)"]


def targets_for(layout: Layout, action: str) -> list[str]:
    """Ids an event of ``action`` may name, for the target picker."""
    if action in ACTION_TARGETS:
        kinds = ACTION_TARGETS[action]
        return [c.component.id for c in layout.components() if c.kind in kinds]
    if action == "set":
        return ["ambient", "plant"] + [c.component.id for c in layout.components()]
    return ["all"] + [r.id for r in layout.racks]


def new_scenario(name: str) -> dict[str, Any]:
    """File form of an empty 10-minute scenario."""
    return {"format": "halltwin-scenario", "version": 1, "name": name, "duration_s": 600.0,
            "events": []}


class ScenarioEditor(QtWidgets.QWidget):
    """Pick a scenario of the layout; edit its name, duration and events."""

    def __init__(self, document: HallDocument, editor: Editor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.document, self.editor = document, editor
        self.chooser = QtWidgets.QComboBox()
        self.chooser.currentIndexChanged.connect(lambda _: self._fill_table())
        self.name = QtWidgets.QLineEdit()
        self.name.editingFinished.connect(
            lambda: self._change("Rename scenario", lambda s: s.update(name=self.name.text())))
        self.duration = QtWidgets.QDoubleSpinBox(minimum=1, maximum=1e7, decimals=0, suffix=" s")
        self.duration.editingFinished.connect(lambda: self._change(
            "Set scenario duration", lambda s: s.update(duration_s=self.duration.value())))
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.itemChanged.connect(self._cell_edited)
        self.table.setMinimumHeight(60)
        # One row of fields and one of buttons, so the panel stays short under the canvas.
        row = QtWidgets.QHBoxLayout()
        for text, widget, stretch in (("Scenario", self.chooser, 2), ("Name", self.name, 2),
                                      ("Duration", self.duration, 0)):
            row.addWidget(QtWidgets.QLabel(text))
            row.addWidget(widget, stretch)
        buttons = QtWidgets.QHBoxLayout()
        for text, slot in (("New", self.add_scenario), ("Delete", self.delete_scenario),
                           ("Add event", self.add_event), ("Remove event", self.remove_event),
                           ("Import file...", self._ask_import),
                           ("Export file...", self._ask_export)):
            button = QtWidgets.QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(row)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self._editing = False
        document.layoutChanged.connect(lambda _: self.refresh())
        self.refresh()

    # -- showing ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the scenarios of the layout, keeping the chosen one."""
        if self._editing:
            # The edit came from a cell or picker of the table: rebuild the table after
            # that widget's signal has returned, not while Qt is still inside it.
            QtCore.QTimer.singleShot(0, self.refresh)
            return
        index = max(self.chooser.currentIndex(), 0)
        self.chooser.blockSignals(True)
        self.chooser.clear()
        self.chooser.addItems([s.name for s in self.document.layout.scenarios])
        self.chooser.setCurrentIndex(min(index, self.chooser.count() - 1))
        self.chooser.blockSignals(False)
        self._fill_table()

    def _scenario_doc(self) -> dict[str, Any] | None:
        i = self.chooser.currentIndex()
        scenarios = self.document.layout.scenarios
        return to_document(scenarios[i]) if 0 <= i < len(scenarios) else None

    def _fill_table(self) -> None:
        scenario = self._scenario_doc()
        for widget in (self.name, self.duration, self.table):
            widget.setEnabled(scenario is not None)
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        if scenario is None:
            self.name.clear()
            self.table.blockSignals(False)
            return
        self.name.setText(scenario["name"])
        self.duration.setValue(scenario["duration_s"])
        self.table.setRowCount(len(scenario["events"]))
        for row, event in enumerate(scenario["events"]):
            self._fill_row(row, event)
        self.table.blockSignals(False)

    def _fill_row(self, row: int, event: dict[str, Any]) -> None:
        action = event["action"]
        self.table.setItem(row, 0, QtWidgets.QTableWidgetItem(f"{event['time_s']:g}"))
        actions = QtWidgets.QComboBox()
        actions.addItems(list(EVENT_TEMPLATES))
        actions.setCurrentText(action)
        actions.currentTextChanged.connect(lambda a, r=row: self.set_action(r, a))
        self.table.setCellWidget(row, 1, actions)
        key = "targets" if "targets" in event else "target"
        current = event[key][0] if key == "targets" else event[key]
        picker = QtWidgets.QComboBox()
        picker.setEditable(True)
        picker.addItems(targets_for(self.document.layout, action))
        picker.setCurrentText(current)
        picker.currentTextChanged.connect(lambda t, r=row: self.set_target(r, t))
        self.table.setCellWidget(row, 2, picker)
        rest = {k: v for k, v in event.items() if k not in ("action", "time_s", "target",
                                                            "targets")}
        if key == "targets" and len(event["targets"]) > 1:
            rest["targets"] = event["targets"]
        self.table.setItem(row, 3, QtWidgets.QTableWidgetItem(json.dumps(rest)))

    # -- editing ---------------------------------------------------------------------------
    def _change(self, text: str, mutate, select_last: bool = False) -> bool:
        """Apply ``mutate(scenario_document)`` to the chosen scenario as one edit."""
        i = self.chooser.currentIndex()
        if i < 0:
            return False
        ok = self.editor.apply(text, lambda layout: apply_edit(
            layout, lambda d: mutate(d["scenarios"][i])))
        if not ok:
            QtCore.QTimer.singleShot(0, self._fill_table)
        return ok

    def _set_event(self, row: int, mutate) -> bool:
        """Edit one event from its row of the table (whose rebuild waits, see refresh)."""
        self._editing = True
        try:
            return self._change(f"Edit event {row + 1}", lambda s: mutate(s["events"][row]))
        finally:
            self._editing = False

    def set_action(self, row: int, action: str) -> bool:
        """Turn event ``row`` into an ``action`` event, keeping its time."""
        targets = targets_for(self.document.layout, action)

        def mutate(event: dict[str, Any]) -> None:
            template = copy.deepcopy(EVENT_TEMPLATES[action])
            if template.get("target") == "" and targets:
                template["target"] = targets[0]
            time = event["time_s"]
            event.clear()
            event.update(action=action, time_s=time, **template)

        return self._set_event(row, mutate)

    def set_target(self, row: int, target: str) -> bool:
        """Point event ``row`` at ``target`` (a rack list starts with it)."""
        def mutate(event: dict[str, Any]) -> None:
            if "targets" in event:
                event["targets"] = [target]
            else:
                event["target"] = target

        return self._set_event(row, mutate)

    def _cell_edited(self, cell: QtWidgets.QTableWidgetItem) -> None:
        row, text = cell.row(), cell.text()
        if cell.column() == 0:
            try:
                time = float(text)
            except ValueError:
                self.editor.refuse(f"event {row + 1}: time_s must be a number of seconds, "
                                   f"got {text!r}")
                QtCore.QTimer.singleShot(0, self._fill_table)
                return
            self._set_event(row, lambda e: e.update(time_s=time))
        elif cell.column() == 3:
            try:
                extra = json.loads(text or "{}")
                if not isinstance(extra, dict):
                    raise ValueError
            except ValueError:
                self.editor.refuse(f"event {row + 1}: other keys must be a JSON object such "
                                   f"as {{\"fraction\": 0.5}}, got {text!r}")
                QtCore.QTimer.singleShot(0, self._fill_table)
                return

            def mutate(event: dict[str, Any]) -> None:
                kept = {k: event[k] for k in ("action", "time_s", "target", "targets")
                        if k in event}
                event.clear()
                event.update(kept, **extra)

            self._set_event(row, mutate)

    def add_scenario(self) -> None:
        """Add an empty scenario to the layout and show it."""
        name = f"Scenario {len(self.document.layout.scenarios) + 1}"
        if self.editor.apply("New scenario", lambda layout: apply_edit(
                layout, lambda d: d["scenarios"].append(new_scenario(name)))):
            self.chooser.setCurrentIndex(self.chooser.count() - 1)

    def delete_scenario(self) -> None:
        """Remove the chosen scenario from the layout."""
        i = self.chooser.currentIndex()
        if i >= 0:
            self.editor.apply("Delete scenario", lambda layout: apply_edit(
                layout, lambda d: d["scenarios"].pop(i)))

    def add_event(self) -> None:
        """Append a fail event one minute after the last event."""
        scenario = self._scenario_doc()
        if scenario is None:
            self.editor.refuse("Make a scenario first (New), then add its events.")
            return
        time = max((e["time_s"] for e in scenario["events"]), default=0.0) + 60.0
        targets = targets_for(self.document.layout, "fail")
        event = {"action": "fail", "time_s": min(time, scenario["duration_s"]),
                 "target": targets[0] if targets else "", "fraction": 1.0}
        self._change("Add event", lambda s: s["events"].append(event))

    def remove_event(self) -> None:
        """Remove the event of the current table row."""
        row = self.table.currentRow()
        if row >= 0:
            self._change(f"Remove event {row + 1}", lambda s: s["events"].pop(row))

    # -- scenario files --------------------------------------------------------------------
    def import_file(self, path: str) -> bool:
        """Add the scenario in a ``halltwin-scenario`` file to the layout and show it."""
        try:
            scenario = to_document(load_scenario(path))
        except UserError as error:
            self.editor.refuse(str(error))
            return False
        ok = self.editor.apply(f"Import scenario {scenario['name']}", lambda layout: apply_edit(
            layout, lambda d: d["scenarios"].append(scenario)))
        if ok:
            self.chooser.setCurrentIndex(self.chooser.count() - 1)
        return ok

    def export_file(self, path: str) -> bool:
        """Save the chosen scenario as a scenario file (atomically)."""
        i = self.chooser.currentIndex()
        if i < 0:
            self.editor.refuse("There is no scenario to export.")
            return False
        try:
            save_atomic(self.document.layout.scenarios[i], path)
        except UserError as error:
            self.editor.refuse(str(error))
            return False
        return True

    def _ask_import(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Import scenario", "",
                                                        "Scenarios (*.json)")
        if path:
            self.import_file(path)

    def _ask_export(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export scenario", "",
                                                        "Scenarios (*.json)")
        if path:
            self.export_file(path)
