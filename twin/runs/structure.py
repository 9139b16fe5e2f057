"""Creating the groups, datasets, scales and attributes of a run file.

Everything is created before the file switches to SWMR mode, because a
writer in SWMR mode may not create objects or attributes; afterwards it only
resizes datasets, writes into them and flushes.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

import h5py
import numpy as np

from twin.runs.schema import (
    COMPONENT_DIMS,
    EVENT_COLUMNS,
    FIELDS,
    RACK_STATE_FLAGS,
    RUN_FORMAT,
    RUN_FORMAT_VERSION,
    SeriesSpec,
)

#: Compression settings by name: h5py keyword arguments for field datasets.
COMPRESSION = {
    None: {},
    "lzf": {"compression": "lzf", "shuffle": True},
    "gzip": {"compression": "gzip", "compression_opts": 1, "shuffle": True},
}

#: Rows per chunk of the time scales, and of event columns.
SERIES_CHUNK = 1024
EVENT_CHUNK = 256
#: Target bytes per chunk of a series: a chunk is allocated whole, so a short run of
#: a hall with hundreds of pipes should not reserve megabytes per series.
SERIES_CHUNK_BYTES = 256 * 1024


def series_chunk_rows(columns: int, itemsize: int) -> int:
    """Rows per chunk of a series of ``columns`` components of ``itemsize`` bytes."""
    return int(min(SERIES_CHUNK, max(16, SERIES_CHUNK_BYTES // (columns * itemsize))))


def _describe(dataset: h5py.Dataset, units: str, long_name: str) -> None:
    if units:
        dataset.attrs["units"] = units
    dataset.attrs["long_name"] = long_name


def _appendable(group: h5py.Group, name: str, shape: tuple[int, ...], dtype: Any,
                chunk_rows: int, **options: Any) -> h5py.Dataset:
    """A dataset growing along its first axis (unlimited), chunked for appending."""
    return group.create_dataset(name, shape=(0, *shape), maxshape=(None, *shape), dtype=dtype,
                                chunks=(chunk_rows, *shape), **options)


def _time_scale(group: h5py.Group, chunk_rows: int) -> h5py.Dataset:
    time = _appendable(group, "time", (), "float64", chunk_rows)
    time.make_scale("time")
    _describe(time, "s", "simulated time from the start of the run")
    return time


def write_metadata(file: h5py.File, metadata: Mapping[str, Any]) -> None:
    """Root attributes: format, version, creation time and the run's metadata."""
    file.attrs["format"] = RUN_FORMAT
    file.attrs["format_version"] = RUN_FORMAT_VERSION
    file.attrs["created"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    for key, value in metadata.items():
        if value is None:
            continue
        file.attrs[key] = value
    status = file.create_dataset("status", data=np.bytes_("running"), dtype="S16")
    status.attrs["_Encoding"] = "utf-8"
    _describe(status, "", "run status: running, complete, aborted or failed")


def create_grid(file: h5py.File, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> h5py.Group:
    """``/grid`` with the cell-centre coordinates as dimension scales."""
    grid = file.create_group("grid")
    for name, values in (("x", x), ("y", y), ("z", z)):
        scale = grid.create_dataset(name, data=np.asarray(values, dtype="float64"))
        scale.make_scale(name)
        _describe(scale, "m", f"{name} of cell centres")
        scale.attrs["axis"] = name.upper()
    return grid


def create_fields(file: h5py.File, grid: h5py.Group, names: Sequence[str],
                  compression: str | None) -> dict[str, h5py.Dataset]:
    """``/fields``: a time scale and one (time, z, y, x) float32 dataset per field,
    chunked per frame.  The grid's scales are linked into the group so that
    xarray, which looks for dimensions in a group and its parents, finds them."""
    fields = file.create_group("fields")
    time = _time_scale(fields, SERIES_CHUNK)
    for axis in ("x", "y", "z"):
        fields[axis] = grid[axis]  # a hard link, not a copy
    shape = (len(grid["z"]), len(grid["y"]), len(grid["x"]))
    datasets = {"time": time}
    for name in names:
        units, long_name = FIELDS[name]
        data = _appendable(fields, name, shape, "float32", 1, fillvalue=np.float32("nan"),
                           **COMPRESSION[compression])
        _describe(data, units, long_name)
        data.dims[0].attach_scale(time)
        for index, axis in enumerate(("z", "y", "x"), start=1):
            data.dims[index].attach_scale(fields[axis])
        datasets[name] = data
    return datasets


def create_series(file: h5py.File, components: Mapping[str, Sequence[str]],
                  specs: Mapping[str, SeriesSpec]) -> dict[str, h5py.Dataset]:
    """``/series``: a time scale, an id scale per component dimension, and one
    dataset per series, (time, component) or (time,)."""
    series = file.create_group("series")
    time = _time_scale(series, SERIES_CHUNK)
    datasets = {"time": time}
    scales = {}
    for dim, ids in components.items():
        scale = series.create_dataset(dim, data=np.array(list(ids), dtype=object),
                                      dtype=h5py.string_dtype())
        scale.make_scale(dim)
        _describe(scale, "", COMPONENT_DIMS.get(dim, f"{dim} id"))
        scales[dim] = scale
    for name, spec in specs.items():
        if spec.dim is not None and spec.dim not in scales:
            raise ValueError(f"series {name!r} is per {spec.dim}, but no {spec.dim} ids "
                             "were given")
        shape = () if spec.dim is None else (len(scales[spec.dim]),)
        rows = series_chunk_rows(shape[0] if shape else 1, np.dtype(spec.dtype).itemsize)
        data = _appendable(series, name, shape, spec.dtype, rows, fillvalue=spec.fill)
        _describe(data, spec.units, spec.long_name)
        if name == "rack_state":
            for key, value in RACK_STATE_FLAGS.items():
                data.attrs[key] = value
        data.dims[0].attach_scale(time)
        if spec.dim is not None:
            data.dims[1].attach_scale(scales[spec.dim])
        datasets[name] = data
    return datasets


def create_events(file: h5py.File) -> dict[str, h5py.Dataset]:
    """``/events``: one column per event attribute, on an ``event`` (row number) scale."""
    events = file.create_group("events")
    row = _appendable(events, "event", (), "int64", EVENT_CHUNK)
    row.make_scale("event")
    _describe(row, "", "event number (what cause refers to)")
    columns = {"event": row}
    for name, (dtype, units, long_name) in EVENT_COLUMNS.items():
        column = _appendable(events, name, (), dtype, EVENT_CHUNK)
        _describe(column, units, long_name)
        if dtype.startswith("S"):
            column.attrs["_Encoding"] = "utf-8"
        column.dims[0].attach_scale(row)
        columns[name] = column
    return columns
