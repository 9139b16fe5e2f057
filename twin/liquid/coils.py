"""Water coils on the room air: rear-door heat exchangers and the air units' coils.

**Rear doors** (counterflow epsilon-NTU).  A layout gives a door only its
rated capacity and its water source (the plant's facility water, or the TCS
loop of a CDU).  Its conductance comes from the rating, taken as catalogues
state it: the capacity at the rack's nominal air flow, with the air entering
:data:`RATED_ETD_K` above the water and the water warming
:data:`RATED_WATER_RISE_K`.  A capacity the coil could not reach there
(effectiveness above :data:`MAX_EFFECTIVENESS`) is capped at that
effectiveness; the capacity stays the most a door takes.

In operation the door cools the rack's exhaust (inlet air plus what the rack
put into its air) with the water of its source::

    Q = clip(eps(UA, C_air, C_water) C_min (T_exhaust - T_water), -capacity, capacity)

``C_air`` is the rack's fans' flow (none once it trips) and ``C_water`` the
rated water flow times its share now: 1 on facility water; on a CDU's TCS
loop the door is a branch beside the racks, so its flow follows the CDU's
(its share is the CDU's flow over its duty pumps' design flow), and a CDU
whose pumps stop feeds no door.  The conductance is held at its rated value
whatever the flows (the film coefficients' change with flow is left out).

**Air units** hold their supply air at its setpoint up to their capacity
with an ideal coil valve (:class:`twin.controls.AirUnitControl`): the water's
temperature does not limit them, on facility water or on a CDU's.  A unit
on a CDU's TCS loop is a branch beside the racks like a door: its coil gets
the CDU's flow share, and its capacity is its rating times that share
(capped at 1), so a CDU that stops (failed, no pump running, cut off by its
valves) leaves it blowing room air through uncooled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from twin.liquid.loops import NO_FLOW, pump_design_flow
from twin.liquid.temperatures import exchanger_duty
from twin.model.equipment import AIR_CP, AIR_DENSITY, AirUnit, Cdu
from twin.model.layout import Layout

#: Entering air minus entering water (K) at which a door's capacity is rated.
RATED_ETD_K = 20.0
#: Water temperature rise (K) at the rated capacity: sets the rated water flow.
RATED_WATER_RISE_K = 5.0
#: The most effective a door's coil is taken to be (its rating is capped there).
MAX_EFFECTIVENESS = 0.9
#: Water source of a door or air unit fed by the plant.
FACILITY = "facility"
#: Room air (degC) racks breathe when a hall without the air model has no air unit.
NO_UNIT_INLET = 24.0


def counterflow_ntu(effectiveness: float, capacity_ratio: float) -> float:
    """NTU of a counterflow exchanger of ``effectiveness`` (< 1) at C_min/C_max
    ``capacity_ratio`` (the inverse of its epsilon-NTU relation)."""
    if abs(1.0 - capacity_ratio) < 1e-9:
        return effectiveness / (1.0 - effectiveness)
    return math.log((1.0 - effectiveness * capacity_ratio) / (1.0 - effectiveness)) / \
        (1.0 - capacity_ratio)


class RearDoors:
    """The rear doors of a hall's racks.

    Parameters
    ----------
    layout : Layout
        The hall; racks without a ``rear_door`` take no part.

    Attributes
    ----------
    racks : ndarray of int
        Index in ``layout.racks`` of each rack with a door.
    source : list of str
        Each door's water source: ``"facility"`` or a CDU id.
    capacity, ua, water_rate : ndarray
        Rated capacity (W), conductance (W/K) and water capacity rate at the
        rated flow (W/K) of each door.
    """

    def __init__(self, layout: Layout):
        doors = [(i, r) for i, r in enumerate(layout.racks) if r.rear_door is not None]
        self.racks = np.array([i for i, _ in doors], dtype=int)
        self.source = [r.rear_door.water_source for _, r in doors]
        self.capacity = np.array([r.rear_door.capacity for _, r in doors])
        self.water_rate = self.capacity / RATED_WATER_RISE_K
        self.ua = np.array([self._rated_ua(r.air_flow, c, w) for (_, r), c, w in
                            zip(doors, self.capacity, self.water_rate, strict=True)])

    @staticmethod
    def _rated_ua(air_flow: float, capacity: float, water_rate: float) -> float:
        air_rate = AIR_DENSITY * AIR_CP * air_flow
        c_min, c_max = min(air_rate, water_rate), max(air_rate, water_rate)
        effectiveness = min(capacity / (c_min * RATED_ETD_K), MAX_EFFECTIVENESS)
        return counterflow_ntu(effectiveness, c_min / c_max) * c_min

    def __len__(self) -> int:
        return len(self.racks)

    def heat(self, inlet: np.ndarray, exhaust_heat: np.ndarray, air_flow: np.ndarray,
             water_temperature: Mapping[str, float],
             water_share: Mapping[str, float]) -> np.ndarray:
        """Heat each rack's door takes from its exhaust into its water (W; 0 without a door).

        Parameters
        ----------
        inlet : ndarray
            Per rack: air temperature at its inlet (degC).
        exhaust_heat : ndarray
            Per rack: heat it puts into its air before the door (W).
        air_flow : ndarray
            Per rack: air its fans move (m^3/s; 0 when stopped).
        water_temperature, water_share : Mapping
            Per water source (``"facility"`` and CDU ids): the temperature of the
            water it supplies (degC) and the share of the rated flow it gives.
        """
        taken = np.zeros(len(inlet))
        for n, rack in enumerate(self.racks):
            air_rate = AIR_DENSITY * AIR_CP * float(air_flow[rack])
            water_rate = self.water_rate[n] * water_share[self.source[n]]
            duty = exchanger_duty(float(self.ua[n]), air_rate, water_rate)
            if duty <= 0.0:
                continue
            exhaust = inlet[rack] + exhaust_heat[rack] / air_rate
            difference = exhaust - water_temperature[self.source[n]]
            taken[rack] = float(np.clip(duty * difference, -self.capacity[n], self.capacity[n]))
        return taken


def loop_water_share(cdu: Cdu, flow: float) -> float:
    """Share of its rated water flow a door or air unit on ``cdu``'s loop gets while the CDU
    passes ``flow`` (m^3/s): that flow over its duty pumps' design flow."""
    duty = [p for p in cdu.pumps if not p.standby] or cdu.pumps
    design = sum(pump_design_flow(p) for p in duty)
    return abs(flow) / design if abs(flow) > NO_FLOW and design > 0 else 0.0


def air_unit_capacity(units: Sequence[AirUnit], water_share: Mapping[str, float]) -> np.ndarray:
    """Cooling capacity (W) each air unit's coil has with its water now: its rating
    times the share of rated flow its source gives (1 on facility water), at most 1.

    ``water_share`` maps water sources (``"facility"`` and CDU ids) to that share;
    a source it does not name gives none.
    """
    return np.array([u.capacity * min(water_share.get(u.water_source, 0.0), 1.0)
                     for u in units])


def setpoint_air(units: Sequence[AirUnit]) -> float:
    """What racks breathe when the room air is not modelled (degC): the air units'
    mean supply setpoint, or :data:`NO_UNIT_INLET` in a hall without one."""
    return float(np.mean([u.supply_temp for u in units])) if units else NO_UNIT_INLET
