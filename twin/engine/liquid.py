"""One coolant loop in time: hydraulics, coolant temperatures and chips, stepped together.

Each network step, in two halves: :meth:`LoopDynamics.cold_plates` solves the
loop's hydraulics at the current pump speeds, valve states and leaks
(warm-started from the last step, with each pipe's viscosity at its coolant
temperature) and advances the chips (:class:`ChipThermal`), which pass heat
to the cold plates and spill what those cannot take into the rack's air;
then, once the engine knows what the rear doors fed by the loop take,
:meth:`LoopDynamics.carry_heat` carries the coolant temperatures along the
pipes with their transport delays (:class:`HeatTransport`) while the CDU
heat exchangers take the heat out.  The loop's operating state is a
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
class ColdPlates:
    """The first half of a loop's step: flows and what the chips did (SI, degC), per rack.

    Attributes
    ----------
    rack_flow, rack_supply : ndarray
        Coolant flow (m^3/s) and supply temperature at the cold plates.
    absorbed, spilled : ndarray
        Heat the cold plates took into the coolant, and heat the chips spilled
        into the rack's air (W, means over the step).
    """

    rack_flow: np.ndarray
    rack_supply: np.ndarray
    absorbed: np.ndarray
    spilled: np.ndarray


@dataclass(frozen=True)
class LoopStep:
    """What one step of a loop gave (SI, degC), per rack and per CDU in loop order.

    Attributes
    ----------
    hydraulics : HydraulicResult
        The step's hydraulic solution.
    rack_flow, rack_supply, rack_return, chip_temperature, rack_absorbed, rack_spilled : ndarray
        Per rack: coolant flow (m^3/s), supply and return temperatures, chip
        temperature at the end of the step, heat the cold plates took and heat
        the chips spilled into the rack's air (W).
    cdu_supply, cdu_return, cdu_dp, cdu_heat, cdu_flow, return_heat : ndarray
        Per CDU: TCS supply (leaving its exchanger) and return temperatures,
        differential pressure supply - return (Pa), heat removed (W), coolant
        flow through it (m^3/s), and heat added at its return junction (W:
        the rear doors it feeds).
    leak_flow : float
        Coolant lost through leaks (m^3/s).
    stored_change : float
        Change of the heat held by the loop's coolant over the step (J).
    unabsorbed : float
        Heat offered where no coolant flowed to take it (W; it is lost).
    energy_error : float
        The transport model's energy balance error over the step (J).
    """

    hydraulics: HydraulicResult
    rack_flow: np.ndarray
    rack_supply: np.ndarray
    rack_return: np.ndarray
    chip_temperature: np.ndarray
    rack_absorbed: np.ndarray
    rack_spilled: np.ndarray
    cdu_supply: np.ndarray
    cdu_return: np.ndarray
    cdu_dp: np.ndarray
    cdu_heat: np.ndarray
    cdu_flow: np.ndarray
    return_heat: np.ndarray
    leak_flow: float
    stored_change: float
    unabsorbed: float
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
        self.transport = HeatTransport(net, initial_temperature=_pipe_start(steady))
        self.transport.node_temperature[:] = steady.temperature
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

    def cold_plates(self, dt: float, rack_power: np.ndarray,
                    air_flow: np.ndarray | None = None) -> ColdPlates:
        """Solve the step's hydraulics and advance the chips by ``dt`` seconds.

        Parameters
        ----------
        dt : float
            Step (s).
        rack_power : ndarray
            Heat the chips of each rack make (W): the liquid share of its IT power.
        air_flow : ndarray, optional
            Air each rack's fans move (m^3/s), which carries the heat its chips
            spill; None: no spill.
        """
        self.result = self.solver.solve(self.settings, self.transport.link_temperature(),
                                        warm_start=self.result)
        rack_flow = self.result.flow[self._rack_links]
        supply = self.transport.node_temperature[self._rack_supply].copy()
        absorbed = self.chips.step(dt, rack_power, supply, rack_flow, air_flow)
        return ColdPlates(rack_flow, supply, absorbed, self.chips.spilled.copy())

    def carry_heat(self, dt: float, plates: ColdPlates, primary_temperature: np.ndarray,
                  primary_flow: np.ndarray, return_heat: np.ndarray | None = None) -> LoopStep:
        """Carry the coolant's heat over the step whose cold plates gave ``plates``.

        Parameters
        ----------
        dt : float
            Step (s), as given to :meth:`cold_plates`.
        plates : ColdPlates
            What :meth:`cold_plates` returned for this step.
        primary_temperature, primary_flow : ndarray
            Per CDU: facility water reaching its exchanger (degC) and its flow
            through the primary valve (m^3/s).
        return_heat : ndarray, optional
            Per CDU: heat joining the coolant at its return junction (W): the
            rear doors it feeds.
        """
        net = self.loop.network
        link_heat = np.zeros(net.n_links)
        link_heat[self._rack_links] = plates.absorbed
        added = np.zeros(len(self.loop.cdus)) if return_heat is None else \
            np.asarray(return_heat, dtype=float)
        node_heat = np.zeros(net.n_nodes)
        np.add.at(node_heat, self._cdu_return, added)
        exchangers = [HeatExchanger(self.loop.hx_link[c.id], self.loop.hx_ua[c.id],
                                    float(t), float(q), WATER)
                      for c, t, q in zip(self.loop.cdus, primary_temperature, primary_flow,
                                         strict=True)]
        heat = self.transport.step(self.result, dt, link_heat=link_heat, node_heat=node_heat,
                                   exchangers=exchangers)
        temperature, pressure, flow = heat.node_temperature, self.result.pressure, \
            self.result.flow
        return LoopStep(
            hydraulics=self.result, rack_flow=plates.rack_flow, rack_supply=plates.rack_supply,
            rack_return=temperature[self._rack_return], chip_temperature=self.chips.temperature,
            rack_absorbed=plates.absorbed, rack_spilled=plates.spilled,
            cdu_supply=temperature[self._cdu_supply], cdu_return=temperature[self._cdu_return],
            cdu_dp=pressure[self._cdu_supply] - pressure[self._cdu_return],
            cdu_heat=np.asarray(heat.exchanger_heat, dtype=float),
            cdu_flow=flow[self._hx_links], return_heat=added,
            leak_flow=float(np.sum(self.result.emitter_flow)),
            stored_change=float(heat.stored_change), unabsorbed=float(heat.unabsorbed_heat),
            energy_error=float(heat.balance_error))


def _pipe_start(steady: LoopState) -> np.ndarray:
    """Node temperatures (degC) that start each pipe at its steady contents.

    :class:`HeatTransport` fills a pipe with the mean of its two ends; a pipe
    with no heat of its own carries its inlet's temperature, which is that
    mean unless heat joins at its outlet node: a CDU's return, where its rear
    doors and air units add theirs.  There the node is given the temperature
    of what flows in before that heat joins (else the first pipe volume would
    bring half the heat's rise again).
    """
    start = steady.temperature.copy()
    if steady.returned is None:
        return start
    net, flow = steady.loop.network, steady.hydraulics.flow
    downstream = np.where(flow >= 0.0, net.end, net.start)
    for cdu, heat in zip(steady.loop.cdus, steady.returned, strict=True):
        node = net.node_index[cdu.return_]
        inflow = steady.loop.rho_cp * np.abs(flow[downstream == node]).sum()
        if heat and inflow > 0.0:
            start[node] -= heat / inflow
    return start
