"""The Sweep panel: run a hall's N-1 / N-2 contingencies on Dask and browse them, worst first.

Start runs :func:`twin.sweeps.runner.run_sweep` - the code behind
``halltwin sweep`` - from a plain thread (:class:`SweepRunner`): on a local
cluster of worker processes, or on a Dask scheduler by address, so the
engine never runs in the app's process and the window stays responsive.
Each finished contingency moves the progress bar and the table; at the end
the ranked summary is written (``<runs>/sweeps/<hall>--<time>/``, with every
contingency's run file beside it) and shown from that file, as File ▸ Open
sweep summary shows one written by ``halltwin sweep``.

The table has one row per contingency, worst first (click a header to sort
by another column).  Clicking a row selects what failed on the plan;
double-clicking it (or Open run) replays its run file.  "Colour the plan"
fills each component by the worst outcome of the contingencies it fails in
(:func:`gui.sweep_data.worst_by_component`), with the scale in the legend.
"""

from __future__ import annotations

import math
import time as clock
from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from gui.canvas.panel import CanvasPanel, swatch
from gui.document import HallDocument
from gui.sweep_data import (
    MEASURES,
    TABLE,
    SweepSummary,
    cell_text,
    drawn_component,
    read_summary,
    worst_by_component,
)
from gui.sweep_runner import SweepRunner, check_sweep
from gui.theme import OUTCOME_NEUTRAL, outcome_colour
from twin.errors import UserError
from twin.sweeps import rank

#: Shortest time between two refills of the table while a sweep runs (s).
TABLE_INTERVAL = 0.25


class _Cell(QtWidgets.QTableWidgetItem):
    """A table cell that sorts by its value (numbers as numbers, NaN last), not its text."""

    def __init__(self, text: str, key: float | str) -> None:
        super().__init__(text)
        self.key = key

    def __lt__(self, other: QtWidgets.QTableWidgetItem) -> bool:
        return self.key < getattr(other, "key", self.key)


class SweepPanel(QtWidgets.QWidget):
    """Start, watch and browse contingency sweeps of the open hall.

    Parameters
    ----------
    document : HallDocument
        The hall swept (its layout when Start is pressed) and whose selection
        follows the table.
    canvas_panel : CanvasPanel
        Coloured by the worst outcome per component.
    open_run : callable
        ``open_run(path) -> bool`` replays a run file (the window's).
    folder : Path
        Sweeps go to ``folder / "sweeps"`` (the runs folder).

    Signals
    -------
    refused(str, str)
        Something could not be done: a title and why (bad input, a bad file).
    message(str)
        A line for the status bar.
    """

    refused = QtCore.Signal(str, str)
    message = QtCore.Signal(str)

    def __init__(self, document: HallDocument, canvas_panel: CanvasPanel,
                 open_run: Callable[[str], bool], folder: Path,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.document, self.canvas_panel, self.open_run = document, canvas_panel, open_run
        self.folder = folder
        self.summary: SweepSummary | None = None
        self.rows: list[dict] = []
        self.runner = SweepRunner(self)
        self.runner.progressed.connect(self._progressed)
        self.runner.finished.connect(self._finished)
        self._live_rows: list[dict] = []
        self._filled_at = 0.0
        self._started = 0.0
        self._build()
        # Opaque: a stale tab bar that Qt's dock layout leaves behind the bottom docks would
        # otherwise show through between the controls.
        self.setAutoFillBackground(True)
        self.table.itemSelectionChanged.connect(self._select_failed)
        self.table.itemDoubleClicked.connect(lambda _: self.open_selected_run())

    def _build(self) -> None:
        self.order = QtWidgets.QComboBox()
        self.order.addItems(["N-1: every single failure", "N-2: every pair"])
        self.sample = QtWidgets.QSpinBox(minimum=0, maximum=100_000, specialValueText="all",
                                         toolTip="N-2: run this many pairs drawn at random")
        self.sample.setEnabled(False)
        self.order.currentIndexChanged.connect(lambda i: self.sample.setEnabled(i == 1))
        self.until = QtWidgets.QDoubleSpinBox(decimals=0, minimum=90, maximum=86_400, value=900,
                                              suffix=" s", toolTip="End of each run; the "
                                              "failures happen at 60 s")
        self.local = QtWidgets.QRadioButton("local workers", checked=True)
        self.workers = QtWidgets.QSpinBox(minimum=1, maximum=256, value=2,
                                          toolTip="Worker processes on this computer")
        self.remote = QtWidgets.QRadioButton("scheduler")
        self.scheduler = QtWidgets.QLineEdit(placeholderText="tcp://HOST:PORT", enabled=False)
        self.remote.toggled.connect(self.scheduler.setEnabled)
        self.remote.toggled.connect(lambda on: self.workers.setEnabled(not on))
        self.start_button = QtWidgets.QPushButton("Start sweep")
        self.cancel_button = QtWidgets.QPushButton("Cancel", enabled=False,
                                                   toolTip="Stop at the next finished run")
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.runner.cancel)
        self.progress = QtWidgets.QProgressBar(format="%v / %m done", visible=False)
        self.state = QtWidgets.QLabel("No sweep shown.")
        self.open_button = QtWidgets.QPushButton("Open summary…")
        self.open_button.clicked.connect(self.ask_open_summary)
        self.run_button = QtWidgets.QPushButton("Open run", enabled=False,
                                                toolTip="Replay the selected contingency's run")
        self.run_button.clicked.connect(self.open_selected_run)
        self.colour = QtWidgets.QCheckBox("Colour the plan by the worst", checked=True)
        self.measure = QtWidgets.QComboBox()
        for key, (label, _) in MEASURES.items():
            self.measure.addItem(label, key)
        self.colour.toggled.connect(lambda _: self.colour_plan())
        self.measure.currentIndexChanged.connect(lambda _: self.colour_plan())
        self.table = QtWidgets.QTableWidget(0, len(TABLE))
        self.table.setHorizontalHeaderLabels([header for _, header, _ in TABLE])
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        first = QtWidgets.QHBoxLayout()
        for widget in (self.order, QtWidgets.QLabel("sample"), self.sample,
                       QtWidgets.QLabel("until"), self.until, self.local, self.workers,
                       self.remote, self.scheduler, self.start_button, self.cancel_button,
                       self.progress):
            first.addWidget(widget)
        first.setStretch(first.indexOf(self.scheduler), 1)
        first.setStretch(first.indexOf(self.progress), 2)
        second = QtWidgets.QHBoxLayout()
        for widget in (self.open_button, self.run_button, self.colour, self.measure):
            second.addWidget(widget)
        second.addWidget(self.state, 1)
        column = QtWidgets.QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.addLayout(first)
        column.addLayout(second)
        column.addWidget(self.table, 1)

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's API
        """Wide and short: the window gives the bottom panels their height once shown."""
        return QtCore.QSize(900, 150)

    # -- running ---------------------------------------------------------------------------
    def start(self) -> bool:
        """Sweep the open hall with the panel's settings; False (and why) if it cannot."""
        if self.runner.busy:
            return False
        scheduler = self.scheduler.text().strip() if self.remote.isChecked() else None
        try:
            cases, attributes = check_sweep(self.document.layout, self.document.path,
                                            self.order.currentIndex() + 1, self.until.value(),
                                            self.sample.value() or None, scheduler)
        except UserError as error:
            self.refused.emit("Start sweep", str(error))
            return False
        name = self.document.layout.name.replace(" ", "-").replace("/", "-")
        folder = self.folder / "sweeps" / f"{name}--{clock.strftime('%Y%m%d-%H%M%S')}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            self.refused.emit("Start sweep", f"{folder}: cannot be made ({error.strerror})")
            return False
        path = folder / f"{name}--sweep-n{attributes['order']}.h5"
        self._live_rows, self._started = [], clock.perf_counter()
        self.progress.setRange(0, len(cases))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        where = scheduler or f"{self.workers.value()} local worker process(es)"
        self.state.setText(f"{len(cases)} contingencies: starting {where}…")
        self.runner.start(self.document.layout, cases, path, attributes, scheduler,
                          self.workers.value())
        return True

    def _progressed(self, row: dict, done: int, total: int) -> None:
        self._live_rows.append(row)
        wall = clock.perf_counter() - self._started
        self.progress.setValue(done)
        self.state.setText(f"{done} / {total} done in {wall:.0f} s, about "
                           f"{wall / done * (total - done):.0f} s left; last: {row['id']}")
        now = clock.perf_counter()
        if now - self._filled_at > TABLE_INTERVAL or done == total:
            self._filled_at = now
            self._show_rows(rank(self._live_rows))

    def _finished(self, path: str, message: str) -> None:
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress.setVisible(False)
        if path:
            self.open_summary(path)
        self.state.setText(message)
        self.message.emit(f"Sweep: {message}")

    def close(self) -> None:
        """Stop a running sweep (at its next result) when the window goes."""
        self.runner.cancel()

    # -- showing ---------------------------------------------------------------------------
    def ask_open_summary(self) -> None:
        """Ask for a summary file and show it."""
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self, "Open sweep summary", str(self.folder / "sweeps"),
            "Sweep summaries (*.h5 *.hdf5)")
        if path:
            self.open_summary(path)

    def open_summary(self, path: str) -> bool:
        """Show a summary file written by a sweep; False (and why) if it cannot be read."""
        try:
            summary = read_summary(path)
        except UserError as error:
            self.refused.emit(f"Open {Path(path).name}", str(error))
            return False
        self.summary = summary
        self._show_rows(summary.rows)
        hall = summary.attributes.get("layout_name", "?")
        note = ("" if hall == self.document.layout.name else
                f" (the open hall is '{self.document.layout.name}': open {hall}'s layout to "
                "see the colours on its plan)")
        self.state.setText(f"{Path(path).name}: N-{summary.attributes.get('order', '?')} of "
                           f"'{hall}', {len(summary.rows)} contingencies to "
                           f"{float(summary.attributes.get('until_s', math.nan)):g} s{note}")
        return True

    def _show_rows(self, rows: list[dict]) -> None:
        self.rows = rows
        table = self.table
        table.setSortingEnabled(False)
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, (column, _, digits) in enumerate(TABLE):
                text = cell_text(row, column, digits)
                key = str(row[column]) if digits is None else float(row[column])
                if digits is not None and math.isnan(key):
                    key = math.inf
                cell = _Cell(text, key)
                if digits is not None:
                    cell.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight
                                          | QtCore.Qt.AlignmentFlag.AlignVCenter)
                if row["status"] != "complete":
                    cell.setToolTip(str(row.get("message", "")))
                table.setItem(r, c, cell)
        table.setSortingEnabled(True)
        table.sortItems(0, QtCore.Qt.SortOrder.AscendingOrder)
        table.resizeColumnsToContents()
        self.colour_plan()

    def shown_ids(self) -> list[str]:
        """Contingency ids in the order the table shows them."""
        column = next(i for i, (name, _, _) in enumerate(TABLE) if name == "id")
        return [self.table.item(r, column).text() for r in range(self.table.rowCount())]

    def colour_plan(self) -> None:
        """Fill the plan by the chosen measure's worst value per failed component."""
        rows = self.rows
        if not self.colour.isChecked() or not rows:
            self.canvas_panel.show_outcome(None)
            return
        measure = self.measure.currentData()
        label, unit = MEASURES[measure]
        worst, elsewhere = worst_by_component(rows, self.document.layout, measure)
        low, high = (min(worst.values()), max(worst.values())) if worst else (0.0, 0.0)
        span = high - low

        def fraction(value: float) -> float:
            return (value - low) / span if span > 0 else 0.0

        fills = {cid: outcome_colour(fraction(v)) for cid, v in worst.items()}
        steps = [low + span * k / 4 for k in range(5)] if span > 0 else [low]
        digits = 0 if measure == "racks_tripped" else 1 if unit == "°C" else 2
        scale = " ".join(swatch(outcome_colour(fraction(v)), f"{v:.{digits}f}") for v in steps)
        legend = (f"&nbsp;<b>Worst {label}{f' ({unit})' if unit else ''} when this fails:</b> "
                  f"{scale}&nbsp;&nbsp;│&nbsp;{swatch(OUTCOME_NEUTRAL, 'in no contingency')}")
        if elsewhere:
            legend += f"&nbsp;&nbsp;│&nbsp;not on the plan: {', '.join(elsewhere)}"
        self.canvas_panel.show_outcome(fills, legend)

    def _selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.shown_ids()[rows[0].row()] if rows else None

    def _select_failed(self) -> None:
        cid = self._selected_id()
        self.run_button.setEnabled(cid is not None)
        if cid is None:
            return
        layout = self.document.layout
        drawn = {drawn_component(layout, target) for target in cid.split("+")} - {None}
        if drawn:
            self.document.select(drawn)

    def open_selected_run(self) -> bool:
        """Replay the selected contingency's run file; False (and why) if there is none."""
        cid = self._selected_id()
        found = self.summary.run_file(cid) if cid and self.summary is not None else None
        if found is None:
            self.refused.emit("Open run", f"no run file of {cid} next to the summary: sweeps "
                              "started here keep them; halltwin sweep writes them with "
                              "--keep-runs into the summary's folder")
            return False
        # Replay shows rack states: take the outcome colours off the plan.
        self.colour.setChecked(False)
        return self.open_run(str(found))
