"""The hall's liquid side at steady state, for a design check or a starting point.

Controls are taken at their steady-state effect: each loop's running pumps
share one speed that holds the CDUs' differential-pressure setpoint (within
the pumps' speed range); standby pumps run in place of failed duty pumps;
each CDU's primary valve passes just the facility water that holds its TCS
supply setpoint (or all of it, when the setpoint cannot be held).

Rear doors and air units on a CDU's water (:mod:`twin.liquid.coils`) add
their heat at its return junction.  Racks breathe air at the air units' mean
setpoint, as in the engine without the air model (or a given inlet
temperature); doors take what their coil law gives from that exhaust, and
the air units share what reaches the room in proportion to their coils'
capacity, up to that capacity.  What a door or unit on a CDU's loop takes depends on the CDU's
supply temperature, which it can raise once the primary valve is wide open,
so the two are iterated to a fixed point.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from solvers.network import WATER, HydraulicResult, HydraulicSolver
from twin.liquid.coils import FACILITY, RearDoors, air_unit_capacity, loop_water_share, setpoint_air
from twin.liquid.loops import GRAVITY, CoolantLoop, build_loops, pump_design_flow
from twin.liquid.plant import PlantState, plant_state
from twin.liquid.temperatures import (
    Exchanger,
    exchanger_duty,
    exchanger_heat,
    steady_temperatures,
)
from twin.model.layout import Layout
from twin.model.plant import Ambient

#: Rack flow (fraction of design) below which a rack has no steady temperature.
NO_FLOW_FRACTION = 1e-3
#: Most rounds of the coils' heat and the loops' temperatures, and the change in
#: the heat the coils return to the loops (W) at which they have settled.
COIL_ROUNDS = 30
COIL_TOLERANCE_W = 1.0


@dataclass
class LoopState:
    """One loop solved: hydraulics, temperatures and what each component does.

    ``returned`` is the heat (W) joining each CDU's return junction, in loop
    order: the rear doors and air units on its water (None: none).
    """

    loop: CoolantLoop
    hydraulics: HydraulicResult
    speed: float
    temperature: np.ndarray
    returned: np.ndarray | None = None
    rack: dict[str, dict] = field(default_factory=dict)
    cdu: dict[str, dict] = field(default_factory=dict)
    pump: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def node_temperature(self, node: str) -> float:
        """Temperature (degC) at a node of the loop."""
        return float(self.temperature[self.loop.network.node_index[node]])


@dataclass
class HallState:
    """The whole hall's liquid side at one operating point (SI, degC).

    ``rack_inlet``, ``door_heat`` and ``air_unit_heat`` are per rack and per air
    unit in layout order: the air each rack breathes, the heat its rear door
    takes into its water, and the heat each air unit takes from the room.
    """

    loops: list[LoopState]
    plant: PlantState
    it_power: float
    pump_power: float
    air_fan_power: float
    rack_inlet: np.ndarray = field(default_factory=lambda: np.zeros(0))
    door_heat: np.ndarray = field(default_factory=lambda: np.zeros(0))
    air_unit_heat: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def cooling_power(self) -> float:
        """Electrical power of all cooling (W): CDU pumps, air-unit fans, plant."""
        return self.pump_power + self.air_fan_power + self.plant.power

    @property
    def pue(self) -> float:
        """(IT + cooling) / IT; other facility losses are not modelled, so this is
        also the partial PUE of cooling."""
        return (self.it_power + self.cooling_power) / self.it_power

    @property
    def wue(self) -> float:
        """Water use per IT energy (L/kWh)."""
        return self.plant.water_use * 1e3 * 3600.0 / (self.it_power / 1e3)


def pump_efficiency(flow: float, speed: float, design_flow: float, peak: float) -> float:
    """Efficiency at ``flow`` m^3/s: a parabola through 0 at no flow and ``peak`` at
    the best-efficiency point, which moves with speed (affinity laws)."""
    bep = max(speed * design_flow, 1e-12)
    x = flow / bep
    return max(peak * x * (2.0 - x), 0.05 * peak)


def _running(loop: CoolantLoop, failed: frozenset[str]) -> list[str]:
    """Pumps that run: duty pumps not failed, plus standbys replacing failed ones."""
    running = []
    for cdu in loop.cdus:
        if cdu.id in failed:
            continue
        duty = [p for p in cdu.pumps if not p.standby]
        standby = [p for p in cdu.pumps if p.standby and p.id not in failed]
        lost = sum(p.id in failed for p in duty)
        running += [p.id for p in duty if p.id not in failed] + [p.id for p in standby[:lost]]
    return running


def solve_loop(loop: CoolantLoop, failed: frozenset[str], load: float,
               facility_temperature: float) -> LoopState:
    """Hydraulics, pump speed and temperatures of one loop at steady state."""
    net = loop.network
    solver = HydraulicSolver(net)
    settings = net.settings()
    running = _running(loop, failed)
    for pump_id in loop.pumps:
        settings.set_open(pump_id, pump_id in running)
    active = [c for c in loop.cdus if c.id not in failed]
    notes: list[str] = []
    if not running:
        notes.append("no pump runs: the loop has no flow")
    pumps = [loop.pumps[p][1] for p in running]
    low = max((p.min_speed for p in pumps), default=0.0)
    high = min((p.max_speed for p in pumps), default=0.0)

    def solve_at(speed: float, warm=None) -> HydraulicResult:
        for pump_id in running:
            settings.set_speed(pump_id, speed)
        return solver.solve(settings, temperature=35.0, warm_start=warm)

    def dp(result: HydraulicResult) -> float:
        return float(np.mean([result.node(c.supply)["pressure"] - result.node(c.return_)["pressure"]
                              for c in active])) if active else 0.0

    setpoint = float(np.mean([c.dp_setpoint for c in active])) if active else 0.0
    result = solve_at(high)
    speed = high
    if running and dp(result) > setpoint:
        lo, hi = low, high
        if dp(solve_at(lo)) > setpoint:
            speed, result = lo, solve_at(lo)
            notes.append("pumps at minimum speed still exceed the dp setpoint")
        else:
            for _ in range(40):
                speed = 0.5 * (lo + hi)
                result = solve_at(speed, result)
                lo, hi = (speed, hi) if dp(result) < setpoint else (lo, speed)
                if hi - lo < 1e-4:
                    break
    elif running:
        notes.append("pumps at full speed cannot reach the dp setpoint")
    state = LoopState(loop, result, speed if running else 0.0, np.zeros(net.n_nodes), notes=notes)
    _temperatures(state, failed, load, facility_temperature)
    _racks(state, load)
    _pumps(state, running)
    return state


def _temperatures(state: LoopState, failed: frozenset[str], load: float,
                  facility_temperature: float, returned: np.ndarray | None = None) -> None:
    """Solve temperatures with the primary valves open just enough.

    The CDUs of a loop share one setpoint and one control law, so one valve
    fraction ``f`` (primary flow = f * facility flow) is found by bisection
    such that the flow-weighted mean CDU outlet sits at the setpoint; when
    even fully open valves cannot reach it, they stay fully open.
    ``returned`` is the heat (W) joining each CDU's return junction, in loop
    order (the doors and air units it feeds).
    """
    loop, net = state.loop, state.loop.network
    flow = state.hydraulics.flow
    heat = np.zeros(net.n_links)
    for rack in loop.racks:
        heat[net.link_index[rack.id]] = rack.capture * rack.power * load
    node_heat = np.zeros(net.n_nodes)
    if returned is not None:
        np.add.at(node_heat, [net.node_index[c.return_] for c in loop.cdus], returned)
    state.returned = returned
    active = [c for c in loop.cdus if c.id not in failed]
    setpoint = min((c.supply_temp for c in active), default=facility_temperature)

    primary_rho_cp = float(WATER.volumetric_heat_capacity(facility_temperature))

    def solve(fraction: float) -> tuple[np.ndarray, list[Exchanger], float]:
        exchangers = [Exchanger(net.link_index[loop.hx_link[c.id]], loop.hx_ua[c.id],
                                facility_temperature, primary_rho_cp * fraction * c.facility_flow)
                      for c in active]
        temperature = steady_temperatures(net, flow, loop.rho_cp, heat, exchangers, setpoint,
                                          node_heat)
        outlets = [_outlet(state, hx, temperature) for hx in exchangers]
        moving = sum(w for _, w in outlets)
        mean = sum(t * w for t, w in outlets) / moving if moving > 0 else setpoint
        return temperature, exchangers, mean

    temperature, exchangers, mean = solve(1.0)
    fraction = 1.0
    if active and mean < setpoint:
        lo, hi = 1e-4, 1.0
        for _ in range(40):
            fraction = 0.5 * (lo + hi)
            temperature, exchangers, mean = solve(fraction)
            lo, hi = (fraction, hi) if mean > setpoint else (lo, fraction)
            if hi - lo < 1e-5:
                break
    state.temperature = temperature
    for cdu, hx in zip(active, exchangers, strict=True):
        state.cdu[cdu.id] = {
            "heat": exchanger_heat(flow, temperature, net, loop.rho_cp, hx),
            "supply_temperature": _outlet(state, hx, temperature)[0],
            "primary_flow": fraction * cdu.facility_flow,
            "facility_temperature": facility_temperature}
    for cdu in loop.cdus:
        state.cdu.setdefault(cdu.id, {"heat": 0.0, "supply_temperature": float("nan"),
                                      "primary_flow": 0.0,
                                      "facility_temperature": facility_temperature})


def _outlet(state: LoopState, hx: Exchanger, temperature: np.ndarray) -> tuple[float, float]:
    """Outlet temperature (degC) of an exchanger's secondary stream, and its flow (m^3/s)."""
    net, k = state.loop.network, hx.link
    q = state.hydraulics.flow[k]
    if abs(q) <= 1e-9:
        return float("nan"), 0.0
    inlet = temperature[net.start[k] if q > 0 else net.end[k]]
    c_sec = state.loop.rho_cp * abs(q)
    duty = exchanger_duty(hx.ua, c_sec, hx.primary_capacity_rate)
    return float(inlet - duty * (inlet - hx.primary_temperature) / c_sec), abs(q)


def _racks(state: LoopState, load: float) -> None:
    """Per-rack numbers from the solved loop."""
    loop, result = state.loop, state.hydraulics
    for rack in loop.racks:
        flow = result.link(rack.id)["flow"]
        supply = state.node_temperature(rack.supply)
        liquid = rack.capture * rack.power * load
        ratio = flow / rack.design_flow
        if ratio > NO_FLOW_FRACTION:
            resistance = rack.chip.resistance * ratio ** -rack.chip.flow_exponent
            outlet, chip = supply + liquid / (loop.rho_cp * flow), supply + resistance * liquid
        else:  # no steady state without flow: the chips heat until the rack trips
            outlet = chip = float("nan")
        state.rack[rack.id] = {
            "flow": flow, "design_flow": rack.design_flow, "supply_temperature": supply,
            "return_temperature": outlet, "chip_temperature": chip,
            "dp": result.node(rack.supply)["pressure"] - result.node(rack.return_)["pressure"]}


def _pumps(state: LoopState, running: list[str]) -> None:
    """Per-pump numbers from the solved loop."""
    loop, result = state.loop, state.hydraulics
    density = float(loop.fluid.density(35.0))
    for pump_id, (_, pump) in loop.pumps.items():
        info = result.link(pump_id)
        on = pump_id in running
        head = -info["headloss"] * density * GRAVITY if on else 0.0
        efficiency = pump_efficiency(info["flow"], state.speed, pump_design_flow(pump),
                                     pump.efficiency) if on else 0.0
        state.pump[pump_id] = {
            "running": on, "flow": info["flow"] if on else 0.0, "head": head,
            "speed": state.speed if on else 0.0, "efficiency": efficiency,
            "power": head * info["flow"] / efficiency if on and efficiency > 0 else 0.0}


def _coil_heat(layout: Layout, states: list[LoopState], load: float, inlet: np.ndarray,
               facility_temperature: float, failed: frozenset[str]
               ) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Per rack the heat its door takes, per air unit the heat it takes from the room
    (W), and the heat returned to each CDU's loop by the doors and units it feeds."""
    temperature, share = {FACILITY: facility_temperature}, {FACILITY: 1.0}
    for state in states:
        net = state.loop.network
        for cdu in state.loop.cdus:
            flow = float(state.hydraulics.flow[net.link_index[state.loop.hx_link[cdu.id]]])
            temperature[cdu.id] = state.cdu[cdu.id]["supply_temperature"]
            share[cdu.id] = loop_water_share(cdu, flow)
    racks, units = layout.racks, layout.air_units
    exhaust = np.array([(1.0 - r.capture) * r.power * load for r in racks])
    fans = np.array([r.air_flow for r in racks])
    doors = RearDoors(layout)
    door = doors.heat(inlet, exhaust, fans, temperature, share) if len(doors) else \
        np.zeros(len(racks))
    capacity = air_unit_capacity(units, share) * [a.id not in failed for a in units]
    # As the engine's room without the air model: the units take what reaches the
    # room in proportion to the capacity of their coils, and no more than that
    # capacity (short of it, the room warms from the start of a run).
    room = float(np.sum(exhaust - door))
    total = float(capacity.sum())
    unit = capacity * min(room / total, 1.0) if total > 0 else np.zeros(len(units))
    returned: dict[str, float] = {}
    for source, heat in (*zip(doors.source, door[doors.racks], strict=True),
                         *((a.water_source, q) for a, q in zip(units, unit, strict=True))):
        if source != FACILITY:
            returned[source] = returned.get(source, 0.0) + float(heat)
    return door, unit, returned


def steady_state(layout: Layout, failed: frozenset[str] = frozenset(), load: float = 1.0,
                 ambient: Ambient | None = None, loops: list[CoolantLoop] | None = None,
                 rack_inlet: np.ndarray | None = None) -> HallState:
    """The hall's liquid side at steady state.

    Parameters
    ----------
    layout : Layout
        The hall.
    failed : frozenset of str
        Ids of pumps, CDUs, air units and plant units that are out.
    load : float
        IT load as a fraction of nominal.
    ambient : Ambient, optional
        Outdoor conditions (default: the layout's).
    loops : list of CoolantLoop, optional
        Loops already built from this layout (saves rebuilding them).
    rack_inlet : ndarray, optional
        Air each rack breathes (degC), in layout order; default the air
        units' mean setpoint.
    """
    loops = loops if loops is not None else build_loops(layout)
    ambient = ambient or layout.ambient
    it_power = layout.it_power * load
    facility_flow = sum(c.facility_flow for c in layout.cdus if c.id not in failed)
    plant = plant_state(layout.plant, ambient, it_power, facility_flow,
                        {f: 1.0 for f in failed})
    facility = plant.supply_temperature
    states = [solve_loop(loop, failed, load, facility) for loop in loops]
    inlet = np.full(len(layout.racks), setpoint_air(layout.air_units)) if rack_inlet is None \
        else np.asarray(rack_inlet, dtype=float)
    door, unit, returned = _coil_heat(layout, states, load, inlet, facility, failed)
    solved: dict[str, float] = {}
    for _ in range(COIL_ROUNDS):
        if all(abs(q - solved.get(c, 0.0)) <= COIL_TOLERANCE_W for c, q in returned.items()):
            break
        for state in states:
            heat = np.array([returned.get(c.id, 0.0) for c in state.loop.cdus])
            if np.any(heat != [solved.get(c.id, 0.0) for c in state.loop.cdus]):
                _temperatures(state, failed, load, facility, heat)
                _racks(state, load)
        solved = returned
        door, unit, returned = _coil_heat(layout, states, load, inlet, facility, failed)
    pump_power = sum(p["power"] for s in states for p in s.pump.values())
    air_fans = sum(a.fan_power for a in layout.air_units if a.id not in failed)
    return HallState(states, plant, it_power, pump_power, air_fans, inlet, door, unit)
