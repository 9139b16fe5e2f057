"""Scenario rules: events aim at components that exist, of the right kind, in time."""

from __future__ import annotations

import typing

from pydantic import ValidationError as PydanticValidationError

from twin.model.layout import ACTION_TARGETS, Layout
from twin.model.scenario import Scenario, SetValue
from twin.problems import Problem, from_pydantic


def settable_keys(model: type) -> list[str]:
    """File keys of the numeric properties of a model that ``set`` events may change."""
    keys = []
    for name, info in model.model_fields.items():
        base = typing.get_args(info.annotation)[0] if typing.get_args(info.annotation) else None
        if info.annotation is float or base is float:
            keys.append(info.alias or name)
    return keys


def check_scenario(scenario: Scenario, layout: Layout, file: str,
                   prefix: str = "") -> list[Problem]:
    """Problems with a scenario's events against the layout it runs on.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    layout : Layout
        The layout it is applied to.
    file : str
        File name used in messages.
    prefix : str
        Path of the scenario inside its file ("" for a scenario file,
        ``scenarios[2]`` for one embedded in a layout).
    """
    where = f"{prefix}." if prefix else ""
    problems: list[Problem] = []
    racks = {r.id for r in layout.racks}
    for i, event in enumerate(scenario.events):
        path = f"{where}events[{i}]"
        if event.time > scenario.duration:
            problems.append(Problem(file, f"{path}.time_s", f"{event.time:g} s is after the end of "
                                    f"the run (duration_s = {scenario.duration:g})"))
        if event.action.startswith("load_"):
            unknown = [t for t in event.targets if t != "all" and t not in racks]
            if unknown:
                problems.append(Problem(file, f"{path}.targets", "no rack(s) "
                                        + ", ".join(f"'{t}'" for t in unknown)
                                        + "; give rack ids or 'all'"))
            continue
        if event.action == "set":
            problems += _check_set(event, layout, file, path)
            continue
        located = layout.find(event.target)
        allowed = ACTION_TARGETS[event.action]
        if located is None:
            problems.append(Problem(file, f"{path}.target", f"no component '{event.target}' in "
                                    "the layout"))
        elif located.kind not in allowed:
            problems.append(Problem(file, f"{path}.target", f"'{event.target}' is a "
                                    f"{located.kind}; '{event.action}' applies to "
                                    + ", ".join(sorted(allowed)), component=event.target))
    return problems


def _check_set(event: SetValue, layout: Layout, file: str, path: str) -> list[Problem]:
    """The property exists, is numeric, and the new value is within its range."""
    if event.target in ("ambient", "plant"):
        component = getattr(layout, event.target)
    else:
        located = layout.find(event.target)
        if located is None:
            return [Problem(file, f"{path}.target", f"no component '{event.target}' in the "
                            "layout (or 'ambient', 'plant')")]
        component = located.component
    model = type(component)
    keys = settable_keys(model)
    if event.property not in keys:
        return [Problem(file, f"{path}.property", f"'{event.target}' has no numeric property "
                        f"'{event.property}'; allowed: " + ", ".join(keys))]
    document = component.model_dump(mode="json", by_alias=True)
    document[event.property] = event.value
    try:
        model.model_validate(document)
    except PydanticValidationError as error:
        return [Problem(file, f"{path}.value", f"{p.message} (as {event.target}.{p.path})")
                for p in from_pydantic(error, file, model)]
    return []
