"""Heat-rejection plant and outdoor conditions: what sets the facility-water temperature."""

from __future__ import annotations

from pydantic import Field, StrictInt, model_validator

from twin.model.base import Id, Strict
from twin.model.quantities import quantity


class Ambient(Strict):
    """Outdoor conditions (degC). Scenarios may change them with time."""

    dry_bulb: quantity("degC", "outdoor dry-bulb", ge=-60, le=60) = Field(25.0, alias="dry_bulb_c")
    wet_bulb: quantity("degC", "outdoor wet-bulb", ge=-60, le=60) = Field(18.0, alias="wet_bulb_c")

    @model_validator(mode="after")
    def _wet_below_dry(self) -> Ambient:
        if self.wet_bulb > self.dry_bulb:
            raise ValueError("wet_bulb_c must not exceed dry_bulb_c")
        return self


class FanCooledUnit(Strict):
    """What dry coolers and towers share: a capacity and fans that can fail one by one."""

    id: Id
    capacity: quantity("kW", "heat rejected at design", gt=0, le=1e5) = Field(alias="capacity_kw")
    fan_power: quantity("kW", "fan power at full speed", ge=0, le=1e4) = Field(
        alias="fan_power_kw")
    fan_count: StrictInt = Field(4, ge=1, le=1000,
                                 description="fans; one fan failure loses 1/fan_count")


class DryCooler(FanCooledUnit):
    """A dry cooler (no evaporation): leaving water = dry-bulb + approach."""

    approach: quantity("K", "leaving water minus dry-bulb at design", gt=0, le=40) = Field(
        8.0, alias="approach_k")


class CoolingTower(FanCooledUnit):
    """An evaporative (open or closed-circuit) cooling tower: leaving = wet-bulb + approach.

    Water use is evaporation (latent heat) plus blowdown = evaporation / (cycles - 1).
    """

    approach: quantity("K", "leaving water minus wet-bulb at design", gt=0, le=30) = Field(
        4.0, alias="approach_k")
    cycles: quantity("1", "cycles of concentration", gt=1, le=50) = Field(
        4.0, alias="cycles_of_concentration")


class Chiller(Strict):
    """A compressor chiller that trims facility water to the plant setpoint."""

    id: Id
    capacity: quantity("kW", "cooling capacity", gt=0, le=1e5) = Field(alias="capacity_kw")
    cop: quantity("1", "coefficient of performance at design", gt=0, le=30) = Field(
        6.0, alias="cop")


class Plant(Strict):
    """Heat rejection for the whole hall and the facility-water loop it feeds."""

    supply_temp: quantity("degC", "facility-water supply setpoint", gt=0, le=60) = Field(
        28.0, alias="supply_temp_c")
    pump_power: quantity("kW", "facility-water pump power at design", ge=0, le=1e4) = Field(
        0.0, alias="pump_power_kw")
    dry_coolers: list[DryCooler] = Field(default_factory=list)
    towers: list[CoolingTower] = Field(default_factory=list)
    chillers: list[Chiller] = Field(default_factory=list)

    @property
    def units(self) -> list[DryCooler | CoolingTower | Chiller]:
        """Every heat-rejection unit."""
        return [*self.dry_coolers, *self.towers, *self.chillers]
