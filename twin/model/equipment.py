"""Racks, CDUs and air units: the equipment on the hall floor.

Defaults follow current liquid-cooled AI practice; `layouts/README.md` cites
where the numbers come from.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, model_validator

from twin.model.base import Box, Id, Side, Strict
from twin.model.quantities import quantity

#: OCP guidance for direct-to-chip loops: 1.25-2.0 L/min per kW, typically 1.5.
DEFAULT_FLOW_LPM_PER_KW = 1.5
#: Air properties for sizing air flow from a temperature rise.
AIR_DENSITY = 1.19  # kg/m^3 at ~24 degC
AIR_CP = 1006.0  # J/(kg K)


class ChipModel(Strict):
    """Lumped chip thermal model of one rack.

    The chip-to-coolant resistance is ``R = R_design * (Q / Q_design)**-n``:
    it rises as coolant flow falls (the cold-plate film coefficient drops).
    """

    resistance: quantity("K/kW", "chip-to-coolant resistance at design flow", gt=0) = Field(
        0.3, alias="resistance_k_per_kw")
    flow_exponent: quantity("1", "exponent n of R ~ (Q/Q_design)^-n", ge=0, le=2) = Field(
        0.8, alias="flow_exponent")
    heat_capacity: quantity("kJ/K", "heat capacity of chips and cold plates", gt=0) = Field(
        150.0, alias="heat_capacity_kj_per_k")


class RearDoor(Strict):
    """A rear-door heat exchanger on a rack's outlet."""

    capacity: quantity("kW", "heat it can take from the rack's exhaust", gt=0) = Field(
        alias="capacity_kw")
    water_source: str = Field(
        "facility", description="'facility' (plant water) or the id of a CDU whose loop feeds it")


class Rack(Box):
    """An IT rack cooled direct-to-chip, hanging on a coolant loop.

    Its cold plates are a link from ``supply`` to ``return`` nodes; the
    air-side heat ``(1 - capture) * power`` goes into the room air.
    """

    width: quantity("m", "across the front", gt=0, le=5) = Field(0.6, alias="width_m")
    depth: quantity("m", "front to back", gt=0, le=5) = Field(1.2, alias="depth_m")
    height: quantity("m", "", gt=0, le=5) = Field(2.3, alias="height_m")
    inlet: Side = Field(Side.SOUTH, description="side the air inlet faces")
    power: quantity("kW", "nominal IT power", gt=0, le=1000) = Field(alias="power_kw")
    capture: quantity("1", "liquid capture fraction (direct-to-chip share)", ge=0, le=1) = Field(
        0.8, alias="capture_fraction")
    air_delta_t: quantity("K", "air temperature rise through the rack", optional=True,
                          gt=0, le=60) = Field(None, alias="air_delta_t_k")
    air_flow_given: quantity("m3/s", "air flow through the rack", optional=True,
                             gt=0, le=50) = Field(None, alias="air_flow_m3s")
    supply: Id = Field(description="junction the rack's coolant supply hose hangs on")
    return_: Id = Field(alias="return", description="junction of its coolant return hose")
    design_flow_given: quantity("L/min", "design coolant flow", optional=True,
                                gt=0, le=5000) = Field(None, alias="design_flow_lpm")
    design_dp: quantity("kPa", "coolant pressure drop at design flow", gt=0, le=1000) = Field(
        60.0, alias="design_dp_kpa")
    chip: ChipModel = Field(default_factory=ChipModel)
    throttle_temp: quantity("degC", "chip temperature at which power is capped", gt=0, le=150) = (
        Field(85.0, alias="throttle_temp_c"))
    throttle_fraction: quantity("1", "power cap while throttled", gt=0, le=1) = Field(
        0.6, alias="throttle_power_fraction")
    shutdown_temp: quantity("degC", "chip temperature at which the rack trips", gt=0, le=150) = (
        Field(92.0, alias="shutdown_temp_c"))
    hysteresis: quantity("K", "fall below a limit needed to recover", ge=0, le=30) = Field(
        5.0, alias="hysteresis_k")
    rear_door: RearDoor | None = None

    @property
    def facing(self) -> Side:
        return self.inlet

    @property
    def design_flow(self) -> float:
        """Design coolant flow (m^3/s): given, or 1.5 L/min per kW."""
        if self.design_flow_given is not None:
            return self.design_flow_given
        return DEFAULT_FLOW_LPM_PER_KW * (self.power / 1e3) * 1e-3 / 60.0

    @property
    def air_heat(self) -> float:
        """Heat the rack puts into the air at nominal power (W)."""
        return (1.0 - self.capture) * self.power

    @property
    def air_flow(self) -> float:
        """Air flow through the rack (m^3/s): given, or from the air temperature rise (12 K)."""
        if self.air_flow_given is not None:
            return self.air_flow_given
        delta_t = self.air_delta_t if self.air_delta_t is not None else 12.0
        return max(self.air_heat, 1e3) / (AIR_DENSITY * AIR_CP * delta_t)

    @model_validator(mode="after")
    def _one_air_flow_spec(self) -> Rack:
        if self.air_delta_t is not None and self.air_flow_given is not None:
            raise ValueError("give air_delta_t_k or air_flow_m3s, not both")
        if self.shutdown_temp <= self.throttle_temp:
            raise ValueError("shutdown_temp_c must be above throttle_temp_c")
        return self


class PumpCurve(Strict):
    """Pump head against flow at full speed; one point (EPANET's design-point
    curve: shut-off 4/3 of the head, zero head at twice the flow) or three or more."""

    flow: list[quantity("L/min", "", ge=0, le=1e6)] = Field(alias="flow_lpm", min_length=1)
    head: list[quantity("kPa", "", ge=0, le=1e4)] = Field(alias="head_kpa", min_length=1)

    @model_validator(mode="after")
    def _monotonic(self) -> PumpCurve:
        if len(self.flow) != len(self.head):
            raise ValueError("flow_lpm and head_kpa must have the same length")
        if len(self.flow) == 2:
            raise ValueError("a pump curve has one point or at least three, got two")
        if any(b <= a for a, b in zip(self.flow, self.flow[1:], strict=False)):
            raise ValueError("flow_lpm must increase strictly")
        if any(b >= a for a, b in zip(self.head, self.head[1:], strict=False)):
            raise ValueError("head_kpa must decrease strictly")
        if len(self.flow) == 1 and (self.flow[0] <= 0 or self.head[0] <= 0):
            raise ValueError("a one-point curve needs a flow and a head above 0")
        return self


class Pump(Strict):
    """A CDU pump with a variable-speed drive."""

    id: Id
    curve: PumpCurve
    min_speed: quantity("1", "lowest speed ratio", gt=0, le=1) = Field(0.3, alias="min_speed")
    max_speed: quantity("1", "highest speed ratio", gt=0, le=1.5) = Field(1.0, alias="max_speed")
    start_delay: quantity("s", "time from start command to running", ge=0, le=600) = Field(
        5.0, alias="start_delay_s")
    standby: StrictBool = Field(False, description="starts only when a duty pump fails")
    efficiency: quantity("1", "wire-to-water efficiency", gt=0, le=1) = Field(
        0.65, alias="efficiency")

    @model_validator(mode="after")
    def _speed_range(self) -> Pump:
        if self.min_speed > self.max_speed:
            raise ValueError("min_speed must not exceed max_speed")
        return self


class HeatExchanger(Strict):
    """CDU liquid-to-liquid plate heat exchanger, counterflow (epsilon-NTU)."""

    design_approach: quantity("K", "TCS supply minus facility supply at capacity", gt=0, le=30) = (
        Field(4.0, alias="design_approach_k"))
    ua_given: quantity("kW/K", "conductance UA; derived from the approach if absent",
                       optional=True, gt=0) = Field(None, alias="ua_kw_per_k")


class ExpansionTank(Strict):
    """The loop's pressure reference and coolant reserve."""

    pressure: quantity("kPa", "gauge pressure it holds at the pump suction", gt=0, le=2000) = Field(
        150.0, alias="pressure_kpa")
    volume: quantity("L", "coolant it holds when full", gt=0, le=1e5) = Field(
        200.0, alias="volume_l")
    initial_level: quantity("1", "initial fill fraction", gt=0, le=1) = Field(
        0.6, alias="initial_level_fraction")
    low_level: quantity("1", "fill fraction that trips the pumps", ge=0, lt=1) = Field(
        0.15, alias="low_level_fraction")

    @model_validator(mode="after")
    def _levels(self) -> ExpansionTank:
        if self.low_level >= self.initial_level:
            raise ValueError("low_level_fraction must be below initial_level_fraction")
        return self


class Cdu(Box):
    """A coolant distribution unit: pumps, heat exchanger and tank of one TCS loop.

    Hydraulically a link from ``return`` (pump suction, where the tank sits)
    to ``supply``.
    """

    width: quantity("m", "across the front", gt=0, le=5) = Field(0.8, alias="width_m")
    depth: quantity("m", "front to back", gt=0, le=5) = Field(1.2, alias="depth_m")
    height: quantity("m", "", gt=0, le=5) = Field(2.3, alias="height_m")
    front: Side = Field(Side.SOUTH, description="side of its service front")
    capacity: quantity("kW", "rated heat transfer", gt=0, le=20000) = Field(alias="capacity_kw")
    supply: Id = Field(description="junction on its TCS supply outlet")
    return_: Id = Field(alias="return", description="junction on its TCS return inlet")
    pumps: list[Pump] = Field(default_factory=list)
    heat_exchanger: HeatExchanger = Field(default_factory=HeatExchanger)
    expansion_tank: ExpansionTank | None = None
    supply_temp: quantity("degC", "TCS supply setpoint", gt=0, le=80) = Field(
        32.0, alias="supply_temp_c")
    dp_setpoint: quantity("kPa", "differential pressure setpoint", gt=0, le=2000) = Field(
        120.0, alias="dp_setpoint_kpa")
    fluid: Literal["water", "pg25"] = "pg25"
    facility_flow: quantity("L/min", "facility-water flow at design", gt=0, le=1e6) = Field(
        alias="facility_flow_lpm")

    @property
    def facing(self) -> Side:
        return self.front


class AirUnit(Box):
    """A CRAH, fan wall or in-row cooler: takes room air in, supplies it cooled."""

    kind: Literal["crah", "fan_wall", "in_row"] = "crah"
    width: quantity("m", "across the supply face", gt=0, le=30) = Field(alias="width_m")
    depth: quantity("m", "intake to supply", gt=0, le=10) = Field(alias="depth_m")
    height: quantity("m", "", gt=0, le=10) = Field(alias="height_m")
    supply_side: Side = Field(Side.SOUTH, alias="supply", description="side its supply face faces")
    air_flow: quantity("m3/s", "air flow", gt=0, le=500) = Field(alias="air_flow_m3s")
    supply_temp: quantity("degC", "supply air setpoint", gt=0, le=50) = Field(
        24.0, alias="supply_temp_c")
    capacity: quantity("kW", "cooling capacity", gt=0, le=10000) = Field(alias="capacity_kw")
    fan_power: quantity("kW", "fan power at full flow", ge=0, le=1000) = Field(
        alias="fan_power_kw")
    water_source: str = Field(
        "facility", description="'facility' (plant water) or the id of the CDU that feeds it")

    @property
    def facing(self) -> Side:
        return self.supply_side

    @property
    def intake_side(self) -> Side:
        """The side opposite the supply face, where room air enters."""
        return self.supply_side.rotated().rotated()
