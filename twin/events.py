"""Events with causes: the record of every state change in a run (DESIGN §3.3).

An :class:`Event` says that at ``time`` a component changed ``state`` because
a measurement (``value``) crossed a ``limit``, and names the event that caused
it.  The :class:`EventLog` numbers events in the order they are appended; a
``cause`` of ``-1`` marks a root cause (a scenario action, a fault with no
known upstream).  Following causes from any event leads back to its root:
that chain is the failure cascade the GUI draws and ``halltwin info`` prints.

While a run is in progress a control may point an event's ``cause`` at an
:class:`Event` object it produced earlier (its own alarm, say) instead of an
index, because it does not know the index the log gave it.  The log resolves
such a reference when the event is appended; what the log holds and what the
run file stores is always an index.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

#: Event states that mean something went wrong (the first of them is "the first alarm").
ABNORMAL_STATES = frozenset({
    "alarm", "throttled", "tripped", "failed", "degraded", "saturated", "low_level",
})


@dataclass(frozen=True)
class Event:
    """One state change of one component.

    Parameters
    ----------
    time : float
        Simulated time of the change (s from the start of the run).
    component : str
        Id of the component that changed (a rack, pump, CDU, valve, ...).
    kind : str
        What the event is about: ``scenario`` for an applied scenario action,
        otherwise the measurement or mechanism (``chip_temperature``,
        ``tank_level``, ``standby_start``, ``isolation``, ``supply_temperature``,
        ``air_capacity``, ...).
    state : str
        The component's new state (``alarm``, ``throttled``, ``tripped``,
        ``recovered``, ``restarted``, ``starting``, ``running``, ``closed``,
        ``failed``, ``restored``, ``ok``, ...).
    value : float
        The measurement that crossed the limit, in SI (degC for
        temperatures, a fraction for levels); NaN when there is none.
    limit : float
        The limit it crossed, same unit as ``value``; NaN when there is none.
    cause : int or Event
        Index in the log of the event that caused this one, ``-1`` for a root
        cause; or, before the event is logged, the causing :class:`Event`
        object itself.
    message : str
        One line for people, with units (what ``halltwin info`` shows).
    """

    time: float
    component: str
    kind: str
    state: str
    value: float = math.nan
    limit: float = math.nan
    cause: int | Event = -1
    message: str = ""

    @property
    def abnormal(self) -> bool:
        """Whether the new state means something went wrong."""
        return self.state in ABNORMAL_STATES


class EventLog:
    """The events of a run, numbered in order of appending.

    Indices never change once given, so an event's ``cause`` stays valid.
    """

    def __init__(self, events: Iterable[Event] = ()):
        self._events: list[Event] = []
        # Index of each appended object (keyed by identity, the objects kept alive
        # in _given), so a control may name a cause by the Event object it made.
        self._index_of: dict[int, int] = {}
        self._given: list[Event] = []
        for event in events:
            self.append(event)

    def __len__(self) -> int:
        return len(self._events)

    def __getitem__(self, index: int) -> Event:
        return self._events[index]

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    def index(self, event: Event) -> int:
        """Index the log gave to this event object (the one appended, or ``log[i]``)."""
        try:
            return self._index_of[id(event)]
        except KeyError:
            raise ValueError(f"event {event.kind}/{event.state} of {event.component} at "
                             f"{event.time:g} s is not in the log") from None

    def resolve(self, cause: int | Event) -> int:
        """The index of a cause given as an index or as a logged Event object."""
        if isinstance(cause, Event):
            return self.index(cause)
        if not -1 <= cause < len(self._events):
            raise ValueError(f"cause {cause} is not an event of the log (0..{len(self) - 1} "
                             "or -1)")
        return int(cause)

    def append(self, event: Event) -> int:
        """Add an event; return its index.

        Raises
        ------
        ValueError
            If its cause is neither -1, an earlier index, nor a logged Event.
        """
        stored = replace(event, cause=self.resolve(event.cause))
        index = len(self._events)
        self._events.append(stored)
        self._given.append(event)
        # Both the object given and the one the log holds (what log[i] returns) name it.
        self._index_of[id(event)] = index
        self._index_of[id(stored)] = index
        return index

    def extend(self, events: Iterable[Event]) -> list[int]:
        """Append events in order (a later one may name an earlier one as cause)."""
        return [self.append(event) for event in events]

    def chain(self, index: int) -> list[int]:
        """Indices from the root cause down to event ``index`` (inclusive)."""
        path = [index]
        while self._events[path[-1]].cause >= 0:
            path.append(self._events[path[-1]].cause)
        return path[::-1]

    def root(self, index: int) -> int:
        """Index of the root cause of event ``index``."""
        return self.chain(index)[0]

    def children(self) -> dict[int, list[int]]:
        """Events each event caused directly: index -> indices, in log order."""
        children: dict[int, list[int]] = {}
        for i, event in enumerate(self._events):
            if event.cause >= 0:
                children.setdefault(event.cause, []).append(i)
        return children

    def first_abnormal(self) -> int | None:
        """Index of the first event (by time, then index) whose state is abnormal,
        scenario actions excluded: the run's first alarm; None if there is none."""
        found = [i for i, e in enumerate(self._events) if e.abnormal and e.kind != "scenario"]
        return min(found, key=lambda i: (self._events[i].time, i)) if found else None

    def cascade(self, roots: Sequence[int] | None = None) -> list[str]:
        """The failure cascade as an indented tree, one line per event.

        Parameters
        ----------
        roots : sequence of int, optional
            Root events to draw from; by default every root cause that led to
            something abnormal (itself or a descendant), in time order.

        Returns
        -------
        list of str
            One line per event, a root cause flush left and each event caused
            by another under it, marked ``->`` and three spaces deeper per
            generation: ``"   -> 118.00 s  A1  tripped: chip 92.3 degC ..."``.
        """
        children = self.children()
        if roots is None:
            roots = [i for i, e in enumerate(self._events)
                     if e.cause < 0 and self._leads_to_abnormal(i, children)]
            roots.sort(key=lambda i: (self._events[i].time, i))
        lines: list[str] = []
        stack = [(i, 0) for i in reversed(list(roots))]
        while stack:
            index, depth = stack.pop()
            marker = "   " * (depth - 1) + "-> " if depth else ""
            lines.append(marker + format_event(self._events[index]))
            stack.extend((child, depth + 1) for child in reversed(children.get(index, [])))
        return lines

    def _leads_to_abnormal(self, index: int, children: dict[int, list[int]]) -> bool:
        stack = [index]
        while stack:
            i = stack.pop()
            if self._events[i].abnormal:
                return True
            stack.extend(children.get(i, []))
        return False


def format_event(event: Event) -> str:
    """One line for an event: time, component, state and its message."""
    text = f"{event.time:.2f} s  {event.component}  {event.state}"
    return f"{text}: {event.message}" if event.message else text


class CauseTracker:
    """Which event is behind the current condition of each part of the hall.

    The engine notes, per scope (a coolant loop, a CDU, the plant, the room),
    the latest event that changed it: a pump failure on loop ``CDU-1``, a
    valve closed on a branch.  When a protection later sees its measurement
    cross a limit, the cause it is given is the latest event noted on the
    scopes it depends on.  A scope is cleared when its condition is restored.
    """

    def __init__(self) -> None:
        self._latest: dict[str, tuple[float, int, int]] = {}
        self._order = 0

    def note(self, scope: str, event_index: int, time: float) -> None:
        """Record that event ``event_index`` at ``time`` (s) changed ``scope``."""
        self._order += 1
        self._latest[scope] = (time, self._order, event_index)

    def clear(self, scope: str) -> None:
        """Forget the condition of ``scope`` (it is back to normal)."""
        self._latest.pop(scope, None)

    def cause(self, *scopes: str) -> int:
        """Latest event noted on any of ``scopes``; -1 if none."""
        noted = [self._latest[s] for s in scopes if s in self._latest]
        return max(noted)[2] if noted else -1
