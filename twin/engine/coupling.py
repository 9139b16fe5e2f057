"""The heat of one network step, from the chips to the room and the water.

The parts exchange heat in an order that lets every joule land in the step
it was made in: each loop's hydraulics and chips first (heat to the cold
plates, and what they cannot take spilled into the rack's air); then the
rear doors, which take from each rack's exhaust what their water can carry;
then each loop's coolant transport, with its doors' heat joining at the
CDUs' returns; last the room air, which gets what the racks blew out past
their doors.  The doors see the rack inlet and their water's temperature and
flow of the step before (one network step, 1 s by default, is far shorter
than a coil's or a room's response).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.engine.doors import FACILITY, RearDoors, loop_water_share
from twin.engine.liquid import LoopDynamics, LoopStep
from twin.engine.room import Room, RoomStep
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
        Heat the facility water took: CDU exchangers, air units and doors on
        facility water (W).
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
        # Racks whose doors each water source feeds ("facility" or a CDU id).
        self.fed: dict[str, list[int]] = {}
        for rack, source in zip(self.doors.racks, self.doors.source, strict=True):
            self.fed.setdefault(source, []).append(int(rack))
        # Temperature and flow share of the water each door source gives, from the
        # loops' starting state (then from each step's end).
        self.water: dict[str, tuple[float, float]] = {FACILITY: (float("nan"), 1.0)}
        for dyn in dynamics:
            temperature, net = dyn.transport.node_temperature, dyn.loop.network
            for cdu in dyn.loop.cdus:
                flow = dyn.result.flow[net.link_index[dyn.loop.hx_link[cdu.id]]]
                self.water[cdu.id] = (float(temperature[net.node_index[cdu.supply]]),
                                      loop_water_share(cdu, float(flow)))

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
        loops = []
        for dyn, plate, flows in zip(self.dynamics, plates, primary_flow, strict=True):
            returned = np.array([doors[self.fed.get(cdu.id, [])].sum() for cdu in dyn.loop.cdus])
            step = dyn.carry_heat(dt, plate, np.full(len(dyn.loop.cdus), facility_temperature),
                                 flows, returned)
            for i, cdu in enumerate(dyn.loop.cdus):
                self.water[cdu.id] = (float(step.cdu_supply[i]),
                                      loop_water_share(cdu, float(step.cdu_flow[i])))
            loops.append(step)
        room = self.room.step(air_until, dt, outdoor, fans, room_heat)
        facility = float(sum(s.cdu_heat.sum() for s in loops) + room.air_unit_heat.sum()
                         + doors[self.fed.get(FACILITY, [])].sum())
        return HallStep(loops, room, spilled, doors, facility)
