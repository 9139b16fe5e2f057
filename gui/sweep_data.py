"""A sweep's summary as the Sweep panel shows it: rows, table columns, worst outcome per component.

The summary file is the one ``halltwin sweep`` writes
(:func:`twin.sweeps.summary.write_summary`): one dataset per column on a
``contingency`` dimension, rows in rank order.  twin has no reader for it
yet, so :func:`read_summary` reads it here, checking its ``format``
attribute, and turns a bad file into one clear :class:`~twin.errors.UserError`.

"Worst outcome when this component fails" (:func:`worst_by_component`): a
contingency's id is its failed components' ids joined by ``+``; each of them
gets the worst value of the chosen measure over the contingencies it is in.
A pump is drawn as part of its CDU, so it counts for the CDU; plant
equipment (dry coolers, towers, chillers) is not on the floor plan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import h5py

from twin.errors import UserError
from twin.model.layout import Layout
from twin.sweeps.runner import run_file_name
from twin.sweeps.summary import COLUMNS

#: Measures the plan can be coloured by: column -> (label, unit); larger is worse.
MEASURES = {"max_chip_temperature": ("max chip temperature", "°C"),
            "racks_tripped": ("racks tripped", ""),
            "compute_lost": ("compute lost", "rack-h")}

#: Table columns: (summary column, header, digits; None for text).
TABLE = [("rank", "rank", 0), ("id", "contingency", None), ("kind", "kind", None),
         ("racks_tripped", "racks\ntripped", 0), ("compute_lost", "lost\nrack-h", 3),
         ("max_chip_temperature", "max chip\n°C", 1), ("max_chip_rack", "at rack", None),
         ("max_inlet_temperature", "max inlet\n°C", 1), ("max_inlet_rack", "at rack", None),
         ("time_to_throttle", "throttle\nafter s", 0), ("time_to_trip", "trip\nafter s", 0),
         ("max_pipe_velocity", "v max\nm/s", 2), ("max_pipe", "in pipe", None),
         ("pue", "PUE", 3), ("wue", "WUE\nL/kWh", 2), ("status", "status", None)]

#: Kinds drawn on the floor plan that a failure can name directly.
DRAWN = ("cdu", "air_unit", "valve", "leak")


@dataclass
class SweepSummary:
    """The rows of one summary file, worst first, and its root attributes.

    Attributes
    ----------
    path : Path or None
        The file (None for rows not saved yet).
    rows : list of dict
        One per contingency, in rank order: ``id`` and the :data:`COLUMNS` keys (SI units
        as in the file: degC, s, rack-h, m/s, L/kWh).
    attributes : dict
        Root attributes: ``layout`` (file name), ``layout_name``, ``order``, ``until_s``...
    """

    path: Path | None
    rows: list[dict]
    attributes: dict = field(default_factory=dict)

    def run_file(self, contingency: str) -> Path | None:
        """The kept run file of ``contingency`` next to the summary, if there is one."""
        if self.path is None:
            return None
        found = self.path.parent / run_file_name(contingency)
        return found if found.is_file() else None


def _decode(value):
    return value.decode() if isinstance(value, bytes) else value


def read_summary(path: str | Path) -> SweepSummary:
    """Read a sweep summary file.

    Raises
    ------
    twin.errors.UserError
        It is missing, not HDF5, not a HallTwin sweep summary, or lacks a column.
    """
    path = Path(path)
    try:
        with h5py.File(path, "r") as file:
            if _decode(file.attrs.get("format")) != "halltwin-sweep":
                raise UserError(f"{path}: not a HallTwin sweep summary (halltwin sweep -o "
                                "writes them)")
            missing = [name for name in ("contingency", *COLUMNS) if name not in file]
            if missing:
                raise UserError(f"{path}: sweep summary without {', '.join(missing)}")
            ids = [_decode(v) for v in file["contingency"][()]]
            columns = {name: [_decode(v) for v in file[name][()]] for name in COLUMNS}
            attributes = {key: _decode(value) for key, value in file.attrs.items()}
    except OSError as error:
        raise UserError(f"{path}: cannot be read as a sweep summary ({error})") from None
    rows = [{"id": cid, **{name: values[i] for name, values in columns.items()}}
            for i, cid in enumerate(ids)]
    return SweepSummary(path, rows, attributes)


def cell_text(row: Mapping, column: str, digits: int | None) -> str:
    """How the table shows one value: numbers to ``digits`` places, NaN as a dash."""
    value = row[column]
    if digits is None:
        return str(value)
    value = float(value)
    return "–" if math.isnan(value) else f"{value:.{digits}f}"


def drawn_component(layout: Layout, target: str) -> str | None:
    """The floor-plan component that stands for failed ``target``: itself, or the CDU
    of a pump; None for what the plan does not draw (plant equipment)."""
    for cdu in layout.cdus:
        if any(p.id == target for p in cdu.pumps):
            return cdu.id
    located = layout.find(target)
    return target if located is not None and located.kind in DRAWN else None


def worst_by_component(rows: Sequence[Mapping], layout: Layout,
                       measure: str) -> tuple[dict[str, float], list[str]]:
    """The worst ``measure`` of the contingencies each drawn component takes part in.

    Returns
    -------
    worst : dict
        Drawn component id -> largest value of ``measure`` (NaN values are skipped).
    elsewhere : list of str
        Failed components that are not on the plan (plant equipment), in row order.
    """
    worst: dict[str, float] = {}
    elsewhere: list[str] = []
    for row in rows:
        value = float(row[measure])
        for target in str(row["id"]).split("+"):
            drawn = drawn_component(layout, target)
            if drawn is None:
                if target not in elsewhere:
                    elsewhere.append(target)
            elif not math.isnan(value):
                worst[drawn] = max(worst.get(drawn, -math.inf), value)
    return worst, elsewhere
