"""Reading a run file, finished or still being written (SWMR).

:class:`RunReader` is the one way the rest of HallTwin (the GUI, the CLI)
reads runs: frames by time, series by component, the events and their
cascade, the metadata.  It opens a file being written (or left open by a
killed writer) in SWMR read mode, which follows it (:meth:`RunReader.refresh`)
and reads what a killed writer left up to its last flush; a finished file in
plain read mode, which finds a damaged one at once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from twin.errors import UserError
from twin.events import Event, EventLog
from twin.runs.schema import EVENT_COLUMNS, FIELDS, RUN_FORMAT, RUN_FORMAT_VERSION


def _text(value: Any) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


def _open(path: Path) -> h5py.File:
    """Open a run file: in plain read mode where it can be, else in SWMR read mode.

    A file that a writer holds open, or that a killed writer left marked
    open, refuses the plain mode and is read in SWMR mode.  Others are not:
    SWMR mode skips the check of the file's end against its header and
    retries damaged metadata with growing pauses (a file cut short at 20 kB
    hung ``halltwin info`` for minutes), where the plain mode says at once.
    """
    try:
        return h5py.File(path, "r", libver="latest")
    except OSError as error:
        if "already open for write" not in str(error):
            raise
    return h5py.File(path, "r", libver="latest", swmr=True)


def _reason(error: Exception) -> str:
    """HDF5's own words for why a file does not open, where it gives them."""
    text = str(error)
    cut = re.search(r"truncated file: eof = (\d+).*stored_eof = (\d+)", text)
    if cut:
        return (f"cut short: {int(cut[1]):,} bytes of the {int(cut[2]):,} its header "
                f"names; copy the whole file again")
    inner = re.search(r"\((.+)\)\s*$", text)
    return f"HDF5: {(inner[1] if inner else text.split('(')[0]).strip() or 'unreadable'}"


class RunReader:
    """A run file opened for reading.

    Parameters
    ----------
    path : str or Path
        The run file.

    Raises
    ------
    UserError
        If the file is missing, not HDF5, not a HallTwin run, or of a newer
        format version; the message names the file and what is wrong.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise UserError(f"{path}: no such file" if not self.path.exists()
                            else f"{path}: is not a file")
        try:
            self._file = _open(self.path)
        except (OSError, RuntimeError, ValueError) as error:  # h5py's errors for bad files
            raise UserError(f"{path}: not a readable HallTwin run file ({_reason(error)})") \
                from None
        try:
            self._check()
        except BaseException:
            self._file.close()
            raise
        self.refresh()

    def _check(self) -> None:
        found = _text(self._file.attrs.get("format", ""))
        if found != RUN_FORMAT:
            raise UserError(f"{self.path}: an HDF5 file but not a HallTwin run (format "
                            f"{found!r}, expected {RUN_FORMAT!r})")
        version = int(self._file.attrs.get("format_version", 0))
        if version > RUN_FORMAT_VERSION:
            raise UserError(f"{self.path}: run format version {version} is newer than this "
                            f"program reads (up to {RUN_FORMAT_VERSION}); update HallTwin")
        missing = [g for g in ("grid", "fields", "series", "events", "status")
                   if g not in self._file]
        if missing:
            raise UserError(f"{self.path}: a damaged run file: missing {', '.join(missing)}")

    # ------------------------------------------------------------------ live following

    def _datasets(self) -> list[h5py.Dataset]:
        found = [self._file["status"]]
        for group in ("fields", "series", "events"):
            found += [d for d in self._file[group].values() if isinstance(d, h5py.Dataset)]
        return found

    def refresh(self) -> bool:
        """See what a live writer has flushed since; return whether anything was added."""
        before = (self.frame_count, self.row_count, self.event_count) \
            if hasattr(self, "frame_count") else None
        for dataset in self._datasets():
            dataset.refresh()
        fields = self._file["fields"]
        # Datasets grow one after another: count only rows present in all of them.
        self.frame_count = min(len(fields[n]) for n in ("time", *self.field_names))
        series = self._file["series"]
        self.row_count = min([len(series["time"])] + [len(series[n]) for n in self.series_names])
        events = self._file["events"]
        self.event_count = min(len(events[n]) for n in ("event", *EVENT_COLUMNS))
        return before != (self.frame_count, self.row_count, self.event_count)

    # ------------------------------------------------------------------------- metadata

    @property
    def status(self) -> str:
        """``running``, ``complete``, ``aborted`` or ``failed`` (``running`` after a crash)."""
        return _text(self._file["status"][()]).rstrip("\x00")

    @property
    def metadata(self) -> dict[str, Any]:
        """Root attributes, strings decoded (layout and scenario as JSON text)."""
        return {k: (_text(v) if isinstance(v, bytes | str) else v.item()
                    if isinstance(v, np.generic) else v)
                for k, v in self._file.attrs.items()}

    def _json(self, key: str) -> dict | None:
        text = self._file.attrs.get(key)
        return None if text is None else json.loads(_text(text))

    @property
    def layout(self) -> dict | None:
        """The layout document the run was made from, or None."""
        return self._json("layout")

    @property
    def scenario(self) -> dict | None:
        """The scenario document, or None."""
        return self._json("scenario")

    @property
    def grid(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cell-centre coordinates x, y, z (m)."""
        grid = self._file["grid"]
        return grid["x"][:], grid["y"][:], grid["z"][:]

    # --------------------------------------------------------------------------- frames

    @property
    def field_names(self) -> list[str]:
        """Fields recorded per frame."""
        return [n for n in FIELDS if n in self._file["fields"]]

    def field_units(self, field: str) -> str:
        """Units of a recorded field."""
        return _text(self._file["fields"][field].attrs.get("units", ""))

    @property
    def frame_times(self) -> np.ndarray:
        """Simulated times of the frames (s)."""
        return self._file["fields"]["time"][:self.frame_count]

    def frame_index(self, time: float) -> int:
        """Index of the frame nearest ``time`` (s) (the earlier one on a tie)."""
        times = self.frame_times
        if len(times) == 0:
            raise UserError(f"{self.path}: the run has no frames")
        k = int(np.searchsorted(times, time))
        if k == len(times) or (k > 0 and time - times[k - 1] <= times[k] - time):
            k -= 1
        return k

    def frame(self, time: float, field: str = "air_temperature") -> tuple[float, np.ndarray]:
        """The frame nearest ``time`` (s): its time and the (nz, ny, nx) array of ``field``."""
        return self.frame_at(self.frame_index(time), field)

    def frame_at(self, index: int, field: str = "air_temperature") -> tuple[float, np.ndarray]:
        """Frame number ``index``: its time (s) and the (nz, ny, nx) array of ``field``."""
        if field not in self.field_names:
            raise UserError(f"{self.path}: no field {field!r}; recorded: "
                            + ", ".join(self.field_names))
        if not -self.frame_count <= index < self.frame_count:
            raise IndexError(f"frame {index} of {self.frame_count}")
        index %= self.frame_count
        fields = self._file["fields"]
        return float(fields["time"][index]), fields[field][index]

    # --------------------------------------------------------------------------- series

    @property
    def series_names(self) -> list[str]:
        """Names of the recorded series."""
        series = self._file["series"]
        return [n for n, d in series.items() if d.ndim >= 1 and n != "time"
                and not d.is_scale]

    @property
    def series_times(self) -> np.ndarray:
        """Simulated times of the series rows (s)."""
        return self._file["series"]["time"][:self.row_count]

    def components(self, name: str) -> list[str]:
        """Component ids along the second axis of series ``name`` ([] for hall-wide ones)."""
        dataset = self._series(name)
        if dataset.ndim == 1:
            return []
        scale = dataset.dims[1][0]
        return [_text(v) for v in scale[:]]

    def units(self, name: str) -> str:
        """Units of series ``name``."""
        return _text(self._series(name).attrs.get("units", ""))

    def _series(self, name: str) -> h5py.Dataset:
        if name not in self.series_names:
            raise UserError(f"{self.path}: no series {name!r}; recorded: "
                            + ", ".join(self.series_names))
        return self._file["series"][name]

    def series(self, name: str, component: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Times (s) and values of series ``name``: of one component, or all of them
        as a (time, component) array."""
        dataset = self._series(name)
        values = dataset[:self.row_count]
        if component is not None:
            ids = self.components(name)
            if component not in ids:
                raise UserError(f"{self.path}: series {name!r} has no component "
                                f"{component!r}; it has " + ", ".join(ids))
            values = values[:, ids.index(component)]
        return self.series_times, values

    # --------------------------------------------------------------------------- events

    def events(self) -> EventLog:
        """The run's events, in order, with their causes."""
        group = self._file["events"]
        columns = {n: group[n][:self.event_count] for n in EVENT_COLUMNS}
        log = EventLog()
        for i in range(self.event_count):
            log.append(Event(float(columns["time"][i]), _text(columns["component"][i]),
                             _text(columns["kind"][i]), _text(columns["state"][i]),
                             float(columns["value"][i]), float(columns["limit"][i]),
                             int(columns["cause"][i]), _text(columns["message"][i])))
        return log

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def __enter__(self) -> RunReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
