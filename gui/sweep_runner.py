"""A contingency sweep run off the main thread, for the Sweep panel.

:func:`check_sweep` refuses bad settings before anything starts (one clear
message, as ``halltwin sweep`` does) and lists the contingencies.
:class:`SweepRunner` then runs them with :func:`twin.sweeps.runner.run_sweep`
from a plain thread: the Dask client waits for results there, the runs
themselves happen in worker processes, so neither the engine nor the
waiting ever holds up the window.  Results come back through Qt signals,
which Qt queues to the main thread.
"""

from __future__ import annotations

import threading
import time as clock
from pathlib import Path

from PySide6 import QtCore

from twin.errors import UserError
from twin.model.layout import Layout
from twin.sweeps import contingencies, rank, single_failures, write_summary
from twin.sweeps.contingencies import DEFAULT_MAX_PAIRS, FAILURE_TIME, Contingency
from twin.validation import check_layout


class _Cancelled(Exception):
    """Raised in the sweep's thread to leave the sweep at the next result."""


def check_sweep(layout: Layout, path: str | None, order: int, until: float,
                sample: int | None, scheduler: str | None
                ) -> tuple[list[Contingency], dict[str, str | float | int]]:
    """The contingencies of a sweep and its summary's root attributes.

    Parameters
    ----------
    layout : Layout
        The hall (with no validation errors).
    path : str or None
        Its file, if saved (its name goes into the scenarios and the summary).
    order : {1, 2}
        N-1 or N-2.
    until : float
        End of each run (s).
    sample : int, optional
        N-2: run this many pairs drawn at random instead of all.
    scheduler : str, optional
        ``tcp://HOST:PORT`` of a Dask scheduler; None for a local cluster.

    Raises
    ------
    twin.errors.UserError
        The hall has errors, the address is malformed, too many pairs, nothing fails.
    """
    errors = [p for p in check_layout(layout, path or "") if p.severity == "error"]
    if errors:
        raise UserError(f"the hall has {len(errors)} error(s), listed in the Problems panel; "
                        f"the first: {errors[0]}")
    if scheduler is not None:
        host, _, port = scheduler.partition("://")[2].rpartition(":")
        if not scheduler.startswith(("tcp://", "tls://")) or not host or not port.isdigit():
            raise UserError(f"the scheduler address must look like tcp://HOST:PORT, "
                            f"got {scheduler!r}")
    singles = len(single_failures(layout))
    pairs = singles * (singles - 1) // 2
    if order == 2 and sample is None and pairs > DEFAULT_MAX_PAIRS:
        raise UserError(f"{pairs} N-2 pairs are more than {DEFAULT_MAX_PAIRS}: set 'sample' "
                        "to run that many pairs drawn at random")
    name = Path(path).name if path else None
    cases = contingencies(layout, order, until, sample=sample, layout_name=name)
    if not cases:
        raise UserError("no component of this hall has a failure the model knows (pumps, "
                        "CDUs, air units, plant, open isolation valves, leak points)")
    attributes = {"layout": name or "(unsaved)", "layout_name": layout.name, "order": order,
                  "until_s": until, "failure_time_s": FAILURE_TIME, "air": 0,
                  "command_line": "halltwin gui (Sweep panel)"}
    return cases, attributes


class SweepRunner(QtCore.QObject):
    """Runs one sweep at a time in a thread; coolant side only, like ``halltwin sweep``.

    Signals
    -------
    progressed(object, int, int)
        A contingency's row (a dict), how many are done, of how many.
    finished(str, str)
        The summary file written ("" if none) and a line saying how it went.
    """

    progressed = QtCore.Signal(object, int, int)
    finished = QtCore.Signal(str, str)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()

    @property
    def busy(self) -> bool:
        """True while a sweep runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self, layout: Layout, cases: list[Contingency], path: Path,
              attributes: dict, scheduler: str | None, workers: int) -> None:
        """Run ``cases`` on ``scheduler`` (or ``workers`` local processes) and write the
        ranked summary to ``path``; local runs also keep each run file beside it (a
        scheduler's workers write files on their own machines, out of the app's reach)."""
        self._cancel.clear()
        self._thread = threading.Thread(target=self._work, name="halltwin-sweep", daemon=True,
                                        args=(layout, cases, path, attributes, scheduler,
                                              workers))
        self._thread.start()

    def cancel(self) -> None:
        """Leave the sweep when the next contingency finishes (its cluster stops)."""
        self._cancel.set()

    def _result(self, row: dict, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise _Cancelled
        self.progressed.emit(row, done, total)

    def _work(self, layout: Layout, cases: list[Contingency], path: Path, attributes: dict,
              scheduler: str | None, workers: int) -> None:
        # Imported here: Dask costs a second to import, and only sweeps need it.
        from twin.sweeps.runner import connect, run_sweep

        started = clock.perf_counter()
        try:
            with connect(scheduler, workers) as client:
                keep = path.parent if scheduler is None else None
                rows = run_sweep(client, layout, cases, {"air": False}, keep, self._result)
            ranked = rank(rows)
            write_summary(path, ranked, attributes)
        except _Cancelled:
            self.finished.emit("", "sweep cancelled")
            return
        except OSError as error:  # no scheduler there, or it went away
            where = f"the Dask scheduler {scheduler}" if scheduler else "the local cluster"
            self.finished.emit("", f"sweep stopped: cannot reach {where}: {error}")
            return
        except Exception as error:  # noqa: BLE001 - any failure ends the sweep with its reason
            self.finished.emit("", f"sweep failed: {type(error).__name__}: {error}")
            return
        failed = sum(r["status"] != "complete" for r in ranked)
        self.finished.emit(str(path), f"{len(ranked)} contingencies in "
                           f"{clock.perf_counter() - started:.1f} s"
                           + (f"; {failed} runs failed (see their rows)" if failed else ""))
