"""A sweep's results: ranked worst first, printed as a table, saved as one HDF5 file.

The summary file has one row per contingency on a ``contingency`` dimension
scale (the contingency ids), one dataset per measure with CF-style ``units``
and ``long_name`` attributes, and the layout and sweep settings as root
attributes, so ``xarray.open_dataset(path, engine="h5netcdf")`` opens it as
one Dataset indexed by contingency id.  It is written to a temporary file
beside the target and renamed, so a reader never sees half a summary.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import h5py
import numpy as np

from twin import __version__

#: Columns of the summary: name -> (dtype, units, long name).  Strings have no units.
COLUMNS = {
    "kind": ("str", "", "what fails (component kinds joined by +)"),
    "status": ("str", "", "run status: complete or failed"),
    "rank": ("int32", "1", "rank, 1 = worst (racks tripped, then compute lost, then chip)"),
    "max_chip_temperature": ("float64", "degC", "highest chip temperature of any rack"),
    "max_chip_rack": ("str", "", "rack of the highest chip temperature"),
    "max_inlet_temperature": ("float64", "degC", "highest rack inlet air temperature"),
    "max_inlet_rack": ("str", "", "rack of the highest inlet temperature"),
    "time_to_throttle": ("float64", "s", "time from the failure to the first rack throttle"),
    "time_to_trip": ("float64", "s", "time from the failure to the first rack trip"),
    "racks_tripped": ("int32", "1", "racks that tripped at least once"),
    "compute_lost": ("float64", "h", "rack-hours of compute lost after the failure"),
    "max_pipe_velocity": ("float64", "m/s", "highest mean coolant velocity in any pipe"),
    "max_pipe": ("str", "", "pipe of the highest velocity"),
    "pue": ("float64", "1", "power usage effectiveness from the failure to the end"),
    "wue": ("float64", "L/kWh", "water usage effectiveness from the failure to the end"),
    "message": ("str", "", "why a failed run stopped"),
}


def _key(row: Mapping) -> tuple:
    """Sort key, worst first; a failed run (no measures) ranks last.  Measures are
    rounded (1e-6 rack-h, 0.01 K) so that round-off does not reorder equal outcomes."""
    chip = row["max_chip_temperature"]
    return (-row["racks_tripped"], -round(row["compute_lost"], 6),
            -(round(chip, 2) if not math.isnan(chip) else -math.inf))


def rank(rows: Sequence[Mapping]) -> list[dict]:
    """Rows sorted worst first (racks tripped, then compute lost, then max chip
    temperature; ties keep their order), each with its ``rank`` (1 = worst)."""
    ranked = sorted(rows, key=_key)
    return [{**row, "rank": k} for k, row in enumerate(ranked, start=1)]


def _number(value: float, digits: int) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


def table(rows: Sequence[Mapping], limit: int | None = None) -> list[str]:
    """The ranked rows as text lines (the first ``limit`` of them)."""
    width = max([len("contingency"), *(len(r["id"]) for r in rows)])
    lines = [f"{'rank':>4}  {'contingency':<{width}}  {'kind':<10} {'tripped':>7} "
             f"{'lost rack-h':>11} {'max chip':>8} {'rack':<8} {'throttle':>8} {'trip':>6} "
             f"{'v max':>5} {'PUE':>6}",
             f"{'':>4}  {'':<{width}}  {'':<10} {'':>7} {'':>11} {'degC':>8} {'':<8} "
             f"{'s':>8} {'s':>6} {'m/s':>5} {'':>6}"]
    for row in rows[:limit]:
        lines.append(
            f"{row['rank']:>4}  {row['id']:<{width}}  {row['kind']:<10} "
            f"{row['racks_tripped']:>7} {row['compute_lost']:>11.3f} "
            f"{_number(row['max_chip_temperature'], 1):>8} {row['max_chip_rack']:<8} "
            f"{_number(row['time_to_throttle'], 0):>8} {_number(row['time_to_trip'], 0):>6} "
            f"{_number(row['max_pipe_velocity'], 2):>5} {_number(row['pue'], 3):>6}"
            + ("" if row["status"] == "complete" else f"  {row['status']}: {row['message']}"))
    return lines


def write_summary(path: str | os.PathLike[str], rows: Sequence[Mapping],
                  attributes: Mapping[str, str | float | int]) -> None:
    """Write ranked rows to an HDF5 summary file, atomically.

    Parameters
    ----------
    path : path-like
        The summary file; replaced only once the new one is complete.
    rows : sequence of mapping
        Ranked rows (:func:`rank`), with the keys of :data:`COLUMNS` and ``id``.
    attributes : mapping
        Root attributes (layout name, order, until, ...).
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                         dir=path.parent)
    os.close(handle)
    try:
        with h5py.File(temporary, "w") as file:
            file.attrs["format"] = "halltwin-sweep"
            file.attrs["format_version"] = 1
            file.attrs["software_version"] = __version__
            file.attrs["created"] = datetime.now(UTC).isoformat(timespec="seconds")
            for key, value in attributes.items():
                file.attrs[key] = value
            strings = h5py.string_dtype()
            scale = file.create_dataset("contingency", dtype=strings,
                                        data=np.array([r["id"] for r in rows], dtype=object))
            scale.make_scale("contingency")
            scale.attrs["long_name"] = "contingency id (failed components joined by +)"
            for name, (dtype, units, long_name) in COLUMNS.items():
                values = [r[name] for r in rows]
                if dtype == "str":
                    data = file.create_dataset(name, dtype=strings,
                                               data=np.array(values, dtype=object))
                else:
                    data = file.create_dataset(name, data=np.array(values, dtype=dtype))
                    data.attrs["units"] = units
                data.attrs["long_name"] = long_name
                data.dims[0].attach_scale(scale)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
