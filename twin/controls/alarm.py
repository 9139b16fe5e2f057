"""Limit alarms with hysteresis, and the result type every control step returns."""

from __future__ import annotations

from typing import NamedTuple

from twin.events import Event


class Output(NamedTuple):
    """What one control step produces.

    Attributes
    ----------
    value : float
        The control output (a speed ratio, a valve opening, a power cap...).
    events : tuple of Event
        State changes this step, in the order they happened (a later one may
        name an earlier one as its cause).
    """

    value: float
    events: tuple[Event, ...] = ()


class LimitAlarm:
    """An alarm raised when a measurement crosses a limit and cleared past a band.

    A high alarm is raised when the value goes above ``limit`` and cleared
    when it falls below ``limit - hysteresis``; a low alarm the mirror image.

    Parameters
    ----------
    component : str
        Id of the component the alarm belongs to.
    kind : str
        What is measured, as the events' ``kind`` (``supply_temperature``, ...).
    limit : float
        Alarm limit (SI, same unit as the measurement).
    hysteresis : float
        Band the value must come back through to clear (>= 0).
    high : bool
        High alarm (True) or low alarm (False).
    label, unit : str
        How messages name the measurement and its unit (``"supply"``, ``"degC"``).
    scale : float
        Factor from SI to the shown unit (100 to show a fraction in %).
    state : str
        Event state when raised (``alarm`` unless the alarm is a trip).
    """

    def __init__(self, component: str, kind: str, limit: float, hysteresis: float, *,
                 high: bool = True, label: str = "", unit: str = "", scale: float = 1.0,
                 state: str = "alarm"):
        if hysteresis < 0:
            raise ValueError(f"hysteresis must be >= 0, got {hysteresis}")
        self.component = component
        self.kind = kind
        self.limit = float(limit)
        self.hysteresis = float(hysteresis)
        self.high = high
        self.label = label or kind.replace("_", " ")
        self.unit = unit
        self.scale = scale
        self.state = state
        #: The event that raised the alarm while it is active, else None.
        self.raised: Event | None = None

    @property
    def active(self) -> bool:
        """Whether the alarm is raised."""
        return self.raised is not None

    @property
    def clear_limit(self) -> float:
        """The value the measurement must pass back through to clear the alarm."""
        return self.limit - self.hysteresis if self.high else self.limit + self.hysteresis

    def _text(self, value: float) -> str:
        return f"{value * self.scale:.4g} {self.unit}".rstrip()

    def step(self, time: float, value: float, cause: int | Event = -1) -> Event | None:
        """Check a measurement at ``time`` (s); return the event if the alarm changed.

        The clearing event's cause is ``cause`` when one is given, else the
        event that raised the alarm (so the tree shows raise and clear together).
        """
        if self.raised is None:
            crossed = value > self.limit if self.high else value < self.limit
            if not crossed:
                return None
            side = "above" if self.high else "below"
            event = Event(time, self.component, self.kind, self.state, value, self.limit, cause,
                          f"{self.label} {self._text(value)} {side} limit "
                          f"{self._text(self.limit)}")
            self.raised = event
            return event
        back = value < self.clear_limit if self.high else value > self.clear_limit
        if not back:
            return None
        raised, self.raised = self.raised, None
        side = "below" if self.high else "above"
        return Event(time, self.component, self.kind, "ok", value, self.clear_limit,
                     cause if not _is_none(cause) else raised,
                     f"{self.label} {self._text(value)} back {side} {self._text(self.clear_limit)}")


def _is_none(cause: int | Event) -> bool:
    """Whether a cause names no event (-1)."""
    return not isinstance(cause, Event) and cause < 0


class SetpointAlarm:
    """A setpoint with a high alarm a fixed margin above it: moving the setpoint
    (a scenario's ``set``) moves the alarm limit with it.

    Subclasses create ``self.alarm`` (a :class:`LimitAlarm`) and set
    ``self._setpoint`` and ``self._margin`` (K).
    """

    alarm: LimitAlarm
    _setpoint: float
    _margin: float

    @property
    def setpoint(self) -> float:
        """The setpoint (degC)."""
        return self._setpoint

    @setpoint.setter
    def setpoint(self, value: float) -> None:
        self._setpoint = float(value)
        self.alarm.limit = self._setpoint + self._margin
