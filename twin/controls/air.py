"""Air-unit control: supply air at the setpoint while the unit has capacity."""

from __future__ import annotations

from typing import NamedTuple

from twin.controls.alarm import LimitAlarm, SetpointAlarm
from twin.events import Event
from twin.model.equipment import AIR_CP, AIR_DENSITY, AirUnit

#: Supply temperature above the setpoint that raises the capacity alarm (K),
#: and the band it must come back through to clear.
AIR_ALARM_K = 1.0
AIR_ALARM_BAND_K = 0.5


class AirUnitOutput(NamedTuple):
    """What an air unit does in one step.

    Attributes
    ----------
    air_flow : float
        Air it moves (m^3/s).
    supply_temp : float
        Temperature of the air it supplies (degC).
    heat : float
        Heat it takes out of the room (W).
    events : tuple of Event
        State changes this step.
    """

    air_flow: float
    supply_temp: float
    heat: float
    events: tuple[Event, ...]


class AirUnitControl(SetpointAlarm):
    """A CRAH, fan wall or in-row cooler holding its supply-air setpoint.

    The coil valve is taken as ideal: the supply is at the setpoint whenever
    the heat that needs (``rho * cp * flow * (intake - setpoint)``) is within
    the unit's capacity, and rises above it when capacity runs out.  It never
    heats: an intake below the setpoint passes through.  A failure of
    ``fraction`` (fans or coil lost) scales both air flow and capacity by
    ``1 - fraction``.  The ``air_capacity`` alarm is raised when the supply
    runs :data:`AIR_ALARM_K` above the setpoint.

    Parameters
    ----------
    unit : AirUnit
        The unit: ``air_flow`` (m^3/s), ``supply_temp`` (degC), ``capacity`` (W).
    """

    def __init__(self, unit: AirUnit):
        self.unit_id = unit.id
        self.air_flow = unit.air_flow
        self.capacity = unit.capacity
        self.available = 1.0
        self.alarm = LimitAlarm(unit.id, "air_capacity", unit.supply_temp + AIR_ALARM_K,
                                AIR_ALARM_BAND_K, label="supply air", unit="degC")
        self._setpoint, self._margin = unit.supply_temp, AIR_ALARM_K

    def fail(self, fraction: float = 1.0) -> None:
        """Lose ``fraction`` of the unit (of its fans and coil); 1 stops it."""
        self.available = 1.0 - fraction

    def restore(self) -> None:
        """The unit is whole again."""
        self.available = 1.0

    def step(self, time: float, intake_temp: float, cause: int | Event = -1) -> AirUnitOutput:
        """Supply for the intake temperature (degC) at ``time`` (s).

        ``cause`` is what made the intake warm or the unit weak (a failure).
        """
        flow = self.air_flow * self.available
        if flow <= 0.0:
            supply, heat = intake_temp, 0.0
        else:
            capacity_rate = AIR_DENSITY * AIR_CP * flow
            heat = min(max(capacity_rate * (intake_temp - self._setpoint), 0.0),
                       self.capacity * self.available)
            supply = intake_temp - heat / capacity_rate
        # A stopped unit blows nothing cooled: its alarm follows the intake it passes.
        event = self.alarm.step(time, supply, cause)
        return AirUnitOutput(flow, supply, heat, (event,) if event else ())
