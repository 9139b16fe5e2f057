"""From a layout to coolant networks: one network per technology-cooling loop.

Each loop becomes a :class:`solvers.network.Network`:

* every junction of the loop, at its elevation;
* pipes and valves as given (isolation valves as throttling valves with their
  open loss, check valves as one-way valves, control valves at their opening);
* each rack as a link from its supply to its return junction whose loss
  coefficient gives ``design_dp_kpa`` at ``design_flow_lpm`` (the cold plates,
  quick disconnects and manifold); the rack's liquid heat enters there;
* each CDU as its pumps in parallel from its return junction (suction) to a
  discharge node, then its heat exchanger as a link from the discharge node to
  its supply junction (50 kPa at the duty pump's design flow);
* the first CDU's expansion tank as a fixed-head node on its suction side:
  the closed loop's pressure reference (the other tanks of a shared loop hold
  the same pressure and exchange no coolant at steady state).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from solvers.network import (
    PG25,
    WATER,
    Fluid,
    Network,
    NetworkBuilder,
    PumpCurve,
    loss_coefficient,
    throttle_loss_coefficient,
)
from twin.editing import pipe_length
from twin.model.equipment import Cdu, Pump
from twin.model.layout import Layout
from twin.pipe_sizing import size_bore
from twin.validation import coolant_loops

FLUIDS: dict[str, Fluid] = {"water": WATER, "pg25": PG25}
#: Coolant temperature (degC) at which design flows and pressure drops are converted.
DESIGN_TEMPERATURE = 35.0
#: Pressure drop (Pa) of a CDU's heat exchanger at its duty pump's design flow.
HX_DESIGN_DP = 50e3
GRAVITY = 9.80665
#: Coolant flow (m^3/s) below which a link passes nothing: what is left of the
#: hydraulic solve's round-off once a loop's pumps stop.
NO_FLOW = 1e-6


def pump_design_flow(pump: Pump) -> float:
    """The flow (m^3/s) of a pump's design point: the one point, or the middle one."""
    flows = pump.curve.flow
    return flows[0] if len(flows) == 1 else flows[len(flows) // 2]


def pump_curve(pump: Pump, density: float) -> PumpCurve:
    """The pump's curve in the solver's units (m^3/s, m of coolant)."""
    points = [(q, h / (density * GRAVITY)) for q, h in zip(pump.curve.flow, pump.curve.head,
                                                              strict=True)]
    return PumpCurve.from_points(points)


@dataclass
class CoolantLoop:
    """One TCS loop: its network and what each layout component is in it.

    Attributes
    ----------
    network : Network
        The loop's coolant network (immutable).
    fluid : Fluid
        The loop's coolant.
    cdus, racks : list
        The layout's CDUs and racks on this loop.
    hx_link : dict
        CDU id -> name of its heat-exchanger link.
    pumps : dict
        Pump id -> (CDU, Pump) for every pump on the loop.
    hx_ua : dict
        CDU id -> heat-exchanger conductance UA (W/K).
    pipes, valves : list of str
        Ids of the layout's pipes and valves on this loop.
    """

    network: Network
    fluid: Fluid
    cdus: list[Cdu]
    racks: list
    hx_link: dict[str, str] = field(default_factory=dict)
    pumps: dict[str, tuple[Cdu, Pump]] = field(default_factory=dict)
    hx_ua: dict[str, float] = field(default_factory=dict)
    pipes: list[str] = field(default_factory=list)
    valves: list[str] = field(default_factory=list)

    @property
    def rho_cp(self) -> float:
        """Volumetric heat capacity of the coolant at design temperature (J/(m^3 K))."""
        return float(self.fluid.volumetric_heat_capacity(DESIGN_TEMPERATURE))


def design_ua(cdu: Cdu, secondary_rho_cp: float) -> float:
    """UA (W/K) that gives the CDU's design approach at its capacity.

    At capacity Q with secondary flow at the duty pump's design point and
    primary flow at ``facility_flow_lpm``, the secondary leaves at primary
    inlet + approach (counterflow).  epsilon = Q / (C_min * (T_h,in - T_c,in))
    and the counterflow NTU(epsilon, C_r) give UA = NTU * C_min.
    """
    if cdu.heat_exchanger.ua_given is not None:
        return cdu.heat_exchanger.ua_given
    duty = [p for p in cdu.pumps if not p.standby] or cdu.pumps
    c_hot = secondary_rho_cp * sum(pump_design_flow(p) for p in duty)
    c_cold = float(WATER.volumetric_heat_capacity(25.0)) * cdu.facility_flow
    c_min, c_max = min(c_hot, c_cold), max(c_hot, c_cold)
    q = cdu.capacity
    inlet_difference = cdu.heat_exchanger.design_approach + q / c_hot
    effectiveness = q / (c_min * inlet_difference)
    if effectiveness >= 0.999:
        raise ValueError(
            f"CDU {cdu.id}: cannot reach its {cdu.heat_exchanger.design_approach:g} K design "
            f"approach at {cdu.capacity / 1e3:,.0f} kW: raise facility_flow_lpm "
            f"({cdu.facility_flow * 6e4:,.0f} L/min) or the pump design flow, or give "
            "heat_exchanger.ua_kw_per_k")
    ratio = c_min / c_max
    if abs(1.0 - ratio) < 1e-9:
        ntu = effectiveness / (1.0 - effectiveness)
    else:
        ntu = math.log((1.0 - effectiveness * ratio) / (1.0 - effectiveness)) / (1.0 - ratio)
    return ntu * c_min


def build_loops(layout: Layout) -> list[CoolantLoop]:
    """One :class:`CoolantLoop` per loop with a CDU (see the module docstring)."""
    loops = []
    for members in coolant_loops(layout):
        if members.cdus:
            loops.append(_build_loop(layout, [layout.cdus[i] for i in members.cdus],
                                     [layout.racks[i] for i in members.racks]))
    return loops


def _build_loop(layout: Layout, cdus: list[Cdu], racks: list) -> CoolantLoop:
    fluid = FLUIDS[cdus[0].fluid]
    density = float(fluid.density(DESIGN_TEMPERATURE))
    builder = NetworkBuilder("darcy-weisbach", fluid=fluid)
    loop = CoolantLoop(network=None, fluid=fluid, cdus=cdus, racks=racks)
    nodes = _loop_nodes(layout, cdus, racks)
    for junction in layout.junctions:
        if junction.id in nodes:
            builder.add_junction(junction.id, elevation=junction.elevation)
    for pipe in layout.pipes:
        if pipe.from_ in nodes:
            builder.add_pipe(pipe.id, pipe.from_, pipe.to, pipe_length(layout, pipe.id),
                             pipe.diameter, pipe.roughness, minor_loss=pipe.minor_loss)
            loop.pipes.append(pipe.id)
    for valve in layout.valves:
        if valve.from_ in nodes:
            k = valve.loss_k if valve.kind != "control" else throttle_loss_coefficient(
                valve.opening, valve.loss_k)
            builder.add_valve(valve.id, valve.from_, valve.to, valve.diameter, "TCV", setting=k,
                              check_valve=valve.kind == "check", open=valve.open)
            loop.valves.append(valve.id)
    for rack in racks:
        bore = size_bore(rack.design_flow) * 1e-3
        k = loss_coefficient(rack.design_dp, rack.design_flow, bore, density)
        builder.add_valve(rack.id, rack.supply, rack.return_, bore, "TCV", setting=k)
    for cdu in cdus:
        _add_cdu(builder, layout, loop, cdu, density)
    # A closed loop takes its pressure from one tank: several fixed heads on one
    # loop would drive flow from tank to tank through the piping.
    reference = next((c for c in cdus if c.expansion_tank is not None), None)
    if reference is not None:
        suction = layout.nodes[reference.return_]
        head = suction.elevation + reference.expansion_tank.pressure / (density * GRAVITY)
        builder.add_fixed_head(f"{reference.id}:tank", head, elevation=suction.elevation)
        builder.add_pipe(f"{reference.id}:tank-line", f"{reference.id}:tank", reference.return_,
                         1.0, 0.05, 4.5e-5)
    loop.network = builder.build()
    return loop


def _loop_nodes(layout: Layout, cdus: list[Cdu], racks: list) -> set[str]:
    """Junctions of the loop: those joined to its CDUs and racks by any link."""
    seeds = {n for unit in (*cdus, *racks) for n in (unit.supply, unit.return_)}
    links = [(x.from_, x.to) for x in (*layout.pipes, *layout.valves)]
    links += [(u.supply, u.return_) for u in (*layout.racks, *layout.cdus)]
    found, frontier = set(seeds), list(seeds)
    neighbours: dict[str, list[str]] = {}
    for a, b in links:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    while frontier:
        for other in neighbours.get(frontier.pop(), []):
            if other not in found:
                found.add(other)
                frontier.append(other)
    return found


def _add_cdu(builder: NetworkBuilder, layout: Layout, loop: CoolantLoop, cdu: Cdu,
             density: float) -> None:
    """Pumps in parallel, the heat exchanger and the expansion tank of one CDU."""
    suction = layout.nodes[cdu.return_]
    discharge = f"{cdu.id}:discharge"
    builder.add_junction(discharge, elevation=suction.elevation)
    duty = [p for p in cdu.pumps if not p.standby] or cdu.pumps
    for pump in cdu.pumps:
        builder.add_pump(pump.id, cdu.return_, discharge, pump_curve(pump, density),
                         speed=pump.max_speed if not pump.standby else 0.0,
                         open=not pump.standby)
        loop.pumps[pump.id] = (cdu, pump)
    design_flow = sum(pump_design_flow(p) for p in duty) if duty else 1e-3
    bore = size_bore(design_flow) * 1e-3
    hx = f"{cdu.id}:hx"
    builder.add_valve(hx, discharge, cdu.supply, bore, "TCV",
                      setting=loss_coefficient(HX_DESIGN_DP, design_flow, bore, density))
    loop.hx_link[cdu.id] = hx
    loop.hx_ua[cdu.id] = design_ua(cdu, loop.rho_cp)
