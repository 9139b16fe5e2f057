"""The room's air in the engine: with the air model, or its quick stand-in without it.

Each network step the racks' air flows and the heat they put into their air
(air-side share of their power, plus what their chips spilled, less what their
rear doors took) go to the room; the room answers with each rack's inlet
temperature and each air unit's heat.  With the air model
(:class:`~twin.engine.air.HallAir`) the heats are the patches' own energy
counts over the step — what the air actually received — so the hall's heat
balance closes on them.

Without it the room is one well-mixed node of air at ``T_room`` (degC), heat
capacity ``rho cp V`` with ``V`` the hall's volume less the boxes of its
racks, CDUs and air units (the air model's obstacles).  It starts at the air
units' mean setpoint; each step the units take what brings it back to that
setpoint by the step's end, never more than their capacity (coil x
availability, shared in proportion to it) and never less than nothing (they
do not heat), and the rest warms the node exactly::

    T_room(t + dt) = T_room(t) + (sum(rack heat) - units' heat) dt / (rho cp V)

Racks breathe ``T_room`` and the units draw it in.  While the units have the
capacity, ``T_room`` stays at the setpoint and the units take the racks' heat
(as in the steady state the run starts from, :func:`twin.liquid.steady_state`).
The node is adiabatic: the walls' exchange with outdoors is left out (see
``docs/engine.md``), so its wall heat is 0 and the hall's heat balance closes
on the units' heat and the node's heat content.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from twin.controls import AirUnitControl
from twin.engine.air import HallAir
from twin.liquid.coils import NO_UNIT_INLET
from twin.model.equipment import AIR_CP, AIR_DENSITY
from twin.model.layout import Layout


def air_volume(layout: Layout) -> float:
    """Volume of the hall's air (m^3): the hall less the boxes of its racks, CDUs and
    air units (each cut at the ceiling); the whole hall should those fill it (only
    a layout whose equipment overlaps, which validation rejects)."""
    hall = layout.hall
    room = hall.width * hall.depth * hall.height
    boxes = sum(b.width * b.depth * min(b.height, hall.height)
                for b in (*layout.racks, *layout.cdus, *layout.air_units))
    return room - boxes if boxes < room else room


@dataclass(frozen=True)
class RoomStep:
    """What the room did over one network step (SI, degC; heats are means over the step).

    Attributes
    ----------
    inlet : ndarray
        Per rack: mean temperature of the air it draws in at the end of the step.
    rack_heat : ndarray
        Per rack: heat it put into the room air (W).
    air_unit_heat, air_unit_intake, air_unit_supply : ndarray
        Per air unit: heat taken out (W), intake and supply temperatures.
    wall_heat : float
        Heat the walls and ceiling added (W; negative: lost outdoors).
    heat_content : float
        Sensible heat of the room air at the end of the step (J above 0 degC;
        without the air model, the well-mixed node's ``rho cp V T_room``).
    """

    inlet: np.ndarray
    rack_heat: np.ndarray
    air_unit_heat: np.ndarray
    air_unit_intake: np.ndarray
    air_unit_supply: np.ndarray
    wall_heat: float
    heat_content: float


class Room:
    """The hall's room air, stepped by the engine.

    Parameters
    ----------
    layout : Layout
        The hall.
    controls : Mapping
        Air-unit id -> its :class:`AirUnitControl` (its setpoint, available share).
    air : HallAir, optional
        The air model; None for the stand-in.

    Attributes
    ----------
    coil_capacity : ndarray
        Per air unit: what its coil can take with the water it has now (W).
    heat_capacity : float
        The stand-in's ``rho cp V`` (J/K; :func:`air_volume`).
    temperature : float
        The stand-in's room air, ``T_room`` (degC); unused with the air model.
    """

    def __init__(self, layout: Layout, controls: Mapping[str, AirUnitControl],
                 air: HallAir | None = None):
        self.units = [controls[a.id] for a in layout.air_units]
        # What each unit's coil can take with the water it has (W): set by the
        # engine each step (:func:`twin.liquid.coils.air_unit_capacity`).
        self.coil_capacity = np.array([a.capacity for a in layout.air_units])
        self.air = air
        self.n_racks = len(layout.racks)
        self._room_temperature: float | None = None
        # The stand-in's well-mixed node: its heat capacity (J/K) and temperature (degC).
        self.heat_capacity = AIR_DENSITY * AIR_CP * air_volume(layout)
        self.temperature = self._setpoint()
        self._inlet = np.full(self.n_racks, self.temperature)

    def _setpoint(self) -> float:
        """What the stand-in holds the room at: the air units' mean setpoint now (degC)."""
        setpoints = [u.setpoint for u in self.units]
        return float(np.mean(setpoints)) if setpoints else NO_UNIT_INLET

    @property
    def inlet(self) -> np.ndarray:
        """Each rack's inlet temperature after the last step (degC)."""
        return self._inlet

    @property
    def heat_content(self) -> float:
        """Sensible heat of the room air now (J above 0 degC)."""
        if self.air is not None:
            return float(self.air.solver.heat_content())
        return self.heat_capacity * self.temperature

    def _set(self, rack_flow: np.ndarray, rack_heat: np.ndarray) -> None:
        self.air.set_racks(rack_flow, rack_heat)
        self.air.set_air_units(np.array([u.air_flow * u.available for u in self.units]),
                               np.array([u.setpoint for u in self.units]), self._capacity())

    def _capacity(self) -> np.ndarray:
        """Cooling each air unit can give now (W): its coil's, less what has failed."""
        return self.coil_capacity * np.array([u.available for u in self.units])

    def spin_up(self, until: float, rack_flow: np.ndarray, rack_heat: np.ndarray) -> None:
        """Run the air model to its time ``until`` (s) with fixed rack settings."""
        self._set(rack_flow, rack_heat)
        self._advance(until)
        self._inlet = self.air.rack_inlet()
        self._room_temperature = float(np.mean(self._inlet)) if self.n_racks else None

    def _advance(self, until: float) -> None:
        status = self.air.advance_to(until)
        if status not in ("ok", "done"):
            raise RuntimeError(f"air solver stopped: {status}: {self.air.solver.message}")

    def _energies(self) -> tuple[np.ndarray, np.ndarray]:
        reports = self.air.solver.patch_reports()
        return (np.array([reports[r].energy for r in self.air.rack_ids]),
                np.array([reports[a].energy for a in self.air.air_unit_ids]))

    def step(self, until: float, dt: float, outdoor: float, rack_flow: np.ndarray,
             rack_heat: np.ndarray) -> RoomStep:
        """Advance the room over a step of ``dt`` seconds ending at air time ``until``.

        Parameters
        ----------
        until, dt : float
            End of the step on the air model's clock, and its length (s).
        outdoor : float
            Outdoor dry-bulb (degC), for the walls.
        rack_flow, rack_heat : ndarray
            Per rack: air its fans move (m^3/s) and heat it puts into that air (W).
        """
        if self.air is None:
            return self._stand_in(dt, rack_heat)
        racks_before, units_before = self._energies()
        self._set(rack_flow, rack_heat)
        if self._room_temperature is not None:
            self.air.update_walls(outdoor, self._room_temperature)
        self._advance(until)
        racks_after, units_after = self._energies()
        intake, supply, _ = self.air.air_unit_state()
        self._inlet = self.air.rack_inlet()
        self._room_temperature = float(np.mean(self._inlet)) if self.n_racks else None
        return RoomStep(self._inlet, (racks_after - racks_before) / dt,
                        (units_before - units_after) / dt, intake, supply,
                        self.air.wall_heat, self.air.solver.heat_content())

    def _stand_in(self, dt: float, rack_heat: np.ndarray) -> RoomStep:
        """Step the well-mixed node by ``dt`` seconds with the racks' heat (W each).

        The units take ``min(capacity, what brings the node to the setpoint)``;
        each unit's supply is its intake less what it took over its air flow,
        not below its setpoint (nor above its intake).
        """
        heat = float(np.sum(rack_heat))
        capacity = self._capacity()
        total = float(capacity.sum())
        setpoint = self._setpoint()
        # Heat that leaves the node at the setpoint by the step's end.
        needed = heat + self.heat_capacity * (self.temperature - setpoint) / dt
        if 0.0 <= needed <= total:
            # Enough capacity: the room is at the setpoint (set exactly, so a hall
            # whose units suffice keeps its inlets at the setpoint to the bit).
            removed, self.temperature = needed, setpoint
        else:  # short of capacity, or the room below the setpoint: the units give all
            # they have, or nothing, and the rest of the heat stays in the node.
            removed = min(max(needed, 0.0), total)
            self.temperature += (heat - removed) * dt / self.heat_capacity
        share = capacity / total if total > 0 else capacity
        taken = share * removed
        room = self.temperature
        self._inlet = np.full(self.n_racks, room)
        supply = np.empty(len(self.units))
        for i, (unit, q) in enumerate(zip(self.units, taken, strict=True)):
            rate = AIR_DENSITY * AIR_CP * unit.air_flow * unit.available  # W/K
            cooled = room - q / rate if rate > 0 else room
            supply[i] = max(cooled, min(unit.setpoint, room))
        return RoomStep(self._inlet, np.asarray(rack_heat, dtype=float), taken,
                        np.full(len(self.units), room), supply, 0.0,
                        self.heat_capacity * room)
