"""``halltwin export RUN.h5``: series to CSV, a frame's horizontal slice to PNG."""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import tempfile
from pathlib import Path

import numpy as np

from twin.cli.arguments import check_finite, check_output
from twin.errors import UserError
from twin.runs import RunReader
from twin.runs.image import colourize, encode_png, upscale

#: Height of the slice drawn when none is asked for (m): mid-height of a rack's inlet.
DEFAULT_Z = 1.0
#: The PNG is scaled up by whole pixels until it is at least this wide.
MIN_WIDTH_PX = 400


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``export`` sub-command."""
    parser = subparsers.add_parser(
        "export", help="write a run's series to CSV or a frame to PNG",
        description="Export series to CSV (one column per series and component) and/or one "
                    "frame's horizontal slice to PNG (north up, viridis colours).")
    parser.add_argument("run", help="run file (.h5)")
    parser.add_argument("--csv", metavar="OUT.csv", help="write series to this CSV file")
    parser.add_argument("--series", nargs="+", metavar="NAME",
                        help="series to write (default: all)")
    parser.add_argument("--png", metavar="OUT.png", help="write a frame slice to this PNG")
    parser.add_argument("--time", type=float, metavar="T",
                        help="simulated time of the frame (s); the nearest frame is drawn")
    parser.add_argument("--z", type=float, default=DEFAULT_Z, metavar="HEIGHT",
                        help=f"height of the slice (m, default {DEFAULT_Z:g})")
    parser.add_argument("--field", default="air_temperature",
                        help="field to draw (default air_temperature)")
    parser.add_argument("--range", nargs=2, type=float, metavar=("LOW", "HIGH"),
                        help="values of the first and last colour (default: the slice's)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Write what was asked for; return 0."""
    if not args.csv and not args.png:
        raise UserError("nothing to export: give --csv OUT.csv and/or --png OUT.png")
    if args.png and args.time is None:
        raise UserError("--png needs --time T (simulated seconds of the frame to draw)")
    check_finite("--time", args.time, "s")
    check_finite("--z", args.z, "m")
    outputs = [(option, path) for option, path in (("--csv", args.csv), ("--png", args.png))
               if path]
    for option, path in outputs:
        check_output(option, path, {"run file": args.run})
    if len(outputs) == 2 and Path(args.csv).resolve() == Path(args.png).resolve():
        raise UserError(f"--csv and --png name the same file {args.csv}: give each its own")
    with RunReader(args.run) as reader:
        try:
            if args.csv:
                rows = write_csv(reader, args.csv, args.series)
                print(f"{args.csv}: {rows} rows")
            if args.png:
                print(write_png(reader, args.png, args.time, args.z, args.field, args.range))
        except (OSError, KeyError, ValueError) as error:
            raise UserError(f"{args.run}: a damaged run file ({error})") from None
    return 0


def _save(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file, then a rename)."""
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.")
    except OSError as error:
        raise UserError(f"{path}: cannot write there: {error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except OSError as error:
        os.unlink(temporary)
        raise UserError(f"{path}: cannot write: {error.strerror}") from None


def write_csv(run: RunReader, path: str, names: list[str] | None = None) -> int:
    """Write series to CSV: ``time_s`` then ``name:component [units]`` columns.

    Returns the number of data rows.
    """
    names = names or run.series_names
    header, columns = ["time_s"], []
    for name in names:
        _, values = run.series(name)  # names a missing series in the error
        units = run.units(name)
        ids = run.components(name)
        if ids:
            header += [f"{name}:{component} [{units}]" for component in ids]
            columns += [values[:, k] for k in range(len(ids))]
        else:
            header.append(f"{name} [{units}]")
            columns.append(values)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    times = run.series_times
    for k in range(run.row_count):
        writer.writerow([repr(float(times[k]))] + [_cell(c[k]) for c in columns])
    _save(path, text.getvalue().encode("utf-8"))
    return run.row_count


def _cell(value) -> str:
    if np.issubdtype(type(value), np.integer):
        return str(int(value))
    return "" if math.isnan(value) else repr(float(value))


def write_png(run: RunReader, path: str, time: float, z: float, field: str,
              levels: list[float] | None) -> str:
    """Draw the horizontal slice of ``field`` nearest height ``z`` (m) of the frame
    nearest ``time`` (s), north (+y) up; return a line saying what was drawn."""
    frame_time, data = run.frame(time, field)
    heights = run.grid[2]
    layer = int(np.argmin(np.abs(heights - z)))
    image = np.flipud(data[layer])  # row 0 of the picture is the largest y
    finite = image[np.isfinite(image)]
    if levels is None:
        if finite.size == 0:
            raise UserError(f"{run.path}: the slice at z = {heights[layer]:g} m has no values")
        low, high = float(finite.min()), float(finite.max())
        if high == low:
            low, high = low - 0.5, high + 0.5
    else:
        low, high = levels
        if not high > low:
            raise UserError(f"--range needs LOW < HIGH, got {low:g} {high:g}")
    factor = max(1, min(16, math.ceil(MIN_WIDTH_PX / image.shape[1])))
    _save(path, encode_png(upscale(colourize(image, low, high), factor)))
    return (f"{path}: {field} at t = {frame_time:g} s, z = {heights[layer]:g} m, colours "
            f"{low:.4g} to {high:.4g} {run.field_units(field)}, {factor}x scale")
