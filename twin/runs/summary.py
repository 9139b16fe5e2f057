"""What a run amounts to: peaks, compute lost, PUE and WUE over the run.

Series are sampled values; a state holds from its row until the next one
(so the last row adds nothing), and powers and flows are integrated with the
trapezoidal rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.controls.rack import RackState
from twin.runs.reader import RunReader


@dataclass(frozen=True)
class Peak:
    """The highest value of one component's series and when it happened.

    Attributes
    ----------
    component : str
        Component id.
    value : float
        Highest value (the series' unit).
    time : float
        When it was first reached (s).
    """

    component: str
    value: float
    time: float


def peaks(run: RunReader, name: str) -> list[Peak]:
    """The peak of series ``name`` for each of its components (those with any value)."""
    if name not in run.series_names or run.row_count == 0:
        return []
    times, values = run.series(name)
    found = []
    for k, component in enumerate(run.components(name)):
        column = values[:, k]
        if np.isfinite(column).any():
            index = int(np.nanargmax(column))
            found.append(Peak(component, float(column[index]), float(times[index])))
    return found


def rack_hours(run: RunReader) -> dict[str, float] | None:
    """Rack-hours spent tripped and throttled, from ``rack_state``; None without it."""
    if "rack_state" not in run.series_names or run.row_count < 2:
        return None
    times, states = run.series("rack_state")
    held = np.diff(times)[:, None]
    return {"tripped": float(((states[:-1] == RackState.TRIPPED) * held).sum() / 3600.0),
            "throttled": float(((states[:-1] == RackState.THROTTLED) * held).sum() / 3600.0)}


def _energy(run: RunReader, name: str) -> float | None:
    """Time integral of a hall-wide series (its unit times s); None if absent or unusable."""
    if name not in run.series_names or run.row_count < 2:
        return None
    times, values = run.series(name)
    if not np.isfinite(values).all():
        return None
    return float(np.trapezoid(values, times))


def pue(run: RunReader) -> float | None:
    """PUE over the run: (IT + cooling energy) / IT energy, or the time average of
    the ``pue`` series; None when neither can be had."""
    it, cooling = _energy(run, "it_power"), _energy(run, "cooling_power")
    if it and cooling is not None:
        return (it + cooling) / it
    average = _energy(run, "pue")
    if average is None:
        return None
    times = run.series_times
    return average / float(times[-1] - times[0])


def wue(run: RunReader) -> float | None:
    """WUE over the run: litres of water per kWh of IT energy; None without the series."""
    it, water = _energy(run, "it_power"), _energy(run, "water_use")
    if not it or water is None:
        return None
    return water * 1e3 / (it / 3.6e6)
