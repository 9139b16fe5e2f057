"""The problems panel: what :func:`twin.validation.check_layout` says about the hall now.

It re-checks after every change of the layout; clicking a problem selects
the component at fault (:attr:`twin.problems.Problem.component`) on the
canvas and in the inspector.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from gui.document import HallDocument
from twin.problems import Problem
from twin.validation import check_layout

#: Role of a list item holding its Problem.
PROBLEM_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1


class ProblemsPanel(QtWidgets.QWidget):
    """A list of errors and warnings, with a count, that selects the culprit on click.

    Signals
    -------
    countsChanged(int, int)
        Number of errors and warnings after each check.
    """

    countsChanged = QtCore.Signal(int, int)

    def __init__(self, document: HallDocument, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.problems: list[Problem] = []
        self.heading = QtWidgets.QLabel()
        self.list = QtWidgets.QListWidget()
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.itemClicked.connect(self._clicked)
        self.list.itemActivated.connect(self._clicked)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.heading)
        layout.addWidget(self.list, 1)
        document.layoutChanged.connect(self.check)
        self.check(document.layout)

    def show_problems(self, problems: list[Problem]) -> None:
        """List ``problems`` (also those of a file that could not be read at all)."""
        self.problems = list(problems)
        self.list.clear()
        style = self.style()
        icons = {"error": style.standardIcon(QtWidgets.QStyle.StandardPixmap.SP_MessageBoxCritical),
                 "warning": style.standardIcon(
                     QtWidgets.QStyle.StandardPixmap.SP_MessageBoxWarning)}
        for problem in sorted(self.problems, key=lambda p: p.severity != "error"):
            where = problem.path or problem.file or "layout"
            item = QtWidgets.QListWidgetItem(icons[problem.severity],
                                             f"{where}: {problem.message}")
            item.setData(PROBLEM_ROLE, problem)
            item.setToolTip(str(problem))
            if not problem.component:
                item.setForeground(QtGui.QBrush(self.palette().color(
                    QtGui.QPalette.ColorRole.PlaceholderText)))
            self.list.addItem(item)
        errors = sum(p.severity == "error" for p in self.problems)
        warnings = len(self.problems) - errors
        self.heading.setText("No problems: the hall is ready to run." if not self.problems
                             else f"{errors} error(s), {warnings} warning(s): click one to "
                                  "select the component")
        self.countsChanged.emit(errors, warnings)

    def check(self, layout=None) -> None:
        """Run the validator on the document's layout and list what it finds."""
        self.show_problems(check_layout(layout or self.document.layout, self.document.path))

    def _clicked(self, item: QtWidgets.QListWidgetItem) -> None:
        problem: Problem = item.data(PROBLEM_ROLE)
        if problem.component:
            self.document.select({problem.component})
