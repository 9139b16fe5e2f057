"""Building a hall through the editor's own gestures and actions, undoing and redoing it."""

from __future__ import annotations

from PySide6 import QtCore

from gui.document import empty_layout
from tests.gui.conftest import click_at, to_widget


def _build_small_hall(window, qtbot) -> None:
    """A row of 4 racks, a CDU, a header pipe clicked node to node, and the row piped."""
    canvas, palette = window.canvas, window.palette_panel
    palette.row_count.setValue(4)
    palette.choose("rack")
    click_at(qtbot, canvas, 2.0, 2.0)
    palette.choose("cdu")
    click_at(qtbot, canvas, 7.0, 2.0)
    # Two header junctions joined by a pipe, clicked node to node (empty floor makes nodes).
    palette.choose("pipe")
    click_at(qtbot, canvas, 2.0, 5.0)
    click_at(qtbot, canvas, 6.0, 5.0)
    palette.choose("select")
    click_at(qtbot, canvas, 2.3, 2.8)
    for rack in ("R2", "R3", "R4", "CDU1"):
        box = window.document.layout.find(rack).component
        # Click inside, clear of the hose junctions at the centre.
        click_at(qtbot, canvas, box.x + 0.3, box.y + 0.2, control=True)
    window.editor.actions["pipe_row"].trigger()


def test_build_undo_to_empty_redo_save_and_reopen(window, qtbot, tmp_path):
    assert window.document.layout == empty_layout()
    _build_small_hall(window, qtbot)
    built = window.document.layout
    assert [r.id for r in built.racks] == ["R1", "R2", "R3", "R4"]
    assert [c.id for c in built.cdus] == ["CDU1"]
    assert {"J1", "J2", "P1"} <= {c.component.id for c in built.components()}
    assert len(built.pipes) > 8, "the row was piped to the CDU"
    stack = window.document.undo_stack
    steps = stack.count()
    assert steps == 6  # row, CDU, two junctions, pipe, piping of the row
    assert window.isWindowModified()
    while stack.canUndo():
        stack.undo()
    assert window.document.layout == empty_layout()
    while stack.canRedo():
        stack.redo()
    assert window.document.layout == built
    path = tmp_path / "small.json"
    assert window.files.save_as(str(path))
    assert not window.isWindowModified()
    assert window.files.new()
    assert window.document.layout == empty_layout()
    assert window.files.open_path(str(path))
    assert window.document.layout == built
    assert window.files.recent()[0] == str(path.resolve())


def test_drag_moves_the_selection_as_one_snapped_undo_entry(window, qtbot):
    window.palette_panel.row_count.setValue(3)
    window.palette_panel.choose("rack")
    click_at(qtbot, window.canvas, 1.0, 1.0)
    window.palette_panel.choose("select")
    window.editor.select_all()
    stack = window.document.undo_stack
    before = stack.count()
    viewport = window.canvas.viewport()
    start, end = to_widget(window.canvas, 1.3, 1.5), to_widget(window.canvas, 1.34, 3.53)
    qtbot.mousePress(viewport, QtCore.Qt.MouseButton.LeftButton, pos=start)
    for i in range(1, 13):
        qtbot.mouseMove(viewport, start + (end - start) * (i / 12))
    qtbot.mouseRelease(viewport, QtCore.Qt.MouseButton.LeftButton, pos=end)
    layout = window.document.layout
    assert stack.count() == before + 1
    assert [r.y for r in layout.racks] == [3.0, 3.0, 3.0]
    assert [r.x for r in layout.racks] == [1.0, 1.6, 2.2]
    # The hoses came along with their racks.
    assert layout.nodes["R1-S"].y == layout.racks[0].centre[1]
    stack.undo()
    assert [r.y for r in window.document.layout.racks] == [1.0, 1.0, 1.0]


def test_rubber_band_rotate_copy_paste_and_delete(window, qtbot):
    editor, document = window.editor, window.document
    window.palette_panel.choose("cdu")
    click_at(qtbot, window.canvas, 2.0, 2.0)
    window.palette_panel.choose("air_unit")
    click_at(qtbot, window.canvas, 6.0, 6.0)
    window.palette_panel.choose("select")
    window.canvas.band_select(QtCore.QRectF(1.5, 1.5, 2.0, 2.0))
    assert document.selection == {"CDU1", "CDU1-S", "CDU1-R"}
    editor.actions["rotate"].trigger()
    cdu = document.layout.cdus[0]
    assert cdu.front == "west"
    assert {document.layout.nodes[j].x for j in ("CDU1-S", "CDU1-R")} == {cdu.centre[0]}
    assert editor.copy_selected()
    pasted = editor.paste(at=(5.0, 2.0))
    assert "CDU2" in pasted and document.layout.cdus[1].x == 5.0
    assert {p.id for p in document.layout.cdus[1].pumps} == {"CDU2-PA", "CDU2-PB"}
    editor.actions["delete"].trigger()
    assert [c.id for c in document.layout.cdus] == ["CDU1"]
    assert "CDU2-S" not in document.layout.nodes
    # A paste that would land on the air unit is refused with the twin's message.
    editor.paste(at=(6.0, 6.0))
    assert "overlaps" in editor.last_error
    assert window.last_message.informativeText() == editor.last_error
    assert [c.id for c in document.layout.cdus] == ["CDU1"]


def test_valve_and_leak_tools_and_the_hover_readout(window, qtbot):
    canvas, palette = window.canvas, window.palette_panel
    palette.choose("valve")
    click_at(qtbot, canvas, 3.0, 3.0)
    click_at(qtbot, canvas, 5.0, 3.0)
    layout = window.document.layout
    assert [(v.from_, v.to) for v in layout.valves] == [("J1", "J2")]
    palette.choose("leak")
    click_at(qtbot, canvas, 3.0, 3.0)
    assert [(leak.id, leak.at) for leak in window.document.layout.leaks] == [("L1", "J1")]
    click_at(qtbot, canvas, 8.0, 8.0)
    assert "leak point goes on a junction" in window.editor.last_error
    assert "isolation valve V1" in canvas.hover_text(4.0, 3.0)
    window.document.select({"V1"})
    choice = window.inspector.table.cellWidget(
        next(r for r in range(window.inspector.table.rowCount())
             if window.inspector.table.item(r, 0).text() == "open"), 1)
    choice.setCurrentText("false")
    assert not window.document.layout.valves[0].open
    assert not canvas.items["V1"].is_open and canvas.items["V1"].childItems(), "crossed out"
    assert "CLOSED" in canvas.hover_text(4.0, 3.0)
    assert canvas.hover_text(1.0, 1.0).startswith("x 1.00 m, y 1.00 m")


def test_canvas_keys_pick_tools_and_delete_only_while_the_canvas_has_focus(window, qtbot):
    canvas = window.canvas
    canvas.setFocus()
    qtbot.keyClick(canvas, QtCore.Qt.Key.Key_2)
    assert canvas.tool == "cdu"
    click_at(qtbot, canvas, 3.0, 3.0)
    assert window.document.selection == {"CDU1"}
    qtbot.keyClick(canvas, QtCore.Qt.Key.Key_Escape)
    assert canvas.tool == "select"
    window.inspector.table.setFocus()
    qtbot.keyClick(window.inspector.table, QtCore.Qt.Key.Key_Delete)
    assert window.document.layout.cdus, "Delete in the inspector does not delete the CDU"
    canvas.setFocus()
    qtbot.keyClick(canvas, QtCore.Qt.Key.Key_Delete)
    assert not window.document.layout.cdus
