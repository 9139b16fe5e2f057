"""Leak protection of a coolant loop: the expansion tank's level, the alarm,
isolation of the leaking branch, and the low-level pump trip."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from twin.controls.alarm import LimitAlarm
from twin.events import Event
from twin.model.equipment import ExpansionTank

#: Where between the initial and the low-level trip fill the leak alarm sits
#: (0.5: halfway), early enough that isolation usually saves the loop.
ALARM_POSITION = 0.5
#: Level rise (fraction of the tank) needed to clear the leak alarm.
ALARM_BAND = 0.02


class TankLevel:
    """Coolant held in a loop's expansion tank, as a fill fraction.

    A leak draws the tank down (the loop itself stays full; the tank makes
    up what leaks out); the level never goes below 0.

    Parameters
    ----------
    tank : ExpansionTank
        Its ``volume`` (m^3) and ``initial_level`` (fraction).
    """

    def __init__(self, tank: ExpansionTank):
        self.volume = tank.volume
        self.level = tank.initial_level

    def drain(self, dt: float, outflow: float) -> float:
        """Lose ``outflow`` (m^3/s) for ``dt`` (s); return the new level (fraction)."""
        self.level = max(0.0, self.level - outflow * dt / self.volume)
        return self.level


class LeakResponse(NamedTuple):
    """What the leak protection does in one step.

    Attributes
    ----------
    close : tuple of str
        Valves to close now (isolating wet zones).
    trip : Event or None
        The low-level trip event when the pumps must trip now (pass it as the
        cause to :meth:`PumpGroup.trip`), else None.
    events : tuple of Event
        State changes this step, in order.
    """

    close: tuple[str, ...]
    trip: Event | None
    events: tuple[Event, ...]


class LeakDetector:
    """Leak protection of one CDU loop.

    The expansion tank's level falling below the alarm level raises an
    alarm; the leak-detection cables in the drip trays say which zones are
    wet, and while the alarm stands every wet zone's isolation valves are
    closed (a zone that gets wet later is closed when it does).  Below the
    tank's ``low_level`` the pumps trip to save them from running dry; the
    trip latches until a pump is restored.

    Parameters
    ----------
    cdu_id : str
        The CDU whose tank this is (events name it).
    tank : ExpansionTank
        Its ``initial_level`` and ``low_level`` (fractions).
    zones : mapping of str to sequence of str
        For each leak point (by id), the isolation valves that cut it off from
        the loop (the engine finds them in the piping).
    alarm_level : float, optional
        Alarm fill fraction; default :data:`ALARM_POSITION` of the way down
        from the initial level to the low level.
    """

    def __init__(self, cdu_id: str, tank: ExpansionTank,
                 zones: Mapping[str, Sequence[str]] | None = None,
                 alarm_level: float | None = None):
        if alarm_level is None:
            alarm_level = tank.initial_level - ALARM_POSITION * (tank.initial_level
                                                                 - tank.low_level)
        if not tank.low_level < alarm_level < tank.initial_level:
            raise ValueError(f"{cdu_id}: alarm level {alarm_level:g} must lie between the low "
                             f"level {tank.low_level:g} and the initial level "
                             f"{tank.initial_level:g}")
        self.cdu_id = cdu_id
        self.zones = {leak: tuple(valves) for leak, valves in (zones or {}).items()}
        self.alarm = LimitAlarm(cdu_id, "tank_level", alarm_level, ALARM_BAND, high=False,
                                label="expansion tank level", unit="%", scale=100.0)
        self.low_level = tank.low_level
        self.tripped: Event | None = None
        self.isolated: set[str] = set()

    def step(self, time: float, level: float, wet: Iterable[str] = (),
             cause: int | Event = -1) -> LeakResponse:
        """Check the tank level (fraction) and the wet zones at ``time`` (s).

        Parameters
        ----------
        time : float
            Simulated time (s).
        level : float
            Expansion-tank fill fraction.
        wet : iterable of str
            Leak points whose detection cable is wet now.
        cause : int or Event
            What made the level fall (the leak's scenario event).
        """
        events: list[Event] = []
        change = self.alarm.step(time, level, cause)
        if change is not None:
            events.append(change)
        close: list[str] = []
        if self.alarm.active:
            for leak in wet:
                for valve in self.zones.get(leak, ()):
                    if valve in self.isolated:
                        continue
                    self.isolated.add(valve)
                    close.append(valve)
                    events.append(Event(time, valve, "isolation", "closed", level,
                                        self.alarm.limit, self.alarm.raised,
                                        f"closed to isolate leak {leak} on {self.cdu_id}"))
        trip = None
        if self.tripped is None and level < self.low_level:
            trip_cause = self.alarm.raised if self.alarm.raised is not None else cause
            trip = Event(time, self.cdu_id, "tank_level", "low_level", level, self.low_level,
                         trip_cause, f"expansion tank level {level * 100:.4g} % below low level "
                         f"{self.low_level * 100:.4g} %: pumps trip")
            self.tripped = trip
            events.append(trip)
        return LeakResponse(tuple(close), trip, tuple(events))

    def reset_trip(self) -> None:
        """Re-arm the low-level trip (after the tank is refilled and pumps restored)."""
        self.tripped = None

    def reopened(self, valve: str) -> None:
        """A valve this protection closed was opened again (a scenario or an operator)."""
        self.isolated.discard(valve)

    @property
    def alarm_level(self) -> float:
        """Fill fraction below which the leak alarm is raised."""
        return self.alarm.limit

    def time_to_low_level(self, level: float, outflow: float, volume: float) -> float:
        """Time (s) until the tank reaches its low level at a steady ``outflow`` (m^3/s)
        from ``level`` in a tank of ``volume`` (m^3); inf when nothing leaks."""
        if outflow <= 0:
            return math.inf
        return max(0.0, (level - self.low_level) * volume / outflow)
