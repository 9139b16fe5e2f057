"""Run files (DESIGN §4): one HDF5 file per run, written live, readable while written.

:class:`RunWriter` records frames, series and events from a background thread
in SWMR mode; :class:`RunReader` reads them back (finished, live or after a
crash).  ``docs/runs.md`` describes the layout of the file.
"""

from twin.runs.reader import RunReader
from twin.runs.schema import FIELDS, RUN_FORMAT, RUN_FORMAT_VERSION, SERIES, SeriesSpec
from twin.runs.writer import RecordingStats, RunWriteError, RunWriter

__all__ = ["RunReader", "RunWriter", "RunWriteError", "RecordingStats", "SeriesSpec", "FIELDS",
           "SERIES", "RUN_FORMAT", "RUN_FORMAT_VERSION"]
