"""Scenario actions applied to the running hall: what each one changes, and whom it wakes.

The layout object is never changed: failures, valve positions, leaks and
new setpoints live in the engine's state objects (pump groups, the loops'
settings, the controllers), and every action is logged as a root-cause event
whose index is noted on the scopes it affects, so that the alarms and trips
that follow name it as their cause.
"""

from __future__ import annotations

from twin.events import Event
from twin.scenario_timeline import ScheduledAction


def apply_action(engine, action: ScheduledAction) -> None:
    """Apply one scenario action to ``engine`` (a :class:`twin.engine.Simulation`)."""
    root = action.event()
    index = engine.events.append(root)  # the log knows the object: consequences name it
    for event in _HANDLERS[action.action](engine, action, root, index):
        engine.log(event)


def _scope_of(engine, component_id: str) -> list[str]:
    """The scopes a component's condition affects."""
    located = engine.layout.find(component_id)
    if located is None:
        return []
    if located.kind in ("pump", "cdu", "valve", "leak", "pipe", "junction"):
        return [f"loop:{engine.loop_of(component_id)}"]
    if located.kind == "air_unit":
        return ["room"]
    return ["plant"]


def _note(engine, action: ScheduledAction, index: int) -> None:
    for scope in _scope_of(engine, action.target):
        engine.causes.note(scope, index, action.time)


def _fail(engine, action: ScheduledAction, root: Event, index: int):
    _note(engine, action, index)
    located = engine.layout.find(action.target)
    fraction = action.fraction if action.fraction is not None else 1.0
    if located.kind == "pump":
        return engine.pump_groups[engine.cdu_of_pump[action.target]].fail(
            action.time, action.target, fraction, root)
    if located.kind == "cdu":
        engine.failed_cdus.add(action.target)
        return engine.pump_groups[action.target].fail_unit(action.time, root)
    if located.kind == "air_unit":
        engine.air_controls[action.target].fail(fraction)
        return ()
    if located.kind == "valve":
        engine.set_valve(action.target, False)
        return ()
    engine.plant_failed[action.target] = fraction
    return ()


def _restore(engine, action: ScheduledAction, root: Event, index: int):
    located = engine.layout.find(action.target)
    for scope in _scope_of(engine, action.target):
        engine.causes.note(scope, index, action.time)
    if located.kind == "pump":
        return engine.pump_groups[engine.cdu_of_pump[action.target]].restore(
            action.time, action.target, root)
    if located.kind == "cdu":
        engine.failed_cdus.discard(action.target)
        return engine.pump_groups[action.target].restore_unit(action.time, root)
    if located.kind == "air_unit":
        engine.air_controls[action.target].restore()
        return ()
    if located.kind == "valve":
        engine.set_valve(action.target, located.component.open)
        return ()
    engine.plant_failed.pop(action.target, None)
    return ()


def _valve(engine, action: ScheduledAction, root: Event, index: int):
    _note(engine, action, index)
    engine.set_valve(action.target, action.action == "open_valve")
    return ()


def _leak(engine, action: ScheduledAction, root: Event, index: int):
    _note(engine, action, index)
    leak = engine.layout.find(action.target).component
    engine.set_leak(leak, action.action == "leak_start")
    return ()


def _set(engine, action: ScheduledAction, root: Event, index: int):
    """Setpoints are read from the timeline each step; the controllers follow here."""
    if action.target in engine.temperature_controls and action.field == "supply_temp":
        engine.temperature_controls[action.target].setpoint = action.value
    if action.target in engine.dp_controls and action.field == "dp_setpoint":
        engine.dp_controls[action.target].setpoint = action.value
    if action.target in engine.air_controls and action.field == "supply_temp":
        engine.air_controls[action.target].setpoint = action.value
    for scope in _scope_of(engine, action.target) or ["plant"]:
        engine.causes.note(scope, index, action.time)
    return ()


def _load(engine, action: ScheduledAction, root: Event, index: int):
    engine.causes.note("load", index, action.time)
    return ()


_HANDLERS = {"fail": _fail, "restore": _restore, "open_valve": _valve, "close_valve": _valve,
             "leak_start": _leak, "leak_stop": _leak, "set": _set, "load_step": _load,
             "load_ramp": _load, "load_swing": _load}
