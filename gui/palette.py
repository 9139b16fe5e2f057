"""The palette: tools for the canvas's left button, and what new things are made like."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from gui.canvas import HallCanvas
from gui.editor import Editor
from twin.pipe_sizing import STANDARD_BORES_MM

#: (tool, button text, shortcut, what it does): the palette's tools in order.
TOOLS = [
    ("select", "Select", "Esc", "Select, drag to move, drag on the floor for a rubber band"),
    ("rack", "Rack row", "1", "Click to place a row of racks (count below)"),
    ("cdu", "CDU", "2", "Click to place a CDU with a duty and a standby pump"),
    ("air_unit", "Air unit", "3", "Click to place a CRAH"),
    ("junction", "Junction", "4", "Click to place a pipe junction"),
    ("pipe", "Pipe", "5", "Click a junction, then the next; empty floor makes a junction"),
    ("valve", "Valve", "6", "Click the two junctions an isolation valve joins"),
    ("leak", "Leak point", "7", "Click a junction or pipe where a leak may start"),
]


class Palette(QtWidgets.QWidget):
    """Tool buttons and the settings of new components (row length, pipe bore, snap grid).

    Parameters
    ----------
    canvas : HallCanvas
        Whose tool the buttons choose.
    editor : Editor
        Whose settings the fields set.
    """

    def __init__(self, canvas: HallCanvas, editor: Editor,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas, self.editor = canvas, editor
        self.group = QtGui.QActionGroup(self)
        self.group.setExclusive(True)
        self.actions: dict[str, QtGui.QAction] = {}
        grid = QtWidgets.QGridLayout()
        for i, (tool, text, shortcut, tip) in enumerate(TOOLS):
            action = QtGui.QAction(text, self)
            action.setCheckable(True)
            action.setShortcut(QtGui.QKeySequence(shortcut))
            action.setToolTip(f"{tip} ({shortcut})")
            action.setData(tool)
            action.triggered.connect(lambda _=False, t=tool: self.choose(t))
            self.group.addAction(action)
            self.actions[tool] = action
            button = QtWidgets.QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding,
                                 QtWidgets.QSizePolicy.Policy.Fixed)
            grid.addWidget(button, i // 2, i % 2)
        self.actions["select"].setChecked(True)

        self.row_count = QtWidgets.QSpinBox(minimum=1, maximum=60, value=editor.row_count)
        self.row_count.valueChanged.connect(lambda n: setattr(editor, "row_count", n))
        self.bore = QtWidgets.QComboBox()
        for dn, bore in STANDARD_BORES_MM.items():
            self.bore.addItem(f"DN{dn} ({bore:g} mm)", bore)
        self.bore.setCurrentIndex(self.bore.findData(editor.diameter_mm))
        self.bore.currentIndexChanged.connect(
            lambda i: setattr(editor, "diameter_mm", self.bore.itemData(i)))
        self.snap = QtWidgets.QDoubleSpinBox(minimum=0.0, maximum=2.0, singleStep=0.05,
                                             decimals=2, value=editor.snap, suffix=" m")
        self.snap.setSpecialValueText("off")
        self.snap.valueChanged.connect(self._set_snap)
        form = QtWidgets.QFormLayout()
        form.addRow("Racks per row", self.row_count)
        form.addRow("Pipe bore", self.bore)
        form.addRow("Snap grid", self.snap)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(form)
        layout.addStretch(1)

    def choose(self, tool: str) -> None:
        """Make ``tool`` the canvas's current tool (and check its button)."""
        self.actions[tool].setChecked(True)
        self.canvas.set_tool(tool)

    def _set_snap(self, value: float) -> None:
        self.editor.snap = value
        self.canvas.snap = value
