"""The heat of one network step, from the chips to the room and the water.

The parts exchange heat in an order that lets every joule land in the step
it was made in: each loop's hydraulics and chips first (heat to the cold
plates, and what they cannot take spilled into the rack's air); then the
rear doors, which take from each rack's exhaust what their water can carry;
then the room air, which gets what the racks blew out past their doors and
gives what the air units took; last each loop's coolant transport, with the
heat of the doors and air units its CDUs feed joining at their returns.
The doors and the air units' coils see their water's temperature and flow
of the step before, and the doors the rack inlet of the step before (one
network step, 1 s by default, is far shorter than a coil's or a room's
response).  The coils are described in :mod:`twin.liquid.coils`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.engine.liquid import LoopDynamics, LoopStep
from twin.engine.room import Room, RoomStep
from twin.liquid.coils import FACILITY, RearDoors, air_unit_capacity, loop_water_share
from twin.model.layout import Layout


@dataclass(frozen=True)
class HallStep:
    """Where the heat of one network step went (SI, degC; heats are means over the step).

    Attributes
    ----------
    loops : list of LoopStep
        Each coolant loop's step, in the engine's loop order.
    room : RoomStep
        The room air's step.
    spilled, door_heat : ndarray
        Per rack: chip heat spilled into its air, and heat its rear door took
        into its water (W).
    facility_heat : float
        Heat the facility water took: CDU exchangers, and air units and doors
        on facility water (W).
    """

    loops: list[LoopStep]
    room: RoomStep
    spilled: np.ndarray
    door_heat: np.ndarray
    facility_heat: float


class HeatCoupling:
    """The heat paths between a hall's loops, rear doors and room.

    Parameters
    ----------
    layout : Layout
        The hall.
    dynamics : list of LoopDynamics
        Its coolant loops, started from their steady state.
    room : Room
        Its room air.
    """

    def __init__(self, layout: Layout, dynamics: list[LoopDynamics], room: Room):
        self.layout, self.dynamics, self.room = layout, dynamics, room
        self.doors = RearDoors(layout)
        index = {r.id: i for i, r in enumerate(layout.racks)}
        self.loop_racks = [np.array([index[r.id] for r in d.loop.racks], dtype=int)
                           for d in dynamics]
        self.capture = np.array([r.capture for r in layout.racks])
        # Racks whose doors, and air units whose coils, each water source feeds
        # ("facility" or a CDU id).
        self.fed: dict[str, list[int]] = {}
        for rack, source in zip(self.doors.racks, self.doors.source, strict=True):
            self.fed.setdefault(source, []).append(int(rack))
        self.units_fed: dict[str, list[int]] = {}
        for i, unit in enumerate(layout.air_units):
            self.units_fed.setdefault(unit.water_source, []).append(i)
        # Temperature and flow share of the water each door source gives, from the
        # loops' starting state (then from each step's end).
        self.water: dict[str, tuple[float, float]] = {FACILITY: (float("nan"), 1.0)}
        for dyn in dynamics:
            temperature, net = dyn.transport.node_temperature, dyn.loop.network
            for cdu in dyn.loop.cdus:
                flow = dyn.result.flow[net.link_index[dyn.loop.hx_link[cdu.id]]]
                self.water[cdu.id] = (float(temperature[net.node_index[cdu.supply]]),
                                      loop_water_share(cdu, float(flow)))
        self._update_coils()

    def _update_coils(self) -> None:
        """Give the room its air units' coil capacities for the water they have now."""
        self.room.coil_capacity = air_unit_capacity(
            self.layout.air_units, {k: s for k, (_, s) in self.water.items()})

    def air_heat(self, power: np.ndarray, spilled: np.ndarray, fans: np.ndarray,
                 facility_temperature: float) -> tuple[np.ndarray, np.ndarray]:
        """Per rack: heat into the room air past its door, and heat its door took (W).

        Parameters
        ----------
        power : ndarray
            IT power of each rack (W).
        spilled : ndarray
            Chip heat each rack spilled into its air (W).
        fans : ndarray
            Air each rack's fans move (m^3/s).
        facility_temperature : float
            Facility-water supply temperature (degC).
        """
        exhaust = (1.0 - self.capture) * power + spilled
        if not len(self.doors):
            return exhaust, np.zeros_like(exhaust)
        self.water[FACILITY] = (facility_temperature, 1.0)
        doors = self.doors.heat(self.room.inlet, exhaust, fans,
                                {k: t for k, (t, _) in self.water.items()},
                                {k: s for k, (_, s) in self.water.items()})
        return exhaust - doors, doors

    def step(self, dt: float, power: np.ndarray, fans: np.ndarray, facility_temperature: float,
             primary_flow: list[np.ndarray], air_until: float, outdoor: float) -> HallStep:
        """Advance loops, chips, doors and room by ``dt`` seconds.

        Parameters
        ----------
        dt : float
            Step (s).
        power, fans : ndarray
            Per rack: IT power (W) and the air its fans move (m^3/s).
        facility_temperature : float
            Facility water reaching the CDUs and doors (degC).
        primary_flow : list of ndarray
            Per loop, per CDU: facility water through its primary valve (m^3/s).
        air_until : float
            End of the step on the air model's clock (s).
        outdoor : float
            Outdoor dry-bulb (degC), for the walls.
        """
        plates = [dyn.cold_plates(dt, self.capture[racks] * power[racks], fans[racks])
                  for dyn, racks in zip(self.dynamics, self.loop_racks, strict=True)]
        spilled = np.zeros(len(power))
        for racks, plate in zip(self.loop_racks, plates, strict=True):
            spilled[racks] = plate.spilled
        room_heat, doors = self.air_heat(power, spilled, fans, facility_temperature)
        room = self.room.step(air_until, dt, outdoor, fans, room_heat)

        def returned(source: str) -> float:
            return float(doors[self.fed.get(source, [])].sum()
                         + room.air_unit_heat[self.units_fed.get(source, [])].sum())

        loops = []
        for dyn, plate, flows in zip(self.dynamics, plates, primary_flow, strict=True):
            step = dyn.carry_heat(dt, plate, np.full(len(dyn.loop.cdus), facility_temperature),
                                 flows, np.array([returned(c.id) for c in dyn.loop.cdus]))
            for i, cdu in enumerate(dyn.loop.cdus):
                self.water[cdu.id] = (float(step.cdu_supply[i]),
                                      loop_water_share(cdu, float(step.cdu_flow[i])))
            loops.append(step)
        self._update_coils()
        facility = float(sum(s.cdu_heat.sum() for s in loops) + returned(FACILITY))
        return HallStep(loops, room, spilled, doors, facility)
