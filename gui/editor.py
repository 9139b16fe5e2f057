"""The editing commands of the app: what the palette, the canvas and the Edit menu do.

Every change goes through :meth:`Editor.apply`, which builds the new layout
with the twin's editing API (or :mod:`gui.edits`) and pushes it onto the
document's undo stack as one command.  A refused edit changes nothing and
is reported through :attr:`Editor.refused` with the twin's message.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from PySide6 import QtCore, QtGui, QtWidgets

from gui import edits
from gui.document import Change, HallDocument
from twin import editing
from twin.errors import UserError
from twin.pipe_sizing import pipe_row

#: MIME type of copied components on the clipboard (JSON of their file form).
CLIPBOARD_MIME = "application/x-halltwin-components"


class Editor(QtCore.QObject):
    """Edit operations on a document, with the actions that trigger them.

    Parameters
    ----------
    document : HallDocument
        What is edited.
    parent : QWidget
        Owner of the actions (the main window).

    Attributes
    ----------
    row_count : int
        Racks placed per click of the rack tool (a whole row at once).
    diameter_mm : float
        Bore of new pipes and valves.
    snap : float
        Grid (m) that placed and dragged things snap to; 0 for none.
    paste_point : callable
        Where a paste without a place goes: the cursor's point on the canvas
        (m), or None to paste beside the copied things.
    """

    refused = QtCore.Signal(str, str)
    """(what was tried, why it was refused): an edit the twin did not accept."""

    def __init__(self, document: HallDocument, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.document = document
        self.row_count = 1
        self.diameter_mm = 52.5
        self.snap = 0.1
        self.last_error = ""
        self.paste_point: Callable[[], tuple[float, float] | None] = lambda: None
        stack = document.undo_stack
        self.undo_action = stack.createUndoAction(parent, "&Undo")
        self.undo_action.setShortcut(QtGui.QKeySequence.StandardKey.Undo)
        self.redo_action = stack.createRedoAction(parent, "&Redo")
        self.redo_action.setShortcut(QtGui.QKeySequence.StandardKey.Redo)
        spec = [
            ("delete", "&Delete", QtGui.QKeySequence.StandardKey.Delete, self.delete_selected),
            ("rotate", "&Rotate 90°", "R", self.rotate_selected),
            ("copy", "&Copy", QtGui.QKeySequence.StandardKey.Copy, self.copy_selected),
            ("cut", "Cu&t", QtGui.QKeySequence.StandardKey.Cut, self.cut_selected),
            ("paste", "&Paste", QtGui.QKeySequence.StandardKey.Paste, self.paste),
            ("select_all", "Select &all", QtGui.QKeySequence.StandardKey.SelectAll,
             self.select_all),
            ("pipe_row", "Pipe selected racks to selected &CDU", "Ctrl+J", self.pipe_selection),
        ]
        self.actions: dict[str, QtGui.QAction] = {}
        for name, text, shortcut, slot in spec:
            action = QtGui.QAction(text, parent)
            action.setShortcut(QtGui.QKeySequence(shortcut))
            # Qt passes "checked" to a slot that takes arguments: call the slot bare.
            action.triggered.connect(lambda _=False, run=slot: run())
            self.actions[name] = action

    # -- the one way to change the layout -------------------------------------------------
    def apply(self, text: str, change: Change, select: Iterable[str] | None = None,
              report: bool = True) -> bool:
        """Make ``change`` one undoable command.

        If the twin refuses it, keep its message in :attr:`last_error`, emit
        :attr:`refused` (unless ``report`` is False: the caller shows the
        message itself) and return False.
        """
        try:
            self.document.edit(text, change, select)
        except UserError as error:
            self.last_error = str(error)
            if report:
                self.refused.emit(text, self.last_error)
            return False
        return True

    def refuse(self, message: str) -> None:
        """Tell the user why a gesture did nothing."""
        self.last_error = message
        self.refused.emit("Edit", message)

    # -- requests from the canvas ---------------------------------------------------------
    def place(self, kind: str, x: float, y: float) -> list[str] | None:
        """Place a rack row (``row_count`` racks), CDU, air unit or junction at (x, y) m."""
        placed: list[str] = []
        count = self.row_count if kind == "rack" else 1

        def change(layout):
            new, ids = edits.place(layout, kind, x, y, snap=self.snap, count=count)
            placed.extend(ids)
            return new

        label = {"rack": f"Add row of {count} racks" if count > 1 else "Add rack",
                 "cdu": "Add CDU", "air_unit": "Add air unit", "junction": "Add junction"}
        if not self.apply(label.get(kind, f"Add {kind}"), change, select=None):
            return None
        self.document.select(placed)
        return placed

    def link(self, kind: str, from_id: str, to_id: str) -> str | None:
        """Join two junctions with a pipe or a valve of ``diameter_mm``."""
        made: list[str] = []

        def change(layout):
            new, lid = edits.link(layout, kind, from_id, to_id, self.diameter_mm)
            made.append(lid)
            return new

        if not self.apply(f"Add {kind} {from_id} → {to_id}", change):
            return None
        self.document.select(made)
        return made[0]

    def leak(self, at: str) -> str | None:
        """Mark a junction or pipe as a leak point."""
        made: list[str] = []

        def change(layout):
            new, lid = edits.add_leak(layout, at)
            made.append(lid)
            return new

        return made[0] if self.apply(f"Add leak point on {at}", change) else None

    def move(self, ids: list[str], dx: float, dy: float) -> bool:
        """Move components by (dx, dy) m as one undo entry."""
        noun = ids[0] if len(ids) == 1 else f"{len(ids)} items"
        return self.apply(f"Move {noun}", lambda layout: edits.move_many(layout, ids, dx, dy))

    # -- menu commands on the selection ---------------------------------------------------
    def _selected(self) -> list[str]:
        return sorted(self.document.selection)

    def delete_selected(self) -> None:
        """Delete the selection (with the hoses, pipes and leaks that hang on it)."""
        ids = self._selected()
        if ids:
            self.apply(f"Delete {len(ids)} item(s)", lambda layout: editing.remove(layout, ids),
                       select=())

    def rotate_selected(self) -> None:
        """Turn the selected equipment a quarter turn clockwise."""
        ids = self._selected()
        if ids:
            self.apply("Rotate", lambda layout: edits.rotate_many(layout, ids))

    def copy_selected(self) -> bool:
        """Put the selection on the clipboard; returns False when nothing was selected."""
        ids = self._selected()
        if not ids:
            return False
        bundle = edits.copy_bundle(self.document.layout, ids)
        mime = QtCore.QMimeData()
        mime.setData(CLIPBOARD_MIME, QtCore.QByteArray(json.dumps(bundle).encode()))
        mime.setText(json.dumps(bundle, indent=2))
        QtWidgets.QApplication.clipboard().setMimeData(mime)
        return True

    def cut_selected(self) -> None:
        """Copy, then delete the selection."""
        if self.copy_selected():
            self.delete_selected()

    def paste(self, at: tuple[float, float] | None = None) -> list[str] | None:
        """Paste the clipboard's components at ``at`` (m), or just right of where they were."""
        mime = QtWidgets.QApplication.clipboard().mimeData()
        if mime is None or not mime.hasFormat(CLIPBOARD_MIME):
            self.refuse("Nothing to paste: copy racks, CDUs, air units or piping first.")
            return None
        try:
            bundle = json.loads(bytes(mime.data(CLIPBOARD_MIME)).decode())
            x0, y0 = edits.bundle_origin(bundle)
        except (ValueError, KeyError, TypeError, AttributeError):
            self.refuse("The clipboard does not hold HallTwin components that can be pasted.")
            return None
        except UserError as error:
            self.refuse(str(error))
            return None
        at = at or self.paste_point()
        if at is None:
            x1 = max((x["x_m"] + x.get("width_m", 0.6) for c in ("racks", "cdus", "air_units")
                      for x in bundle[c]), default=x0 + 0.6)
            at = (x1 + 0.6, y0)
        pasted: list[str] = []

        def change(layout):
            new, ids = edits.paste_bundle(layout, bundle, *at, snap=self.snap)
            pasted.extend(ids)
            return new

        if not self.apply("Paste", change):
            return None
        self.document.select(pasted)
        return pasted

    def select_all(self) -> None:
        """Select every rack, CDU, air unit, junction, pipe, valve and leak point."""
        self.document.select(c.component.id for c in self.document.layout.components()
                             if c.kind not in ("pump", "dry_cooler", "tower", "chiller"))

    def pipe_selection(self) -> None:
        """Pipe the selected racks to the selected CDU with sized headers and branches."""
        layout = self.document.layout
        chosen = self.document.selection
        racks = [r.id for r in layout.racks if r.id in chosen]
        cdus = [c.id for c in layout.cdus if c.id in chosen]
        if not racks or len(cdus) != 1:
            self.refuse("Select some racks and exactly one CDU, then pipe them.")
            return
        self.apply(f"Pipe {len(racks)} racks to {cdus[0]}",
                   lambda current: pipe_row(current, racks, cdus[0]))
