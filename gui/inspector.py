"""The property inspector: the selected component's file keys, edited in place.

Keys are shown as in the file, so each carries its unit (``power_kw``,
``design_dp_kpa``); nested settings appear dotted (``chip.flow_exponent``).
An edit goes through :func:`twin.editing.set_property` at once: a value the
twin refuses is not applied, the row goes back to the current value and the
twin's message shows under the table.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from gui.document import HallDocument
from gui.editor import Editor
from twin.editing import set_property
from twin.files import to_document

#: Keys shown but not editable here: ids are renamed by deleting and re-adding.
READ_ONLY = {"id"}


@cache
def _schema(model: type) -> dict[str, Any]:
    return model.model_json_schema(by_alias=True)


def key_info(model: type, key: str) -> tuple[str, list[str]]:
    """Description (with unit and range) and allowed choices of a top-level file key."""
    schema = _schema(model)
    prop = schema.get("properties", {}).get(key, {})
    if "$ref" in prop:
        prop = {**schema.get("$defs", {}).get(prop["$ref"].split("/")[-1], {}), **prop}
    parts = [prop.get("description", "")]
    bounds = [f"{op} {prop[k]:g}" for k, op in (("exclusiveMinimum", ">"), ("minimum", ">="),
                                                  ("exclusiveMaximum", "<"), ("maximum", "<="))
              if isinstance(prop.get(k), int | float)]
    if bounds:
        parts.append("allowed: " + ", ".join(bounds))
    if "enum" in prop:
        return "; ".join(p for p in parts if p), [str(v) for v in prop["enum"]]
    if prop.get("type") == "boolean":
        return "; ".join(p for p in parts if p), ["true", "false"]
    return "; ".join(p for p in parts if p), []


def flatten(document: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted key, value) pairs; objects nest with dots, lists stay whole (as JSON)."""
    rows: list[tuple[str, Any]] = []
    for key, value in document.items():
        if isinstance(value, dict):
            rows += flatten(value, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


def parse_value(text: str, old: Any) -> Any:
    """The JSON value typed into a cell: numbers, true/false, lists; empty is null (the
    default rule, for optional keys); anything else is the text."""
    text = text.strip()
    if not text:
        return None
    if isinstance(old, str) and not text.startswith(("[", "{")):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def show_value(value: Any) -> str:
    """How a file value is written in a cell (whole numbers without a trailing ".0"; an
    absent optional value as an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return value if isinstance(value, str) else json.dumps(value)


class Inspector(QtWidgets.QWidget):
    """Key / value table of the one selected component, with inline validation messages."""

    def __init__(self, document: HallDocument, editor: Editor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.document, self.editor = document, editor
        self.component_id = ""
        self.title = QtWidgets.QLabel()
        self.title.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["key (unit)", "value"])
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemChanged.connect(self._cell_edited)
        self.error = QtWidgets.QLabel()
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setStyleSheet("color: #d62728; font-weight: bold;")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        self._editing = False
        document.selectionChanged.connect(lambda _: self.refresh())
        document.layoutChanged.connect(lambda _: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        """Show the selected component (or a hint when none or several are selected)."""
        if self._editing:
            # The edit came from a cell of this table: rebuild it once that cell's signal
            # has returned, not while Qt is still inside it.
            QtCore.QTimer.singleShot(0, self.refresh)
            return
        selection = self.document.selection
        located = self.document.layout.find(next(iter(selection))) if len(selection) == 1 else None
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        if located is None:
            self.component_id = ""
            self.title.setText(f"{len(selection)} selected" if selection
                               else "Select one component to see its properties.")
            self.table.blockSignals(False)
            return
        component = located.component
        if component.id != self.component_id:
            self.error.clear()
        self.component_id = component.id
        self.title.setText(f"<b>{component.id}</b> ({located.kind.replace('_', ' ')}, "
                           f"{located.path})")
        rows = flatten(to_document(component))
        self.table.setRowCount(len(rows))
        for row, (key, value) in enumerate(rows):
            description, choices = key_info(type(component), key) if "." not in key \
                else ("", [])
            name = QtWidgets.QTableWidgetItem(key)
            name.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled)
            name.setToolTip(description)
            self.table.setItem(row, 0, name)
            cell = QtWidgets.QTableWidgetItem(show_value(value))
            cell.setData(QtCore.Qt.ItemDataRole.UserRole, (key, value))
            cell.setToolTip(description + ("; empty: use the default rule" if value is None
                                           else ""))
            if key in READ_ONLY:
                cell.setFlags(QtCore.Qt.ItemFlag.ItemIsEnabled)
                cell.setForeground(QtGui.QBrush(QtGui.QColor("#808080")))
            self.table.setItem(row, 1, cell)
            if choices and key not in READ_ONLY:
                self.table.setCellWidget(row, 1, self._choice_box(key, value, choices))
        self.table.blockSignals(False)

    def _choice_box(self, key: str, value: Any, choices: list[str]) -> QtWidgets.QComboBox:
        box = QtWidgets.QComboBox()
        box.addItems(choices)
        box.setCurrentText(show_value(value))
        box.currentTextChanged.connect(lambda text, k=key, v=value: self.set_value(k, text, v))
        return box

    def _cell_edited(self, cell: QtWidgets.QTableWidgetItem) -> None:
        key, old = cell.data(QtCore.Qt.ItemDataRole.UserRole)
        self.set_value(key, cell.text(), old)

    def set_value(self, key: str, text: str, old: Any = None) -> bool:
        """Set ``key`` of the shown component from the text typed; False if refused."""
        value = parse_value(text, old)
        if value == old:
            return True
        cid = self.component_id
        self._editing = True
        try:
            ok = self.editor.apply(f"Set {cid}.{key}",
                                   lambda layout: set_property(layout, cid, key, value),
                                   report=False)
        finally:
            self._editing = False
        if ok:
            self.error.clear()
        else:
            self.error.setText(f"{key} = {text} was not applied:\n{self.editor.last_error}")
            # Put the current value back (the model is unchanged).
            QtCore.QTimer.singleShot(0, self.refresh)
        return ok
