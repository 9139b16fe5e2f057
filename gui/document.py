"""The open hall: its layout, file, selection and undo history.

Orange-canvas style: a :class:`LayoutCommand` on the document's
:class:`QtGui.QUndoStack` swaps whole (immutable) layouts, and every view
redraws from :attr:`HallDocument.layoutChanged`.  The new layout is computed
by the twin's editing API *before* the command is pushed, so a refused edit
(:class:`twin.editing.EditError`) never reaches the history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6 import QtCore, QtGui

from twin.files import parse_layout
from twin.model.layout import Layout

#: A layout edit: old layout in, new layout out (or EditError raised).
Change = Callable[[Layout], Layout]


def empty_layout(width: float = 12.0, depth: float = 9.0, height: float = 4.0,
                 name: str = "Untitled hall") -> Layout:
    """A hall with nothing in it (sizes in m)."""
    return parse_layout({"format": "halltwin-layout", "version": 1, "name": name,
                         "hall": {"width_m": width, "depth_m": depth, "height_m": height}})


class LayoutCommand(QtGui.QUndoCommand):
    """One undoable edit: the layout before and after, and the selection with each."""

    def __init__(self, document: HallDocument, text: str, before: Layout, after: Layout,
                 selected_after: Iterable[str]) -> None:
        super().__init__(text)
        self._document = document
        self._before, self._after = before, after
        self._selected_before = frozenset(document.selection)
        self._selected_after = frozenset(selected_after)

    def redo(self) -> None:  # noqa: D102 - Qt's API
        self._document._replace(self._after, self._selected_after)

    def undo(self) -> None:  # noqa: D102 - Qt's API
        self._document._replace(self._before, self._selected_before)


class HallDocument(QtCore.QObject):
    """The layout being edited, the file it came from and what is selected.

    Signals
    -------
    layoutChanged(Layout)
        After any change of the layout (edit, undo, redo, open, new).
    selectionChanged(frozenset)
        The ids of the selected components.
    pathChanged(str)
        The file the document is saved to ("" for a new one).
    """

    layoutChanged = QtCore.Signal(object)
    selectionChanged = QtCore.Signal(object)
    pathChanged = QtCore.Signal(str)

    def __init__(self, layout: Layout | None = None, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QtGui.QUndoStack(self)
        self._layout = layout or empty_layout()
        self._selection: frozenset[str] = frozenset()
        self._path = ""

    @property
    def layout(self) -> Layout:
        """The current layout (immutable; edit it with :meth:`edit`)."""
        return self._layout

    @property
    def selection(self) -> frozenset[str]:
        """Ids of the selected components."""
        return self._selection

    @property
    def path(self) -> str:
        """The file this document saves to, or "" if it has none yet."""
        return self._path

    @property
    def modified(self) -> bool:
        """True when there are edits not yet saved."""
        return not self.undo_stack.isClean()

    def reset(self, layout: Layout, path: str = "") -> None:
        """Start over on ``layout`` (after New or Open): no history, nothing selected."""
        self.undo_stack.clear()
        self._path = path
        self._replace(layout, frozenset())
        self.undo_stack.setClean()
        self.pathChanged.emit(path)

    def mark_saved(self, path: str) -> None:
        """Record that the layout is now in ``path``."""
        self._path = path
        self.undo_stack.setClean()
        self.pathChanged.emit(path)

    def edit(self, text: str, change: Change, select: Iterable[str] | None = None) -> bool:
        """Apply ``change`` as one undoable command called ``text``.

        Parameters
        ----------
        text : str
            What the Edit menu says ("Undo Move 3 items").
        change : callable
            Layout to new layout, built with :mod:`twin.editing`.
        select : iterable of str, optional
            What to select afterwards (default: the current selection, less
            whatever no longer exists).

        Returns
        -------
        bool
            False when the change left the layout as it was (nothing pushed).

        Raises
        ------
        twin.editing.EditError
            If the edit would leave the layout invalid; nothing changes.
        """
        after = change(self._layout)
        if after == self._layout:
            return False
        chosen = self._selection if select is None else frozenset(select)
        self.undo_stack.push(LayoutCommand(self, text, self._layout, after, chosen))
        return True

    def select(self, ids: Iterable[str]) -> None:
        """Select exactly ``ids`` (those that exist)."""
        self._set_selection(frozenset(ids))

    def _set_selection(self, ids: frozenset[str]) -> None:
        known = {c.component.id for c in self._layout.components()}
        ids = frozenset(i for i in ids if i in known)
        if ids != self._selection:
            self._selection = ids
            self.selectionChanged.emit(ids)

    def _replace(self, layout: Layout, selection: frozenset[str]) -> None:
        """Swap in a layout (commands and :meth:`reset` only)."""
        self._layout = layout
        self.layoutChanged.emit(layout)
        # Always tell the views: the same ids may now be different objects.
        known = {c.component.id for c in layout.components()}
        self._selection = frozenset(i for i in selection if i in known)
        self.selectionChanged.emit(self._selection)
