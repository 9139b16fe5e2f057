"""One coolant loop in time: hydraulics, coolant temperatures and chips, stepped together.

Each network step solves the loop's hydraulics at the current pump speeds,
valve states and leaks (warm-started from the last step, with each pipe's
viscosity at its coolant temperature), then carries the coolant temperatures
along the pipes with their transport delays (:class:`HeatTransport`) while
the chips pass heat to the cold plates (:class:`ChipThermal`) and the CDU
heat exchangers take it out.  The loop's operating state is a
:class:`solvers.network.Settings`; the network itself never changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from solvers.network import WATER, HeatExchanger, HeatTransport, HydraulicResult, HydraulicSolver
from twin.liquid.chips import ChipThermal
from twin.liquid.loops import CoolantLoop
from twin.liquid.steady import LoopState


@dataclass(frozen=True)
class LoopStep:
    """What one step of a loop gave (SI, degC), per rack and per CDU in loop order.

    Attributes
    ----------
    hydraulics : HydraulicResult
        The step's hydraulic solution.
    rack_flow, rack_supply, rack_return, chip_temperature, rack_absorbed : ndarray
        Per rack: coolant flow (m^3/s), supply and return temperatures, chip
        temperature at the end of the step, and heat the cold plates took (W).
    cdu_supply, cdu_return, cdu_dp, cdu_heat, cdu_flow : ndarray
        Per CDU: TCS supply (leaving its exchanger) and return temperatures,
        differential pressure supply - return (Pa), heat removed (W), coolant
        flow through it (m^3/s).
    leak_flow : float
        Coolant lost through leaks (m^3/s).
    energy_error : float
        The transport model's energy balance error over the step (J).
    """

    hydraulics: HydraulicResult
    rack_flow: np.ndarray
    rack_supply: np.ndarray
    rack_return: np.ndarray
    chip_temperature: np.ndarray
    rack_absorbed: np.ndarray
    cdu_supply: np.ndarray
    cdu_return: np.ndarray
    cdu_dp: np.ndarray
    cdu_heat: np.ndarray
    cdu_flow: np.ndarray
    leak_flow: float
    energy_error: float


class LoopDynamics:
    """The transient state of one coolant loop, started from its steady state.

    Parameters
    ----------
    loop : CoolantLoop
        The loop's network and its components.
    steady : LoopState
        Its steady state (flows, pump speed, node and chip temperatures).
    """

    def __init__(self, loop: CoolantLoop, steady: LoopState):
        self.loop = loop
        net = loop.network
        self.solver = HydraulicSolver(net)
        self.settings = net.settings()
        for pump_id, info in steady.pump.items():
            self.settings.set_open(pump_id, info["running"])
            self.settings.set_speed(pump_id, info["speed"])
        self.result = steady.hydraulics
        self.transport = HeatTransport(net, initial_temperature=steady.temperature)
        chips = [steady.rack[r.id]["chip_temperature"] for r in loop.racks]
        self.chips = ChipThermal(loop.racks, np.nan_to_num(chips, nan=35.0))
        index = net.node_index
        self._rack_links = np.array([net.link_index[r.id] for r in loop.racks], dtype=int)
        self._rack_supply = np.array([index[r.supply] for r in loop.racks], dtype=int)
        self._rack_return = np.array([index[r.return_] for r in loop.racks], dtype=int)
        self._cdu_supply = np.array([index[c.supply] for c in loop.cdus], dtype=int)
        self._cdu_return = np.array([index[c.return_] for c in loop.cdus], dtype=int)
        self._hx_links = np.array([net.link_index[loop.hx_link[c.id]] for c in loop.cdus],
                                  dtype=int)

    def set_pump(self, pump_id: str, speed: float) -> None:
        """Run a pump at ``speed`` (ratio); 0 stops it (a stopped pump passes no flow)."""
        self.settings.set_open(pump_id, speed > 0.0)
        self.settings.set_speed(pump_id, speed)

    def set_valve(self, valve_id: str, is_open: bool) -> None:
        """Open or close a valve of the loop."""
        self.settings.set_open(valve_id, is_open)

    def set_leak(self, node: str, coefficient: float) -> None:
        """Leak at a junction: outflow C * sqrt(p), C in m^3/s per Pa^0.5 (0 stops it)."""
        self.settings.set_emitter(node, coefficient)

    def step(self, dt: float, rack_power: np.ndarray, primary_temperature: np.ndarray,
             primary_flow: np.ndarray) -> LoopStep:
        """Advance the loop by ``dt`` seconds.

        Parameters
        ----------
        dt : float
            Step (s).
        rack_power : ndarray
            Heat the chips of each rack make (W): the liquid share of its IT power.
        primary_temperature, primary_flow : ndarray
            Per CDU: facility water reaching its exchanger (degC) and its flow
            through the primary valve (m^3/s).
        """
        net = self.loop.network
        self.result = self.solver.solve(self.settings, self.transport.link_temperature(),
                                        warm_start=self.result)
        flow = self.result.flow
        nodes = self.transport.node_temperature
        rack_flow = flow[self._rack_links]
        supply = nodes[self._rack_supply].copy()
        absorbed = self.chips.step(dt, rack_power, supply, rack_flow)
        link_heat = np.zeros(net.n_links)
        link_heat[self._rack_links] = absorbed
        exchangers = [HeatExchanger(self.loop.hx_link[c.id], self.loop.hx_ua[c.id],
                                    float(t), float(q), WATER)
                      for c, t, q in zip(self.loop.cdus, primary_temperature, primary_flow,
                                         strict=True)]
        heat = self.transport.step(self.result, dt, link_heat=link_heat, exchangers=exchangers)
        temperature = heat.node_temperature
        pressure = self.result.pressure
        return LoopStep(
            hydraulics=self.result, rack_flow=rack_flow, rack_supply=supply,
            rack_return=temperature[self._rack_return], chip_temperature=self.chips.temperature,
            rack_absorbed=absorbed, cdu_supply=temperature[self._cdu_supply],
            cdu_return=temperature[self._cdu_return],
            cdu_dp=pressure[self._cdu_supply] - pressure[self._cdu_return],
            cdu_heat=np.asarray(heat.exchanger_heat, dtype=float),
            cdu_flow=flow[self._hx_links],
            leak_flow=float(np.sum(self.result.emitter_flow)),
            energy_error=float(heat.balance_error))
