"""The room's air in the engine: with the air model, or its quick stand-in without it.

Each network step the racks' air flows and the heat they put into their air
(air-side share of their power, plus what their chips spilled, less what their
rear doors took) go to the room; the room answers with each rack's inlet
temperature and each air unit's heat.  With the air model
(:class:`~twin.engine.air.HallAir`) the heats are the patches' own energy
counts over the step — what the air actually received — so the hall's heat
balance closes on them; without it, racks breathe air at the air units'
setpoint and the air units take the racks' heat in proportion to their
available capacity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from twin.controls import AirUnitControl
from twin.engine.air import HallAir
from twin.liquid.coils import NO_UNIT_INLET
from twin.model.layout import Layout


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
        NaN without the air model).
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
    """

    def __init__(self, layout: Layout, controls: Mapping[str, AirUnitControl],
                 air: HallAir | None = None):
        self.units = [controls[a.id] for a in layout.air_units]
        # What each unit's coil can take with the water it has (W): set by the
        # engine each step (:func:`twin.liquid.coils.air_unit_capacity`).
        self.coil_capacity = np.array([a.capacity for a in layout.air_units])
        self.air = air
        self.n_racks = len(layout.racks)
        self._inlet = self._setpoint_air()
        self._room_temperature: float | None = None

    def _setpoint_air(self) -> np.ndarray:
        """What racks breathe without the air model: the air units' mean setpoint (degC)."""
        setpoints = [u.setpoint for u in self.units]
        return np.full(self.n_racks, float(np.mean(setpoints)) if setpoints else NO_UNIT_INLET)

    @property
    def inlet(self) -> np.ndarray:
        """Each rack's inlet temperature after the last step (degC)."""
        return self._inlet

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
            return self._stand_in(rack_heat)
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

    def _stand_in(self, rack_heat: np.ndarray) -> RoomStep:
        self._inlet = self._setpoint_air()
        capacity = self._capacity()
        share = capacity / capacity.sum() if capacity.sum() > 0 else capacity
        intake = float(self._inlet.mean()) if self.n_racks else NO_UNIT_INLET
        return RoomStep(self._inlet, np.asarray(rack_heat, dtype=float),
                        share * float(np.sum(rack_heat)), np.full(len(self.units), intake),
                        np.array([u.setpoint for u in self.units]), 0.0, float("nan"))
