"""Writing a run file as the run goes, from a background thread, readable live (SWMR).

The producer (the engine's time loop) hands frames, series rows and events to
:class:`RunWriter`; each call copies what it is given (the solver reuses its
arrays) and puts it on a bounded queue.  One thread takes them off, appends
them to the HDF5 datasets and flushes, so a reader following the file with
SWMR sees every flushed frame, and a writer killed outright leaves a file
readable up to its last flush.  If the thread falls behind, the queue fills
and the producer waits: memory stays bounded and nothing is dropped.

Frames and events are written and flushed as they come.  Series rows are
written in batches, one resize and one write per series for the rows of
about ``flush_interval`` seconds of wall time (or :data:`ROW_BATCH` rows, or
a :meth:`RunWriter.sync`): a row costs a few dozen small HDF5 writes, so
writing rows one by one cost the thread as much CPU as compressing the
frames.  Nor does a row wake the thread: it sleeps until a frame, events, a
sync or the close come, the queue is half full, or ``flush_interval`` has
passed.  On a machine with no spare core every wake-up takes a core from the
solver's threads for a moment, and a parallel kernel waits for the thread
that lost it.  A reader sees rows up to twice ``flush_interval`` late; a
writer killed outright loses at most that much of them.

Compression of the fields is lzf with byte shuffling by default, the cheapest
that still compresses: on the 10 MW grid it cost ~8-11 ms of the thread's CPU
per frame against ~22-25 ms for gzip level 1, and the air solver's fields,
whose low mantissa bits are noise, shrink little more with gzip (1.40x
against 1.26x).  Uncompressed (~2-4 ms) is for runs so fast that even that
matters; gzip for files other HDF5 tools must read (lzf is h5py's filter).
``bench/recording.py`` measures all three; ``docs/performance.md`` has the figures.
"""

from __future__ import annotations

import math
import queue
import threading
import time as clock
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from twin.events import Event
from twin.runs import structure
from twin.runs.schema import EVENT_COLUMNS, FIELDS, STATUSES, fit_text, resolve_series

#: Most series rows the writer thread holds before it writes them.
ROW_BATCH = 512


class RunWriteError(RuntimeError):
    """Writing the run file failed in the background thread (disk full, ...)."""


@dataclass
class RecordingStats:
    """What recording has cost so far.

    Attributes
    ----------
    frames, rows, events : int
        Frames, series rows and events written.
    field_bytes : int
        Uncompressed bytes of field data written.
    producer_s : float
        Wall time the producer spent in the writer's calls (copying, queueing
        and waiting for queue space) (s).
    waiting_s : float
        Part of ``producer_s`` spent waiting for a full queue (s).
    writer_s : float
        Wall time the background thread spent writing and flushing (s).
    writer_cpu_s : float
        CPU time of the background thread in that work (s): the cost on a
        loaded machine, where wall time also counts waiting for a core.
    flushes : int
        Flushes made.
    """

    frames: int = 0
    rows: int = 0
    events: int = 0
    field_bytes: int = 0
    producer_s: float = 0.0
    waiting_s: float = 0.0
    writer_s: float = 0.0
    writer_cpu_s: float = 0.0
    flushes: int = 0


class RunWriter:
    """A run file being written (DESIGN §4).

    Parameters
    ----------
    path : str or Path
        File to create (replaced if it exists).
    x, y, z : array_like
        Cell-centre coordinates of the air grid (m).
    components : mapping of str to sequence of str
        Component ids per dimension of ``/series`` (``rack``, ``cdu``, ``pump``...).
    series : sequence of str or SeriesSpec
        Series to record: names from :data:`twin.runs.schema.SERIES` or specs.
    metadata : mapping
        Root attributes: ``software_version``, ``backend``, ``device``,
        ``layout`` and ``scenario`` (JSON text), ``seed``, ``command_line``.
    fields : sequence of str
        Fields recorded per frame (default air temperature and air speed).
    compression : {"lzf", "gzip", None}
        Compression of the fields (shuffle + lzf, shuffle + gzip level 1, none).
    queue_frames : int
        Items the queue holds before the producer waits.
    flush_interval : float
        Wall time (s) after which a series row is written and flushed with the
        rows that came after it, at the thread's next wake-up (it wakes at
        least this often); frames and events are written and flushed as soon
        as they come.
    """

    def __init__(self, path: str | Path, *, x: Sequence[float], y: Sequence[float],
                 z: Sequence[float], components: Mapping[str, Sequence[str]] | None = None,
                 series: Sequence[Any] = (), metadata: Mapping[str, Any] | None = None,
                 fields: Sequence[str] = tuple(FIELDS), compression: str | None = "lzf",
                 queue_frames: int = 8, flush_interval: float = 2.0):
        if compression not in structure.COMPRESSION:
            raise ValueError(f"compression must be 'lzf', 'gzip' or None, got {compression!r}")
        unknown = [f for f in fields if f not in FIELDS]
        if unknown:
            raise ValueError(f"unknown fields {unknown}; known: {', '.join(FIELDS)}")
        self.path = Path(path)
        self.specs = resolve_series(series)
        self.components = {dim: list(ids) for dim, ids in (components or {}).items()}
        self.shape = (len(z), len(y), len(x))
        self.stats = RecordingStats()
        self.flush_interval = flush_interval
        self._file = h5py.File(self.path, "w", libver="latest")
        try:
            structure.write_metadata(self._file, metadata or {})
            grid = structure.create_grid(self._file, x, y, z)
            self._fields = structure.create_fields(self._file, grid, fields, compression)
            self._series = structure.create_series(self._file, self.components, self.specs)
            self._events = structure.create_events(self._file)
            self._status = self._file["status"]
            self._file.swmr_mode = True
            self._file.flush()
        except BaseException:
            self._file.close()
            raise
        self._last = {"frame": -math.inf, "row": -math.inf}
        self._queue: queue.Queue = queue.Queue(maxsize=queue_frames)
        self._wake = threading.Event()  # set when the thread has work that cannot wait
        self._error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._work, name=f"run-writer {self.path.name}",
                                        daemon=True)
        self._thread.start()

    # ----------------------------------------------------------------- producer side

    def _put(self, item: tuple, started: float, urgent: bool = True) -> None:
        if self._error is not None:
            raise RunWriteError(f"{self.path}: writing failed: {self._error}") from self._error
        if self._closed:
            raise RunWriteError(f"{self.path}: the run file is closed")
        waited = clock.perf_counter()
        self._queue.put(item)
        if urgent or 2 * self._queue.qsize() >= self._queue.maxsize:
            self._wake.set()
        done = clock.perf_counter()
        self.stats.waiting_s += done - waited
        self.stats.producer_s += done - started

    def write_frame(self, time: float, **fields: np.ndarray) -> None:
        """Record one frame of every field at simulated ``time`` (s).

        Each field is an array of shape (nz, ny, nx) in the file's units
        (degC, m/s); it is copied as float32, so the caller may reuse it.
        """
        started = clock.perf_counter()
        if time <= self._last["frame"]:
            raise ValueError(f"frame times must increase: {time} after {self._last['frame']}")
        expected = set(self._fields) - {"time"}
        if set(fields) != expected:
            raise ValueError(f"a frame needs exactly the fields {sorted(expected)}, got "
                             f"{sorted(fields)}")
        frame = {}
        for name, values in fields.items():
            array = np.array(values, dtype=np.float32, copy=True)
            if array.shape != self.shape:
                raise ValueError(f"{name}: frame shape must be (nz, ny, nx) = {self.shape}, "
                                 f"got {array.shape}")
            frame[name] = array
        self._last["frame"] = time
        self._put(("frame", float(time), frame), started)

    def write_series(self, time: float, values: Mapping[str, Any]) -> None:
        """Record one row of series at simulated ``time`` (s).

        ``values`` maps series names to a number (hall-wide series) or one value
        per component in the order of its ids; a series not given is stored as
        its fill value (NaN, or -1 for states).
        """
        started = clock.perf_counter()
        if time <= self._last["row"]:
            raise ValueError(f"series times must increase: {time} after {self._last['row']}")
        row = {}
        for name, value in values.items():
            spec = self.specs.get(name)
            if spec is None:
                raise ValueError(f"series {name!r} was not declared; declared: "
                                 + ", ".join(self.specs))
            array = np.array(value, dtype=spec.dtype, copy=True)
            expected = () if spec.dim is None else (len(self.components[spec.dim]),)
            if array.shape != expected:
                raise ValueError(f"{name}: expected shape {expected}, got {array.shape}")
            row[name] = array
        self._last["row"] = time
        self._put(("row", float(time), row, started), started, urgent=False)

    def write_events(self, events: Iterable[Event]) -> None:
        """Append events in log order; their causes must be row indices (as an
        :class:`twin.events.EventLog` holds them)."""
        started = clock.perf_counter()
        batch = list(events)
        for event in batch:
            if isinstance(event.cause, Event):
                raise ValueError("append events to the EventLog first: the file stores causes "
                                 "as row numbers")
        if batch:
            self._put(("events", batch), started)

    def sync(self) -> None:
        """Wait until everything given so far is written and flushed (a reader sees it)."""
        done = threading.Event()
        self._put(("sync", done), clock.perf_counter())
        while not done.wait(0.05):
            if self._error is not None or not self._thread.is_alive():
                raise RunWriteError(f"{self.path}: writing failed: {self._error}")

    def close(self, status: str = "complete") -> None:
        """Write everything queued, set the status, flush and close the file.

        Raises
        ------
        RunWriteError
            If the background thread failed (the file is closed all the same).
        """
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        if not self._closed:
            self._closed = True
            self._queue.put(("close", status))
            self._wake.set()
            self._thread.join()
        if self._error is not None:
            raise RunWriteError(f"{self.path}: writing failed: {self._error}") from self._error

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.close("complete")
        elif issubclass(kind, KeyboardInterrupt):
            self.close("aborted")
        else:
            self.close("failed")

    # ------------------------------------------------------------------- writer thread

    def _work(self) -> None:
        rows: list[tuple] = []  # series rows taken off the queue, not yet written
        while True:
            self._wake.wait(timeout=self.flush_interval)
            self._wake.clear()  # before taking the items: a later one sets it again
            items = []
            while True:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if self._error is not None:  # keep the producer unblocked until it closes
                if any(item[0] == "close" for item in items):
                    self._finish("failed")
                    return
                continue
            if not items and not rows:
                continue
            started, started_cpu = clock.perf_counter(), clock.thread_time()
            status, waiting = None, []
            try:
                written, status = self._write(items, rows, waiting)
                due = rows and started - rows[0][3] >= self.flush_interval
                if rows and (status or waiting or len(rows) >= ROW_BATCH or due):
                    self._append_rows(rows)
                    rows, written = [], True
                if written:
                    self._file.flush()
                    self.stats.flushes += 1
                for done in waiting:
                    done.set()
            except BaseException as error:  # reported to the producer on its next call
                self._error, rows = error, []
                status = "failed" if any(item[0] == "close" for item in items) else None
            self.stats.writer_s += clock.perf_counter() - started
            self.stats.writer_cpu_s += clock.thread_time() - started_cpu
            if status:
                self._finish(status)
                return

    def _write(self, items: list[tuple], rows: list[tuple], waiting: list[threading.Event]
               ) -> tuple[bool, str | None]:
        """Write a batch of queued frames and events; return (anything written, closing
        status).  Series rows join ``rows``, to be written with the next batch of
        them; sync requests go to ``waiting``, to be told once everything is flushed."""
        written, status = False, None
        for item in items:
            if item[0] == "frame":
                self._append_frame(item[1], item[2])
                written = True
            elif item[0] == "row":
                rows.append(item)
            elif item[0] == "events":
                self._append_events(item[1])
                written = True
            elif item[0] == "sync":
                waiting.append(item[1])
            else:
                status = item[1]
        if status:
            self._status[()] = np.bytes_(status)
            written = True
        return written, status

    def _append_frame(self, time: float, frame: dict[str, np.ndarray]) -> None:
        n = self.stats.frames
        for name, array in frame.items():
            dataset = self._fields[name]
            dataset.resize(n + 1, axis=0)
            dataset[n] = array
            self.stats.field_bytes += array.nbytes
        # The time scale grows last: a reader counts frames by it.
        self._fields["time"].resize(n + 1, axis=0)
        self._fields["time"][n] = time
        self.stats.frames = n + 1

    def _append_rows(self, rows: list[tuple]) -> None:
        n, count = self.stats.rows, len(rows)
        for name, spec in self.specs.items():
            dataset = self._series[name]
            block = np.full((count, *dataset.shape[1:]), spec.fill, dtype=spec.dtype)
            for k, (_, _, row, _) in enumerate(rows):
                if name in row:
                    block[k] = row[name]
            dataset.resize(n + count, axis=0)
            dataset[n:] = block
        self._series["time"].resize(n + count, axis=0)
        self._series["time"][n:] = [time for _, time, _, _ in rows]
        self.stats.rows = n + count

    def _append_events(self, events: list[Event]) -> None:
        n, count = self.stats.events, len(events)
        for name, (dtype, _, _) in EVENT_COLUMNS.items():
            if dtype.startswith("S"):
                size = int(dtype[1:])
                values = np.array([fit_text(getattr(e, name), size) for e in events], dtype=dtype)
            else:
                values = np.array([getattr(e, name) for e in events], dtype=dtype)
            self._events[name].resize(n + count, axis=0)
            self._events[name][n:] = values
        self._events["event"].resize(n + count, axis=0)
        self._events["event"][n:] = np.arange(n, n + count)
        self.stats.events = n + count

    def _finish(self, status: str) -> None:
        """Set the final status (again, if the batch already did), flush and close."""
        try:
            self._status[()] = np.bytes_(status)
            self._file.flush()
        except BaseException:  # the producer is told the first error, not this one
            pass
        finally:
            self._file.close()
