"""A scenario as the engine needs it: times to land on, loads, ambient, actions due.

A :class:`Scenario` is pure data, and applying it never changes the layout
object (DESIGN §3.4).  A :class:`Timeline` answers, for any simulated time:

- which times the engine must land on exactly (actions, the ends of ramps,
  the edges of square-wave swings) — :attr:`Timeline.times`, :meth:`Timeline.next_time`;
- the load of each rack as a fraction of nominal — :meth:`Timeline.load_fraction`;
- the outdoor conditions — :meth:`Timeline.ambient`;
- the component actions due in a step ``(t0, t1]`` — :meth:`Timeline.due`;
- the current value of any property a ``set`` event changes — :meth:`Timeline.parameter`.

Load profiles, per rack, in event order: a ``load_step`` holds its fraction;
a ``load_ramp`` goes linearly from whatever the rack was at when it starts to
``to_fraction`` and holds it; a ``load_swing`` is high for the first half of
each period and low for the second, and when it ends (``duration_s``, else
the end of the run) the rack goes back to what it was before the swing.  A
later event overrides an earlier one from its start.  Before any, racks run
at 1 (nominal).  Every profile is right-continuous: at a step's own time the
new value holds.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from twin.errors import ValidationError
from twin.events import Event
from twin.model.layout import Layout
from twin.model.scenario import LoadRamp, LoadStep, LoadSwing, Scenario, SetValue
from twin.validation.scenario_rules import check_scenario

#: The state a scenario action gives its target, as the event of the action.
ACTION_STATES = {"fail": "failed", "restore": "restored", "set": "set", "open_valve": "opened",
                 "close_valve": "closed", "leak_start": "leaking", "leak_stop": "stopped",
                 "load_step": "load", "load_ramp": "load", "load_swing": "load"}


class Conditions(NamedTuple):
    """Outdoor conditions (degC)."""

    dry_bulb: float
    wet_bulb: float


@dataclass(frozen=True)
class ScheduledAction:
    """One scenario event, resolved against the layout.

    Attributes
    ----------
    time : float
        When it happens (s).
    index : int
        Its position in the scenario's ``events``.
    action : str
        ``fail``, ``restore``, ``set``, ``open_valve``, ``close_valve``,
        ``leak_start``, ``leak_stop``, ``load_step``, ``load_ramp`` or ``load_swing``.
    targets : tuple of str
        The component it acts on (one id; ``ambient`` or ``plant`` for some
        ``set``); for load actions the rack ids, ``"all"`` expanded.
    fraction : float or None
        ``fail``: share of the component lost; ``load_step``: the new load;
        ``load_ramp``: the load it ramps to.
    field, key : str or None
        ``set``: the model field and the file key of the property.
    value : float or None
        ``set``: the new value in SI (converted from the key's unit).
    """

    time: float
    index: int
    action: str
    targets: tuple[str, ...]
    fraction: float | None = None
    field: str | None = None
    key: str | None = None
    value: float | None = None
    text: str = ""

    @property
    def target(self) -> str:
        """The single target of a component action."""
        return self.targets[0]

    def event(self) -> Event:
        """The root-cause event that records this action in the run."""
        state = ACTION_STATES[self.action]
        if self.action == "fail" and self.fraction is not None and self.fraction < 1:
            state = "degraded"
        component = self.targets[0] if len(self.targets) == 1 else "racks"
        return Event(self.time, component, "scenario", state,
                     math.nan if self.value is None else self.value, math.nan, -1,
                     f"scenario: {self.text}")


class _Segment(NamedTuple):
    start: float
    end: float
    kind: str
    low: float
    high: float
    base: float
    edges: np.ndarray | None

    def value(self, t: float) -> float:
        if self.kind == "step":
            return self.high
        if self.kind == "ramp":
            if t >= self.end:
                return self.high
            return self.base + (self.high - self.base) * (t - self.start) / (self.end - self.start)
        if t >= self.end:
            return self.base
        phase = int(np.searchsorted(self.edges, t, side="right")) - 1
        return self.high if phase % 2 == 0 else self.low


class Timeline:
    """A scenario resolved against its layout, queried by time.

    Parameters
    ----------
    layout : Layout
        The hall (read, never changed).
    scenario : Scenario
        What happens and when.

    Raises
    ------
    ValidationError
        If an event targets a component that is missing or of the wrong kind,
        or sets a property out of range.
    """

    def __init__(self, layout: Layout, scenario: Scenario):
        problems = check_scenario(scenario, layout, scenario.name)
        if problems:
            raise ValidationError(problems)
        self.layout = layout
        self.scenario = scenario
        self.duration = scenario.duration
        self.rack_ids = [r.id for r in layout.racks]
        order = sorted(range(len(scenario.events)), key=lambda i: (scenario.events[i].time, i))
        self.actions = [self._resolve(i, scenario.events[i]) for i in order]
        self._action_times = [a.time for a in self.actions]
        self._sets: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for a in self.actions:
            if a.action == "set":
                self._sets.setdefault((a.target, a.field), []).append((a.time, a.value))
        self._groups = self._load_groups()
        times = set(self._action_times)
        for segments, _ in self._groups:
            for s in segments:
                times.add(s.start)
                if s.kind == "ramp":
                    times.add(s.end)
                elif s.kind == "swing":
                    times.update(float(e) for e in s.edges)
                    times.add(s.end)
        #: Every time (s) where something changes stepwise, sorted, within [0, duration].
        self.times = np.array(sorted(t for t in times if 0.0 <= t <= self.duration))
        weather = scenario.weather
        self._weather = None if weather is None else (
            np.asarray(weather.time), np.asarray(weather.dry_bulb), np.asarray(weather.wet_bulb))

    def _resolve(self, index: int, event) -> ScheduledAction:
        if isinstance(event, LoadStep | LoadRamp | LoadSwing):
            racks = tuple(self.rack_ids) if "all" in event.targets else tuple(event.targets)
            who = "all racks" if "all" in event.targets else ", ".join(racks)
            if isinstance(event, LoadStep):
                return ScheduledAction(event.time, index, event.action, racks, event.fraction,
                                       text=f"load of {who} to {event.fraction:.0%}")
            if isinstance(event, LoadRamp):
                return ScheduledAction(event.time, index, event.action, racks, event.to_fraction,
                                       text=f"load of {who} ramps to {event.to_fraction:.0%} "
                                            f"over {event.duration:g} s")
            return ScheduledAction(event.time, index, event.action, racks,
                                   text=f"load of {who} swings {event.high_fraction:.0%}/"
                                        f"{event.low_fraction:.0%} every {event.period:g} s")
        if isinstance(event, SetValue):
            field, value = self._si_value(event)
            return ScheduledAction(event.time, index, "set", (event.target,), field=field,
                                   key=event.property, value=value,
                                   text=f"set {event.target}.{event.property} = {event.value:g}")
        fraction = getattr(event, "fraction", None)
        text = f"{event.action.replace('_', ' ')} {event.target}"
        if fraction is not None and fraction < 1:
            text += f" ({fraction:.0%} lost)"
        return ScheduledAction(event.time, index, event.action, (event.target,), fraction,
                               text=text)

    def _component(self, target: str):
        if target in ("ambient", "plant"):
            return getattr(self.layout, target)
        return self.layout.find(target).component

    def _si_value(self, event: SetValue) -> tuple[str, float]:
        """The field a ``set`` changes and its new SI value, converted as a file would be."""
        component = self._component(event.target)
        model = type(component)
        field = next(name for name, info in model.model_fields.items()
                     if (info.alias or name) == event.property)
        document = component.model_dump(mode="json", by_alias=True)
        document[event.property] = event.value
        return field, getattr(model.model_validate(document), field)

    def _segments(self, rack: str) -> tuple[_Segment, ...]:
        segments: list[_Segment] = []
        for a in self.actions:
            if not a.action.startswith("load_") or rack not in a.targets:
                continue
            base = segments[-1].value(a.time) if segments else 1.0
            event = self.scenario.events[a.index]
            if isinstance(event, LoadStep):
                segments.append(_Segment(a.time, math.inf, "step", 0, event.fraction, base, None))
            elif isinstance(event, LoadRamp):
                segments.append(_Segment(a.time, a.time + event.duration, "ramp", 0,
                                         event.to_fraction, base, None))
            else:
                end = a.time + event.duration if event.duration is not None else self.duration
                half = event.period / 2.0
                edges = a.time + half * np.arange(int(math.ceil((end - a.time) / half)))
                segments.append(_Segment(a.time, end, "swing", event.low_fraction,
                                         event.high_fraction, base, edges[edges < end]))
        return tuple(segments)

    def _load_groups(self) -> list[tuple[tuple[_Segment, ...], np.ndarray]]:
        """Racks grouped by identical load profiles (usually one group: all racks)."""
        groups: dict[tuple[int, ...], list[int]] = {}
        for i, rack in enumerate(self.rack_ids):
            key = tuple(a.index for a in self.actions
                        if a.action.startswith("load_") and rack in a.targets)
            groups.setdefault(key, []).append(i)
        return [(self._segments(self.rack_ids[members[0]]), np.array(members))
                for members in groups.values()]

    def load_fraction(self, t: float) -> np.ndarray:
        """Demanded load of each rack at ``t`` (s), as a fraction of nominal, in layout order."""
        fractions = np.ones(len(self.rack_ids))
        for segments, members in self._groups:
            starts = [s.start for s in segments]
            k = bisect.bisect_right(starts, t) - 1
            if k >= 0:
                fractions[members] = segments[k].value(t)
        return fractions

    def ambient(self, t: float) -> Conditions:
        """Outdoor dry- and wet-bulb (degC) at ``t`` (s).

        The weather series, linear in time and held at its first and last
        values outside it (else the layout's ambient); a ``set`` on
        ``ambient`` overrides that property from its time on.
        """
        if self._weather is None:
            dry, wet = self.layout.ambient.dry_bulb, self.layout.ambient.wet_bulb
        else:
            times, dry_series, wet_series = self._weather
            dry = float(np.interp(t, times, dry_series))
            wet = float(np.interp(t, times, wet_series))
        return Conditions(self.parameter("ambient", "dry_bulb", t, dry),
                          self.parameter("ambient", "wet_bulb", t, wet))

    def parameter(self, target: str, field: str, t: float, default: float | None = None) -> float:
        """Value (SI) of a component's numeric property at ``t`` (s), after ``set`` events.

        Parameters
        ----------
        target : str
            Component id, ``ambient`` or ``plant``.
        field : str
            The model's field name (``supply_temp``, ``dp_setpoint``, ``power``...).
        t : float
            Simulated time (s).
        default : float, optional
            Value before any ``set``; by default the layout's.
        """
        changes = self._sets.get((target, field), [])
        k = bisect.bisect_right([time for time, _ in changes], t) - 1
        if k >= 0:
            return changes[k][1]
        return getattr(self._component(target), field) if default is None else default

    def next_time(self, t: float) -> float:
        """The first time in :attr:`times` strictly after ``t`` (s); inf if none."""
        k = int(np.searchsorted(self.times, t, side="right"))
        return float(self.times[k]) if k < len(self.times) else math.inf

    def due(self, t0: float, t1: float) -> Sequence[ScheduledAction]:
        """Actions with ``t0 < time <= t1``, in time order (ties in file order).

        ``due(-math.inf, 0.0)`` gives those at the very start of the run.
        """
        lo = bisect.bisect_right(self._action_times, t0)
        hi = bisect.bisect_right(self._action_times, t1)
        return self.actions[lo:hi]
