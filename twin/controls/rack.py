"""Rack protection: throttle and shutdown on chip temperature, with hysteresis and
restart; and the rack's coolant-flow alarm."""

from __future__ import annotations

from enum import IntEnum

from twin.controls.alarm import LimitAlarm, Output
from twin.events import Event
from twin.model.equipment import Rack

#: Coolant flow (share of the rack's design flow) below which its flow alarm is
#: raised, and the band above it that clears the alarm.
FLOW_ALARM_FRACTION = 0.5
FLOW_ALARM_BAND = 0.1
#: How long (s) the flow must stay low before the alarm is raised: a standby
#: pump's changeover (a few seconds without flow) is ridden through, as
#: building-management alarm delays do.
FLOW_ALARM_DELAY_S = 10.0


class RackState(IntEnum):
    """A rack's protection state, as stored in the run file's ``rack_state`` series."""

    OK = 0
    THROTTLED = 1
    TRIPPED = 2


class RackProtection:
    """What a GPU rack's firmware does as its chips heat up.

    - ``ok`` -> ``throttled`` when the chip temperature goes above
      ``throttle_temp``: power is capped at ``throttle_fraction`` of nominal;
    - ``throttled`` -> ``ok`` ("recovered") when it falls below
      ``throttle_temp - hysteresis``;
    - any state -> ``tripped`` when it goes above ``shutdown_temp``: power
      goes to 0 and the rack's compute is lost;
    - ``tripped`` -> running again ("restarted") when it falls below
      ``shutdown_temp - hysteresis``, throttled if still above
      ``throttle_temp - hysteresis``, else ok.

    A trip that follows a throttle is caused by the throttle event, so the
    cascade reads pump failure -> throttled -> tripped.  A recovery or restart
    is caused by what the caller passes (a pump restored), or else by the
    event that began the excursion.

    Parameters
    ----------
    rack : Rack
        The rack: its id, ``throttle_temp``, ``shutdown_temp`` (degC),
        ``hysteresis`` (K) and ``throttle_fraction``.
    """

    def __init__(self, rack: Rack):
        self.rack_id = rack.id
        self.throttle_temp = rack.throttle_temp
        self.shutdown_temp = rack.shutdown_temp
        self.hysteresis = rack.hysteresis
        self.throttle_fraction = rack.throttle_fraction
        self.state = RackState.OK
        # The event that began the current excursion (throttle or trip), if any.
        self._excursion: Event | None = None

    @property
    def cap(self) -> float:
        """Largest share of nominal power the rack may draw in its state."""
        return {RackState.OK: 1.0, RackState.THROTTLED: self.throttle_fraction,
                RackState.TRIPPED: 0.0}[self.state]

    def power_fraction(self, demand: float) -> float:
        """Share of nominal power drawn for a demanded share (the scenario's load)."""
        return min(demand, self.cap)

    def _event(self, time: float, state: str, value: float, limit: float,
               cause: int | Event, text: str) -> Event:
        return Event(time, self.rack_id, "chip_temperature", state, value, limit, cause,
                     f"chip {value:.1f} degC {text}")

    def step(self, time: float, chip_temp: float, cause: int | Event = -1) -> Output:
        """Check the chip temperature (degC) at ``time`` (s).

        Returns
        -------
        Output
            ``value`` the power cap (share of nominal), ``events`` the state
            changes (``throttled``, ``tripped``, ``recovered``, ``restarted``).
        """
        events: list[Event] = []
        back_cause = cause if isinstance(cause, Event) or cause >= 0 else self._excursion
        if self.state != RackState.TRIPPED and chip_temp > self.shutdown_temp:
            trip_cause = self._excursion if self.state == RackState.THROTTLED else cause
            event = self._event(time, "tripped", chip_temp, self.shutdown_temp, trip_cause,
                                f"above shutdown limit {self.shutdown_temp:g} degC: rack off")
            self.state, self._excursion = RackState.TRIPPED, event
            events.append(event)
        elif self.state == RackState.OK and chip_temp > self.throttle_temp:
            event = self._event(time, "throttled", chip_temp, self.throttle_temp, cause,
                                f"above throttle limit {self.throttle_temp:g} degC: power "
                                f"capped at {self.throttle_fraction:.0%}")
            self.state, self._excursion = RackState.THROTTLED, event
            events.append(event)
        elif self.state == RackState.THROTTLED and \
                chip_temp < self.throttle_temp - self.hysteresis:
            limit = self.throttle_temp - self.hysteresis
            events.append(self._event(time, "recovered", chip_temp, limit, back_cause,
                                      f"below {limit:g} degC: full power"))
            self.state, self._excursion = RackState.OK, None
        elif self.state == RackState.TRIPPED and \
                chip_temp < self.shutdown_temp - self.hysteresis:
            limit = self.shutdown_temp - self.hysteresis
            throttled = chip_temp >= self.throttle_temp - self.hysteresis
            event = self._event(time, "restarted", chip_temp, limit, back_cause,
                                f"below {limit:g} degC: restarted"
                                + (f", capped at {self.throttle_fraction:.0%}" if throttled
                                   else " at full power"))
            events.append(event)
            if throttled:
                self.state, self._excursion = RackState.THROTTLED, event
            else:
                self.state, self._excursion = RackState.OK, None
        return Output(self.cap, tuple(events))


class CoolantFlowAlarm:
    """A rack's low coolant-flow alarm, raised once the flow has stayed below
    :data:`FLOW_ALARM_FRACTION` of design for :data:`FLOW_ALARM_DELAY_S`.

    It sits between a loop's loss of flow and the rack's chips heating: the
    engine gives it the loop's condition (a CDU's no-pump alarm) as cause,
    and the rack's throttle names this alarm while it is raised.

    Parameters
    ----------
    rack : Rack
        The rack: its id and design coolant flow (m^3/s).
    delay : float
        Seconds the flow must stay low before the alarm is raised.
    """

    def __init__(self, rack: Rack, delay: float = FLOW_ALARM_DELAY_S):
        self.design_flow = rack.design_flow
        self.delay = delay
        self.alarm = LimitAlarm(rack.id, "coolant_flow", FLOW_ALARM_FRACTION, FLOW_ALARM_BAND,
                                high=False, label="coolant flow", unit="% of design",
                                scale=100.0)
        self._low_since: float | None = None

    @property
    def raised(self) -> Event | None:
        """The event that raised the alarm while it is active, else None."""
        return self.alarm.raised

    def step(self, time: float, flow: float, cause: int | Event = -1) -> Event | None:
        """Check the rack's coolant ``flow`` (m^3/s) at ``time`` (s); return the event
        if the alarm was raised (caused by ``cause``) or cleared."""
        # Read to 0.1 % of design, as a flow meter would (and its messages show).
        share = round(abs(flow) / self.design_flow, 3)
        if not self.alarm.active:
            if share >= self.alarm.limit:
                self._low_since = None
                return None
            if self._low_since is None:
                self._low_since = time
            if time - self._low_since < self.delay - 1e-9:
                return None
        self._low_since = None
        return self.alarm.step(time, share, cause)
