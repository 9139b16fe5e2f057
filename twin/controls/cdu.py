"""CDU controls: pump speed on differential pressure, supply temperature on the
primary valve, and the duty/standby logic of the pumps."""

from __future__ import annotations

import math
from dataclasses import dataclass

from twin.controls.alarm import LimitAlarm, Output, SetpointAlarm
from twin.controls.pi import AntiWindup, PIController
from twin.events import Event
from twin.model.equipment import Cdu, Pump

#: Relative proportional gain of the pump-speed loop: speed ratio per unit of
#: differential-pressure error relative to the setpoint.  Head rises as speed
#: squared, so the loop gain near design is about twice this; 0.2 keeps a
#: one-network-step lag well damped.
DP_GAIN = 0.2
#: Integral time of the pump-speed loop (s): pumps and pressure respond in seconds.
DP_INTEGRAL_S = 5.0
#: Primary-valve opening per kelvin of supply-temperature error.  The exchanger
#: answers a valve move within one network step, and at small openings the
#: supply moves ~20 K per unit opening, so the loop gain per step must stay
#: well under 1: 0.05 oscillated step to step on the shared-header halls.
TEMP_GAIN = 0.02
#: Integral time of the supply-temperature loop (s), a few heat-exchanger time constants.
TEMP_INTEGRAL_S = 60.0
#: Smallest primary-valve opening: the valve never shuts the exchanger off entirely.
MIN_VALVE_OPENING = 0.05
#: Supply temperature above the setpoint that raises an alarm (K), and the band to clear it.
SUPPLY_ALARM_K = 3.0
SUPPLY_ALARM_BAND_K = 1.0


class DifferentialPressureControl:
    """Speed of a CDU's running pumps on its loop's differential pressure (PI).

    Parameters
    ----------
    cdu : Cdu
        The CDU: its ``dp_setpoint`` (Pa) and the speed range of its pumps.
    speed : float, optional
        Initial speed ratio (bumpless start from the steady state); default 1.
    gain, integral_s : float
        Relative gain (speed ratio per unit relative error) and integral time (s).
    anti_windup : {"clamping", "back_calculation"}
        See :class:`PIController`.
    """

    def __init__(self, cdu: Cdu, speed: float = 1.0, *, gain: float = DP_GAIN,
                 integral_s: float = DP_INTEGRAL_S, anti_windup: AntiWindup = "clamping"):
        low = max(p.min_speed for p in cdu.pumps) if cdu.pumps else 0.0
        high = min(p.max_speed for p in cdu.pumps) if cdu.pumps else 1.0
        self.setpoint = cdu.dp_setpoint
        self.pi = PIController(gain / cdu.dp_setpoint, integral_s, low, high,
                               anti_windup=anti_windup, output=speed)

    def step(self, dt: float, dp: float) -> float:
        """Advance ``dt`` (s) with the measured differential pressure ``dp`` (Pa); return
        the speed ratio for the running pumps."""
        return self.pi.step(dt, self.setpoint, dp)


class SupplyTemperatureControl(SetpointAlarm):
    """A CDU's primary (facility-water) valve on its TCS supply temperature (PI).

    Direct acting: a supply above the setpoint opens the valve.  An alarm is
    raised when the supply runs :data:`SUPPLY_ALARM_K` above the setpoint.

    Parameters
    ----------
    cdu : Cdu
        The CDU: its id and ``supply_temp`` setpoint (degC).
    opening : float, optional
        Initial valve opening (fraction); default 0.5.
    gain, integral_s : float
        Opening per kelvin and integral time (s).
    """

    def __init__(self, cdu: Cdu, opening: float = 0.5, *, gain: float = TEMP_GAIN,
                 integral_s: float = TEMP_INTEGRAL_S, anti_windup: AntiWindup = "clamping"):
        self.pi = PIController(gain, integral_s, MIN_VALVE_OPENING, 1.0, direct=True,
                               anti_windup=anti_windup, output=opening)
        self.alarm = LimitAlarm(cdu.id, "supply_temperature", cdu.supply_temp + SUPPLY_ALARM_K,
                                SUPPLY_ALARM_BAND_K, label="TCS supply", unit="degC")
        self._setpoint, self._margin = cdu.supply_temp, SUPPLY_ALARM_K

    def step(self, time: float, dt: float, supply_temp: float,
             cause: int | Event = -1) -> Output:
        """Advance to ``time`` (s) by ``dt`` with the measured supply (degC); return the
        valve opening and any alarm event (caused by ``cause``)."""
        opening = self.pi.step(dt, self._setpoint, supply_temp)
        event = self.alarm.step(time, supply_temp, cause)
        return Output(opening, (event,) if event else ())


@dataclass
class PumpStatus:
    """The state of one pump: ``standby``, ``starting``, ``running``, ``failed`` or ``tripped``.

    ``due`` is when a starting pump will run (s); ``health`` the share of its
    head left after a partial failure (1 healthy).
    """

    pump: Pump
    state: str
    due: float = math.inf
    health: float = 1.0
    started_by: Event | None = None


class PumpGroup:
    """The pumps of one CDU: duty pumps run; a standby starts after its delay
    when a duty pump fails, is tripped, or the unit is restored.

    Starting pumps run at exactly ``time + start_delay``: the engine shortens
    its step to :meth:`next_due` and calls :meth:`advance`, and the events
    carry that exact time even if a step overshoots it.

    Parameters
    ----------
    cdu : Cdu
        The CDU and its pumps; the non-standby ones start out running (the
        steady state of the layout).
    """

    def __init__(self, cdu: Cdu):
        self.cdu_id = cdu.id
        self.pumps = {p.id: PumpStatus(p, "standby" if p.standby else "running")
                      for p in cdu.pumps}
        self.duty_count = sum(not p.standby for p in cdu.pumps)
        self.unit_failed = False
        self._no_pump: Event | None = None

    def _active(self) -> int:
        return sum(s.state in ("running", "starting") for s in self.pumps.values())

    def _start(self, time: float, status: PumpStatus, cause: int | Event, why: str) -> Event:
        status.state = "starting"
        status.due = time + status.pump.start_delay
        event = Event(time, status.pump.id, "pump", "starting", status.pump.start_delay, math.nan,
                      cause, f"{why}; running in {status.pump.start_delay:g} s")
        status.started_by = event
        return event

    def _replace(self, time: float, cause: int | Event, why: str) -> list[Event]:
        """Start standbys until the duty count is met; alarm when nothing runs."""
        events: list[Event] = []
        for status in self.pumps.values():
            if self._active() >= self.duty_count:
                break
            if status.state == "standby":
                events.append(self._start(time, status, cause, f"standby started: {why}"))
        if self._active() == 0 and self._no_pump is None:
            self._no_pump = Event(time, self.cdu_id, "pumps", "alarm", 0.0, 1.0, cause,
                                  f"no pump running or starting on {self.cdu_id}: {why}")
            events.append(self._no_pump)
        return events

    def fail(self, time: float, pump_id: str, fraction: float = 1.0,
             cause: int | Event = -1) -> list[Event]:
        """A pump fails at ``time`` (s), wholly or losing ``fraction`` of its head.

        Returns the consequences (a standby starting, the no-pump alarm); the
        failure itself is the scenario's event, passed as ``cause``.
        """
        status = self.pumps[pump_id]
        if fraction < 1.0:
            status.health = 1.0 - fraction
            return []
        was_active = status.state in ("running", "starting")
        status.state, status.due = "failed", math.inf
        if not was_active or self.unit_failed:
            return []
        return self._replace(time, cause, f"{pump_id} failed")

    def restore(self, time: float, pump_id: str, cause: int | Event = -1) -> list[Event]:
        """A failed or tripped pump is back: it starts if the duty count is short,
        else waits as a standby."""
        status = self.pumps[pump_id]
        status.health = 1.0
        if status.state not in ("failed", "tripped"):
            return []
        if self._active() < self.duty_count and not self.unit_failed:
            return [self._start(time, status, cause, f"{pump_id} restored")]
        status.state = "standby"
        return [Event(time, pump_id, "pump", "standby", math.nan, math.nan, cause,
                      f"{pump_id} restored as standby")]

    def trip(self, time: float, cause: int | Event, reason: str) -> list[Event]:
        """Trip every pump that is not failed (a low tank level, say); they stay
        tripped until restored."""
        events = []
        for status in self.pumps.values():
            if status.state in ("running", "starting", "standby"):
                status.state, status.due = "tripped", math.inf
                events.append(Event(time, status.pump.id, "pump", "tripped", math.nan, math.nan,
                                    cause, reason))
        if events and self._no_pump is None:
            self._no_pump = Event(time, self.cdu_id, "pumps", "alarm", 0.0, 1.0, events[0],
                                  f"no pump running on {self.cdu_id}: {reason}")
            events.append(self._no_pump)
        return events

    def fail_unit(self, time: float, cause: int | Event = -1) -> list[Event]:
        """The whole CDU fails: its pumps stop where they are."""
        self.unit_failed = True
        for status in self.pumps.values():
            if status.state == "starting":
                status.state, status.due = "running", math.inf
        if self._no_pump is not None:
            return []
        self._no_pump = Event(time, self.cdu_id, "pumps", "alarm", 0.0, 1.0, cause,
                              f"{self.cdu_id} failed: its pumps stopped")
        return [self._no_pump]

    def restore_unit(self, time: float, cause: int | Event = -1) -> list[Event]:
        """The CDU is back: its pumps that were running start again after their delays."""
        self.unit_failed = False
        events = [self._start(time, s, cause, f"{self.cdu_id} restored")
                  for s in self.pumps.values() if s.state == "running"]
        return events + self._replace(time, cause, f"{self.cdu_id} restored")

    def next_due(self) -> float:
        """Earliest time (s) a starting pump will run; inf if none is starting."""
        return min((s.due for s in self.pumps.values() if s.state == "starting"),
                   default=math.inf)

    def advance(self, time: float) -> list[Event]:
        """Pumps whose start completes by ``time`` (s) run; events at their exact times."""
        events = []
        for status in sorted(self.pumps.values(), key=lambda s: s.due):
            if status.state != "starting" or status.due > time:
                continue
            status.state = "running"
            due, status.due = status.due, math.inf
            event = Event(due, status.pump.id, "pump", "running", math.nan, math.nan,
                          status.started_by if status.started_by is not None else -1,
                          f"{status.pump.id} running")
            events.append(event)
            if self._no_pump is not None:
                self._no_pump = None
                events.append(Event(due, self.cdu_id, "pumps", "ok", 1.0, 1.0, event,
                                    f"{status.pump.id} running on {self.cdu_id}"))
        return events

    def speeds(self, command: float) -> dict[str, float]:
        """Speed ratio of each pump: ``command`` for running ones, 0 for the rest."""
        return {pid: command if s.state == "running" and not self.unit_failed else 0.0
                for pid, s in self.pumps.items()}

    def health(self) -> dict[str, float]:
        """Share of its head each pump has left (1 healthy, after a partial failure less)."""
        return {pid: s.health for pid, s in self.pumps.items()}
