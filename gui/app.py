"""The HallTwin main window: the hall canvas in the middle, editing panels docked around it."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy
import pydantic
import pyqtgraph
import PySide6
from PySide6 import QtCore, QtGui, QtWidgets

from gui.canvas.panel import CanvasPanel
from gui.canvas.section import SectionView
from gui.document import HallDocument
from gui.editor import Editor
from gui.files import FileController
from gui.inspector import Inspector
from gui.kernels import KernelWarmup
from gui.menus import build_menus
from gui.palette import Palette
from gui.problems import ProblemsPanel
from gui.scenarios import ScenarioEditor
from gui.session import RunSession
from gui.sweep_panel import SweepPanel
from gui.theme import apply_theme
from twin import __version__
from twin.problems import Problem
from twin.validation.summary import summarize

#: File name endings of run files (opened for replay rather than editing).
RUN_SUFFIXES = (".h5", ".hdf5")


class MainWindow(QtWidgets.QMainWindow):
    """One hall open for editing, with its panels, menus and status bar.

    Parameters
    ----------
    settings : QSettings, optional
        Where the window remembers its panels, theme and recent files.
    autosave_folder : Path, optional
        Where unsaved edits are autosaved (default: the per-user data folder).
    runs_folder : Path, optional
        Where live runs are recorded (default: the per-user runs folder).
    warmup : KernelWarmup, optional
        Started now: compiles the engine's kernels while the window is up; the
        status bar says so and a run started meanwhile waits for it.
    """

    def __init__(self, settings: QtCore.QSettings | None = None,
                 autosave_folder: Path | None = None, runs_folder: Path | None = None,
                 warmup: KernelWarmup | None = None) -> None:
        super().__init__()
        self.settings = settings or QtCore.QSettings("HallTwin", "HallTwin")
        self.resize(1400, 900)
        self.document = HallDocument(parent=self)
        self.panel = CanvasPanel(self.document)
        self.canvas = self.panel.canvas
        self.editor = Editor(self.document, self)
        self.canvas.editor = self.editor
        self.editor.paste_point = lambda: (self.canvas.last_point if self.canvas.underMouse()
                                           else None)
        self.setCentralWidget(self.panel)
        self.palette_panel = Palette(self.canvas, self.editor)
        self.inspector = Inspector(self.document, self.editor)
        self.problems = ProblemsPanel(self.document)
        self.scenarios = ScenarioEditor(self.document, self.editor)
        self.summary = QtWidgets.QPlainTextEdit(readOnly=True)
        self.section = SectionView(self.canvas)
        self.history = QtWidgets.QUndoView(self.document.undo_stack)
        self.history.setEmptyLabel("<opened>")
        self.files = FileController(self.document, self, self.settings, autosave_folder)
        self.session = RunSession(self, runs_folder)
        self.sweep = SweepPanel(self.document, self.panel, self.session.open_run,
                                self.session.run_panel.folder)
        area = QtCore.Qt.DockWidgetArea
        self.docks: dict[str, QtWidgets.QDockWidget] = {}
        self._home: dict[str, QtCore.Qt.DockWidgetArea] = {}
        for title, widget, where in (
                ("Palette", self.palette_panel, area.LeftDockWidgetArea),
                ("History", self.history, area.LeftDockWidgetArea),
                ("Inspector", self.inspector, area.RightDockWidgetArea),
                ("Hall", self.summary, area.RightDockWidgetArea),
                ("Problems", self.problems, area.BottomDockWidgetArea),
                ("Scenarios", self.scenarios, area.BottomDockWidgetArea),
                ("Air section", self.section, area.BottomDockWidgetArea),
                ("Run", self.session.run_panel, area.RightDockWidgetArea),
                ("Events", self.session.events, area.BottomDockWidgetArea),
                ("Plots", self.session.plots, area.BottomDockWidgetArea),
                ("Cascade", self.session.timeline, area.BottomDockWidgetArea),
                ("Sweep", self.sweep, area.BottomDockWidgetArea)):
            dock = QtWidgets.QDockWidget(title, self)
            dock.setObjectName(title)
            dock.setWidget(widget)
            self.docks[title] = dock
            self._home[title] = where
        self._dock_home()
        self.files.problemsFound.connect(self.show_file_problems)
        self.editor.refused.connect(self.show_error)
        self.sweep.refused.connect(self.show_error)
        self.hover = QtWidgets.QLabel()
        self.counts = QtWidgets.QLabel()
        self.statusBar().addWidget(self.hover, 1)
        self.statusBar().addPermanentWidget(self.counts)
        self.canvas.hovered.connect(self.hover.setText)
        self.run_state = QtWidgets.QLabel(f"runs go to {self.session.run_panel.folder}")
        self.statusBar().addPermanentWidget(self.run_state)
        self.session.run_panel.message.connect(self.run_state.setText)
        self.sweep.message.connect(self.run_state.setText)
        self.kernels = QtWidgets.QLabel()
        self.statusBar().addPermanentWidget(self.kernels)
        self.warmup = warmup
        if warmup is not None:
            warmup.setParent(self)
            warmup.message.connect(self.kernels.setText)
            warmup.finished.connect(self._kernels_done)
            self.session.run_panel.wait_for(warmup)
            warmup.start()
        self.problems.countsChanged.connect(
            lambda e, w: self.counts.setText(f"{e} errors, {w} warnings"))
        self.problems.check()
        build_menus(self)
        # Beside the main tool bar, on the same row, so the canvas keeps its height.
        self.replay_bar = self.addToolBar("Replay")
        self.replay_bar.setObjectName("Replay tool bar")
        self.replay_bar.addWidget(self.session.bar)
        # No taller than the tool buttons, so adding it leaves the canvas as big as before.
        button = QtWidgets.QToolButton()
        button.setDefaultAction(self.editor.undo_action)
        self.session.bar.setMaximumHeight(button.sizeHint().height())
        self._scope_shortcuts_to_canvas()
        self.document.layoutChanged.connect(self._layout_changed)
        # Bound methods, not lambdas: Qt drops them when the window goes.
        self.document.undo_stack.cleanChanged.connect(self._update_title)
        self.document.pathChanged.connect(self._update_title)
        self._layout_changed(self.document.layout)
        self.restoreGeometry(self.settings.value("geometry", QtCore.QByteArray()))
        if not self.restoreState(self.settings.value("window_state", QtCore.QByteArray())):
            # Sizes apply once the window is laid out, so after the first show.
            QtCore.QTimer.singleShot(0, self._default_dock_sizes)
        self.set_dark(self.settings.value("dark", False, type=bool))

    def _kernels_done(self, ok: bool) -> None:
        if ok:  # a failure's reason stays up
            QtCore.QTimer.singleShot(10_000, self.kernels.clear)

    def _dock_home(self) -> None:
        """Put every panel in its starting place."""
        for title, dock in self.docks.items():
            dock.setFloating(False)
            self.addDockWidget(self._home[title], dock)
            dock.show()
        # One full-width tab group at the bottom: the timeline needs the width.
        for title in ("Scenarios", "Air section", "Events", "Plots", "Cascade", "Sweep"):
            self.tabifyDockWidget(self.docks["Problems"], self.docks[title])
        self.tabifyDockWidget(self.docks["Hall"], self.docks["Run"])
        self.docks["Problems"].raise_()
        self.docks["Run"].raise_()

    def _default_dock_sizes(self) -> None:
        horizontal, vertical = QtCore.Qt.Orientation.Horizontal, QtCore.Qt.Orientation.Vertical
        self.resizeDocks([self.docks["Palette"], self.docks["Inspector"]], [230, 380], horizontal)
        self.resizeDocks([self.docks["Problems"]], [170], vertical)
        self.resizeDocks([self.docks["Palette"], self.docks["History"]], [300, 300], vertical)
        self.resizeDocks([self.docks["Inspector"], self.docks["Hall"]], [480, 200], vertical)

    def _scope_shortcuts_to_canvas(self) -> None:
        """Keys that act on the drawing (Delete, R, 1-7, Ctrl+C/V...) work while the canvas
        has the focus, so typing in the inspector or a table never deletes or rotates."""
        scoped = [*(self.editor.actions[n] for n in ("delete", "rotate", "copy", "cut", "paste",
                                                    "select_all")),
                  *self.palette_panel.actions.values(), self.fit_action]
        for action in scoped:
            action.setShortcutContext(QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.canvas.addAction(action)
        self.canvas.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)

    # -- what the window shows -------------------------------------------------------------
    def _layout_changed(self, layout) -> None:
        self.summary.setPlainText("\n".join(summarize(layout)))
        self._update_title()

    def _update_title(self, *_) -> None:
        name = self.document.layout.name
        where = f" ({Path(self.document.path).name})" if self.document.path else ""
        self.setWindowTitle(f"{name}{where}[*] - HallTwin {__version__}")
        self.setWindowModified(self.document.modified)

    def open_layout(self, path: str) -> bool:
        """Open a layout file without asking about unsaved edits; False if it cannot be read."""
        opened = self.files.open_path(path, ask_first=False)
        if opened:
            self.canvas.fit()
        return opened

    def set_dark(self, dark: bool) -> None:
        """Switch between the light and the dark theme (remembered)."""
        app = QtWidgets.QApplication.instance()
        apply_theme(app, dark)
        self.canvas.set_dark(dark)
        self.section.set_dark(dark)
        self.session.plots.set_dark(dark)
        self.session.timeline.set_dark(dark)
        self.settings.setValue("dark", dark)
        if hasattr(self, "dark_action"):
            self.dark_action.setChecked(dark)

    # -- telling the user ------------------------------------------------------------------
    def show_error(self, title: str, message: str) -> None:
        """Say why something was refused: status bar and a non-blocking message box."""
        self.statusBar().showMessage(f"{title}: {message.splitlines()[0]}", 10_000)
        box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Warning, title,
                                    f"{title} was not done:", parent=self)
        box.setInformativeText(message)
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_message = box

    def show_file_problems(self, path: str, problems: list[Problem]) -> None:
        """A file that could not be opened: its problems in the panel and a message."""
        self.problems.show_problems(problems)
        self.docks["Problems"].raise_()
        self.show_error(f"Open {Path(path).name}", "\n".join(str(p) for p in problems))

    # -- the rest of the File and View menus -----------------------------------------------
    def export_png(self, path: str) -> bool:
        """Save the hall canvas as a PNG picture."""
        ok = self.canvas.export_png(path)
        if not ok:
            self.show_error("Export PNG", f"{path}: could not be written")
        return ok

    def show_worst_moment(self) -> None:
        """Move a replayed run to its first rack trip (else its hottest chip), select that
        rack and show the cascade timeline."""
        replay = self.session.replay
        time = replay.worst_time()
        self.session.model.set_cursor(time)
        trips = [e for e in self.session.model.events if e.state == "tripped"]
        if trips:
            self.document.select({trips[0].component})
        self.docks["Cascade"].raise_()
        # After the default sizes (also queued), so the timeline gets room for its lanes.
        QtCore.QTimer.singleShot(0, lambda: self.resizeDocks(
            [self.docks["Cascade"]], [330], QtCore.Qt.Orientation.Vertical))

    def show_sweep(self) -> None:
        """Bring the Sweep panel to the front, tall enough for its table."""
        self.docks["Sweep"].show()
        self.docks["Sweep"].raise_()
        # After the default sizes (also queued), like the cascade of show_worst_moment.
        QtCore.QTimer.singleShot(0, lambda: self.resizeDocks(
            [self.docks["Sweep"]], [330], QtCore.Qt.Orientation.Vertical))

    def reset_panels(self) -> None:
        """Put every panel back where it starts."""
        self._dock_home()
        self._default_dock_sizes()
        self.settings.remove("window_state")

    def about(self) -> None:
        """The About box, with the versions of what HallTwin runs on."""
        QtWidgets.QMessageBox.about(self, "About HallTwin", (
            f"<h3>HallTwin {__version__}</h3>"
            "<p>A digital twin of a liquid-cooled AI data hall: lay out racks, CDUs, air "
            "units and piping, and see what one failed pump does.</p>"
            f"<p>Python {sys.version.split()[0]}<br>Qt {QtCore.qVersion()}, PySide6 "
            f"{PySide6.__version__}<br>pyqtgraph {pyqtgraph.__version__}<br>NumPy "
            f"{numpy.__version__}<br>pydantic {pydantic.__version__}</p>"))

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt's API
        """Offer to save, remember the panels, and drop the autosave."""
        if not self.files.maybe_save():
            event.ignore()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())
        self.files.close()
        self.session.close()
        self.sweep.close()
        event.accept()


def settle(app: QtWidgets.QApplication) -> None:
    """Bring a shown window to what its first moments in the event loop make of it, for a
    picture taken without one: docks resized after the first layout pass need a few more
    passes, and Qt's dock layout replaces a tab bar when a second group of panels is
    tabbed and deletes the old one later (before this, "Hall | Run" showed through the
    Run panel of every screenshot)."""
    for _ in range(6):
        app.processEvents()
        app.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)


def _refused(window: MainWindow) -> int:
    """A screenshot of a file that does not open: no picture, exit 1, and why on stderr
    (the message box that says it in the app is never seen here)."""
    window.session.close()
    print(window.last_message.informativeText(), file=sys.stderr)
    return 1


def run_app(path: str | None = None, screenshot: str | None = None,
            select: list[str] | None = None, sweep: str | None = None) -> int:
    """Open the main window on ``path`` (or an empty hall) and run Qt's loop.

    With ``screenshot``, render the window once with the default panels and
    theme, save it as PNG and return (no recovery prompt, nothing
    remembered, no kernels compiled); ``select`` picks components to show
    selected; ``sweep`` is a sweep summary file to show in the Sweep panel.
    """
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setOrganizationName("HallTwin")
    app.setApplicationName("HallTwin")
    with tempfile.TemporaryDirectory(prefix="halltwin-") as scratch:
        if screenshot:
            # Settings and autosaves of a screenshot go to a scratch folder, so pictures do
            # not depend on (or change) what the user arranged.
            settings = QtCore.QSettings(str(Path(scratch) / "settings.ini"),
                                        QtCore.QSettings.Format.IniFormat)
            window = MainWindow(settings, Path(scratch) / "autosave")
        else:
            window = MainWindow(warmup=KernelWarmup())
        is_run = bool(path) and Path(path).suffix.lower() in RUN_SUFFIXES
        if is_run:
            if not window.session.open_run(path) and screenshot:
                return _refused(window)
            if screenshot:
                window.show_worst_moment()
        elif path and not window.open_layout(path) and screenshot:
            return _refused(window)
        if select:
            window.document.select(select)
        if sweep:
            if not window.sweep.open_summary(sweep) and screenshot:
                return _refused(window)
            window.show_sweep()
            if screenshot and not select:
                window.sweep.table.selectRow(0)  # the worst, selected on the plan too
        window.show()
        if screenshot:
            settle(app)
            window.files.close()
            saved = window.grab().save(screenshot)
            window.session.close()
            return 0 if saved else 1
        window.files.offer_recovery()
        return app.exec()
