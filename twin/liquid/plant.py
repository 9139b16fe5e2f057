"""Heat-rejection plant at steady state: facility-water temperature, power, water.

Economizers (dry coolers, towers) share the load in proportion to their
available capacity; each leaves water at its reference temperature (dry-bulb
for dry coolers, wet-bulb for towers) plus its design approach scaled by its
load fraction (the approach of a coil or fill grows about linearly with
load).  When that is warmer than the plant setpoint, chillers trim the
difference up to their capacity; their compressor heat goes to the
economizers too.  Fans run at the load fraction, so their power follows its
cube (affinity laws).  Towers evaporate the heat they reject (latent heat
2.43 MJ/kg at ~30 degC) and blow down evaporation / (cycles - 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from twin.model.plant import Ambient, CoolingTower, Plant

#: Latent heat of evaporation of water near 30 degC (J/kg).
LATENT_HEAT = 2.43e6
#: Volumetric heat capacity of facility water (J/(m^3 K)).
WATER_RHO_CP = 4.18e6


@dataclass(frozen=True)
class PlantState:
    """The plant at one operating point.

    Attributes
    ----------
    supply_temperature : float
        Facility-water supply temperature (degC).
    heat : float
        Heat rejected to outdoors (W), chiller compressor heat included.
    fan_power, chiller_power, pump_power : float
        Electrical power (W).
    water_use : float
        Make-up water (m^3/s): evaporation plus blowdown.
    """

    supply_temperature: float
    heat: float
    fan_power: float
    chiller_power: float
    pump_power: float
    water_use: float

    @property
    def power(self) -> float:
        """All plant electrical power (W)."""
        return self.fan_power + self.chiller_power + self.pump_power


def plant_state(plant: Plant, ambient: Ambient, heat: float, facility_flow: float,
                failed: dict[str, float] | None = None) -> PlantState:
    """The plant rejecting ``heat`` W with ``facility_flow`` m^3/s of facility water.

    Parameters
    ----------
    plant : Plant
        The plant as laid out.
    ambient : Ambient
        Outdoor dry- and wet-bulb (degC).
    heat : float
        Heat the hall gives the facility water (W).
    facility_flow : float
        Total facility-water flow (m^3/s), for the chillers' trim.
    failed : dict, optional
        Unit id -> share of it lost (1 = all; 0.25 = 2 fans of 8).
    """
    failed = failed or {}
    units = [(u, 1.0 - failed.get(u.id, 0.0)) for u in (*plant.dry_coolers, *plant.towers)]
    units = [(u, share) for u, share in units if share > 0.0]
    chiller_capacity = sum(c.capacity * (1.0 - failed.get(c.id, 0.0)) for c in plant.chillers)
    cop = (sum(c.cop * c.capacity for c in plant.chillers) /
           sum(c.capacity for c in plant.chillers)) if plant.chillers else 1.0
    c_water = WATER_RHO_CP * max(facility_flow, 1e-9)
    if not units:  # chillers alone (air-cooled): they hold the setpoint while they can
        chiller_heat = min(heat, chiller_capacity)
        supply = plant.supply_temp + (heat - chiller_heat) / c_water
        return PlantState(supply, heat + chiller_heat / cop, 0.0, chiller_heat / cop,
                          plant.pump_power, 0.0)
    chiller_heat = 0.0
    for _ in range(20):  # compressor heat adds to what the economizers reject
        rejected = heat + chiller_heat / cop
        leaving, fan_power, water = _economizers(units, ambient, rejected)
        needed = max(0.0, c_water * (leaving - plant.supply_temp))
        new_chiller_heat = min(needed, chiller_capacity, heat)
        if abs(new_chiller_heat - chiller_heat) < 1.0:
            break
        chiller_heat = new_chiller_heat
    # Below the setpoint the plant mixes back (bypass) to hold it.
    supply = max(leaving - chiller_heat / c_water, plant.supply_temp)
    return PlantState(supply, rejected, fan_power, chiller_heat / cop, plant.pump_power, water)


def _economizers(units: list, ambient: Ambient, heat: float) -> tuple[float, float, float]:
    """Leaving temperature (degC), fan power (W), water use (m^3/s) of the economizers."""
    capacity = sum(u.capacity * share for u, share in units)
    fraction = heat / capacity
    leaving = fan_power = water = 0.0
    for unit, share in units:
        tower = isinstance(unit, CoolingTower)
        reference = ambient.wet_bulb if tower else ambient.dry_bulb
        weight = unit.capacity * share / capacity
        leaving += weight * (reference + unit.approach * fraction)
        fan_power += unit.fan_power * share * min(fraction, 1.0) ** 3
        if tower:
            evaporation = weight * heat / LATENT_HEAT / 1000.0  # m^3/s of water
            water += evaporation * (1.0 + 1.0 / (unit.cycles - 1.0))
    return leaving, fan_power, water
