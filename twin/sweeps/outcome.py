"""One contingency run and what it amounts to: the task a sweep's workers execute.

:func:`run_contingency` takes plain data (the layout and scenario as file
documents, options as a dict) and returns plain data (an :class:`Outcome`
as a dict), so that a worker on another machine needs nothing but HallTwin
itself and nothing heavier than JSON crosses the network.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from twin.controls.rack import RackState
from twin.files import parse_layout, parse_scenario
from twin.sweeps.contingencies import FAILURE_TIME


@dataclass
class Outcome:
    """What one contingency did to the hall (SI; temperatures in degC).

    Attributes
    ----------
    id, kind : str
        The contingency's id and kind.
    status : str
        ``complete``, or ``failed`` (the engine stopped; ``message`` says why).
    max_chip_temperature, max_inlet_temperature : float
        Highest chip and rack-inlet temperature of any rack over the run (degC).
    max_chip_rack, max_inlet_rack : str
        The rack where each happened.
    time_to_throttle, time_to_trip : float
        From the failure to the first rack throttle / trip (s); NaN if none.
    racks_tripped : int
        Racks that tripped at least once.
    compute_lost : float
        Rack-hours of compute lost after the failure: tripped time counts in
        full, throttled time for the share of power the cap removes.
    max_pipe_velocity : float
        Highest mean velocity in any pipe (m/s).
    max_pipe : str
        The pipe where it happened.
    pue, wue : float
        PUE (1) and WUE (L/kWh) from the failure to the end of the run.
    message : str
        Why the run failed, or empty.
    """

    id: str
    kind: str
    status: str = "complete"
    max_chip_temperature: float = math.nan
    max_chip_rack: str = ""
    max_inlet_temperature: float = math.nan
    max_inlet_rack: str = ""
    time_to_throttle: float = math.nan
    time_to_trip: float = math.nan
    racks_tripped: int = 0
    compute_lost: float = 0.0
    max_pipe_velocity: float = math.nan
    max_pipe: str = ""
    pue: float = math.nan
    wue: float = math.nan
    message: str = ""


class _Tally:
    """Running peaks and integrals over the steps of one run."""

    def __init__(self, sim):
        layout = sim.layout
        self.racks = [r.id for r in layout.racks]
        self.pipes = [p.id for p in layout.pipes]
        self.area = np.array([math.pi * p.diameter ** 2 / 4 for p in layout.pipes])
        self.lost_share = np.array([1.0 - r.throttle_fraction for r in layout.racks])
        self.chip = np.full(len(self.racks), -math.inf)
        self.inlet = np.full(len(self.racks), -math.inf)
        self.velocity = np.zeros(len(self.pipes))
        self.ever_tripped = np.zeros(len(self.racks), dtype=bool)
        self.first = {RackState.THROTTLED: math.nan, RackState.TRIPPED: math.nan}
        self.lost = self.it_energy = self.cooling_energy = self.water = 0.0
        self.time = 0.0

    def add(self, sim) -> None:
        last, dt = sim.last, sim.time - self.time
        self.time = sim.time
        self.chip = np.fmax(self.chip, last["rack_chip_temperature"])
        self.inlet = np.fmax(self.inlet, last["rack_inlet_temperature"])
        if len(self.pipes):
            self.velocity = np.fmax(self.velocity, np.abs(last["pipe_flow"]) / self.area)
        state = last["rack_state"]
        self.ever_tripped |= state == RackState.TRIPPED
        for flag, first in self.first.items():
            if math.isnan(first) and np.any(state >= flag):
                self.first[flag] = sim.time - FAILURE_TIME
        if sim.time > FAILURE_TIME + 1e-9:
            # rectangle rule on the step that just ended: what the state was during it
            self.lost += dt / 3600.0 * float(np.sum(np.where(
                state == RackState.TRIPPED, 1.0,
                np.where(state == RackState.THROTTLED, self.lost_share, 0.0))))
            self.it_energy += float(last["it_power"]) * dt
            self.cooling_energy += float(last["cooling_power"]) * dt
            self.water += float(last["water_use"]) * dt

    def outcome(self, outcome: Outcome) -> Outcome:
        if len(self.racks):
            k, j = int(np.argmax(self.chip)), int(np.argmax(self.inlet))
            outcome.max_chip_temperature, outcome.max_chip_rack = float(self.chip[k]), \
                self.racks[k]
            outcome.max_inlet_temperature, outcome.max_inlet_rack = float(self.inlet[j]), \
                self.racks[j]
        if len(self.pipes):
            k = int(np.argmax(self.velocity))
            outcome.max_pipe_velocity, outcome.max_pipe = float(self.velocity[k]), self.pipes[k]
        outcome.time_to_throttle = self.first[RackState.THROTTLED]
        outcome.time_to_trip = self.first[RackState.TRIPPED]
        outcome.racks_tripped = int(self.ever_tripped.sum())
        outcome.compute_lost = self.lost
        if self.it_energy > 0:
            outcome.pue = (self.it_energy + self.cooling_energy) / self.it_energy
            outcome.wue = self.water * 1e3 / (self.it_energy / 3.6e6)
        return outcome


def run_contingency(layout: dict, scenario: dict, cid: str, kind: str,
                    options: dict | None = None, keep: str | None = None) -> dict:
    """Run one contingency and measure it.

    Parameters
    ----------
    layout, scenario : dict
        The layout and the contingency's scenario, as file documents.
    cid, kind : str
        The contingency's id and kind (copied to the outcome).
    options : dict, optional
        Keyword arguments of :class:`twin.engine.EngineOptions`.
    keep : str, optional
        Write the full run file here (a path the worker can reach).

    Returns
    -------
    dict
        The :class:`Outcome`'s fields.
    """
    from twin.engine import EngineOptions, Simulation
    from twin.engine.recording import open_run_file

    sim = Simulation(parse_layout(layout), parse_scenario(scenario, cid),
                     EngineOptions(**(options or {})))
    if keep is not None:
        Path(keep).parent.mkdir(parents=True, exist_ok=True)
        sim.writer = open_run_file(sim, keep, ["halltwin", "sweep", cid])
    tally, outcome, status = _Tally(sim), Outcome(cid, kind), "complete"
    try:
        for _ in sim.iter_run():
            tally.add(sim)
    except RuntimeError as error:  # the engine gave up (e.g. the air solver diverged)
        status, outcome.message = "failed", str(error)
    finally:
        if sim.writer is not None:
            sim.writer.close(status)
    outcome.status = status
    return asdict(tally.outcome(outcome))
