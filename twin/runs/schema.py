"""What a run file holds (DESIGN §4): names, units, long names, column types.

Kept apart from the writer and the reader so both, and the docs, agree on
one table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RUN_FORMAT = "halltwin-run"
RUN_FORMAT_VERSION = 1

#: Run states kept in the ``/status`` dataset.
STATUSES = ("running", "complete", "aborted", "failed")

#: Fields stored per frame, as (units, long name); shape (time, z, y, x), float32.
FIELDS = {
    "air_temperature": ("degC", "air temperature"),
    "air_speed": ("m/s", "air speed"),
}

#: Component dimensions of ``/series``, with the long name of their id scale.
COMPONENT_DIMS = {
    "rack": "rack id", "cdu": "CDU id", "pump": "pump id", "pipe": "pipe id",
    "node": "junction id", "air_unit": "air unit id", "valve": "valve id",
}


@dataclass(frozen=True)
class SeriesSpec:
    """One time series of a run.

    Attributes
    ----------
    name : str
        Dataset name in ``/series``.
    dim : str or None
        Component dimension (``rack``, ``cdu``...) or None for a hall-wide series.
    units : str
        CF-style units of the stored values (SI).
    long_name : str
        What it is, for people and for xarray.
    dtype : str
        ``float64``, or ``int8`` for states.
    """

    name: str
    dim: str | None
    units: str
    long_name: str
    dtype: str = "float64"

    @property
    def fill(self) -> float | int:
        """Value stored for a row the producer did not give."""
        return -1 if np.dtype(self.dtype).kind == "i" else float("nan")


#: The series DESIGN §4 names; a writer may add others with their own SeriesSpec.
SERIES = {spec.name: spec for spec in [
    SeriesSpec("rack_inlet_temperature", "rack", "degC", "rack air inlet temperature"),
    SeriesSpec("rack_chip_temperature", "rack", "degC", "rack chip temperature"),
    SeriesSpec("rack_power", "rack", "W", "rack IT power"),
    SeriesSpec("rack_state", "rack", "1", "rack protection state (0 ok, 1 throttled, "
               "2 tripped)", "int8"),
    SeriesSpec("cdu_supply_temperature", "cdu", "degC", "CDU TCS supply temperature"),
    SeriesSpec("cdu_return_temperature", "cdu", "degC", "CDU TCS return temperature"),
    SeriesSpec("cdu_heat", "cdu", "W", "heat a CDU passes to facility water"),
    SeriesSpec("pump_flow", "pump", "m3/s", "pump flow"),
    SeriesSpec("pump_speed", "pump", "1", "pump speed ratio"),
    SeriesSpec("pipe_flow", "pipe", "m3/s", "pipe flow"),
    SeriesSpec("node_pressure", "node", "Pa", "junction gauge pressure"),
    SeriesSpec("air_unit_heat", "air_unit", "W", "heat an air unit takes from the room"),
    SeriesSpec("air_unit_supply_temperature", "air_unit", "degC", "air unit supply temperature"),
    SeriesSpec("tank_level", "cdu", "1", "expansion tank fill fraction"),
    SeriesSpec("it_power", None, "W", "IT power of the hall"),
    SeriesSpec("cooling_power", None, "W", "power of cooling: pumps, fans, compressors"),
    SeriesSpec("pue", None, "1", "power usage effectiveness"),
    SeriesSpec("water_use", None, "m3/s", "plant water use (evaporation and blowdown)"),
]}

#: Rack protection states as stored in ``rack_state`` (CF flag attributes).
RACK_STATE_FLAGS = {"flag_values": np.array([0, 1, 2], dtype="int8"),
                    "flag_meanings": "ok throttled tripped"}

#: Columns of ``/events``: name -> (HDF5 dtype, units, long name).  Strings are
#: fixed-length UTF-8 (SWMR cannot append variable-length data); longer text is cut.
EVENT_COLUMNS = {
    "time": ("float64", "s", "simulated time of the event"),
    "component": ("S64", "", "component id"),
    "kind": ("S32", "", "what the event is about"),
    "state": ("S16", "", "the component's new state"),
    "value": ("float64", "", "measurement that crossed the limit (SI)"),
    "limit": ("float64", "", "limit it crossed (SI)"),
    "cause": ("int64", "", "row of the event that caused this one, -1 for a root cause"),
    "message": ("S256", "", "what happened, for people"),
}


def fit_text(text: str, size: int) -> bytes:
    """``text`` as UTF-8 in at most ``size`` bytes, cut on a character boundary."""
    raw = text.encode("utf-8")
    if len(raw) <= size:
        return raw
    return raw[:size].decode("utf-8", errors="ignore").encode("utf-8")


def resolve_series(series) -> dict[str, SeriesSpec]:
    """Series specs by name from names of :data:`SERIES` or :class:`SeriesSpec` objects."""
    specs: dict[str, SeriesSpec] = {}
    for item in series:
        if isinstance(item, SeriesSpec):
            specs[item.name] = item
        elif item in SERIES:
            specs[item] = SERIES[item]
        else:
            raise ValueError(f"unknown series {item!r}: give a SeriesSpec, or one of "
                             + ", ".join(SERIES))
    return specs
