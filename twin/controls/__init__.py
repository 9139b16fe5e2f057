"""Controls and protections of the hall (DESIGN §3.3): small objects with state.

Each has a ``step`` that takes the time, the measurement and the cause (the
event that made the measurement change, from :class:`twin.events.CauseTracker`)
and returns its output with the events of any state change.  Parameters come
from the layout's model objects; nothing here changes them.
"""

from twin.controls.air import AirUnitControl, AirUnitOutput
from twin.controls.alarm import LimitAlarm, Output
from twin.controls.cdu import (
    DifferentialPressureControl,
    PumpGroup,
    PumpStatus,
    SupplyTemperatureControl,
)
from twin.controls.leak import LeakDetector, LeakResponse, TankLevel
from twin.controls.pi import PIController
from twin.controls.rack import CoolantFlowAlarm, RackProtection, RackState

__all__ = [
    "AirUnitControl", "AirUnitOutput", "LimitAlarm", "Output", "DifferentialPressureControl",
    "PumpGroup", "PumpStatus", "SupplyTemperatureControl", "LeakDetector", "LeakResponse",
    "TankLevel", "PIController", "CoolantFlowAlarm", "RackProtection", "RackState",
]
