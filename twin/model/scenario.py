"""Scenarios: timed events applied to a layout without changing it (DESIGN §3.4).

A scenario is pure data.  Events name their targets by component id; the
validator checks that the targets exist and are of a kind the action applies to.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from twin.model.base import Id, Strict
from twin.model.quantities import quantity

SCENARIO_FORMAT = "halltwin-scenario"
SCENARIO_VERSION = 1

Time = quantity("s", "simulated time from the start of the run", ge=0)
Fraction = quantity("1", "fraction of nominal", ge=0, le=1)


class Fail(Strict):
    """A component fails (``fraction`` < 1: part of it, e.g. one fan of eight)."""

    action: Literal["fail"]
    time: Time = Field(alias="time_s")
    target: Id
    fraction: quantity("1", "share of the component lost", gt=0, le=1) = Field(
        1.0, alias="fraction")


class Restore(Strict):
    """A failed component comes back."""

    action: Literal["restore"]
    time: Time = Field(alias="time_s")
    target: Id


class SetValue(Strict):
    """A numeric property of a component (or ``ambient``, ``plant``) is set, in file units."""

    action: Literal["set"]
    time: Time = Field(alias="time_s")
    target: str = Field(description="component id, 'ambient' or 'plant'")
    property: str = Field(description="file key of the property, e.g. supply_temp_c")
    value: quantity("1", "new value, in the unit its key names", ge=-1e6, le=1e6) = Field(
        alias="value")


class ValveAction(Strict):
    """A valve is opened or closed."""

    action: Literal["open_valve", "close_valve"]
    time: Time = Field(alias="time_s")
    target: Id


class LeakAction(Strict):
    """A leak point of the layout starts or stops leaking."""

    action: Literal["leak_start", "leak_stop"]
    time: Time = Field(alias="time_s")
    target: Id


class LoadStep(Strict):
    """Rack IT power steps to ``fraction`` of nominal."""

    action: Literal["load_step"]
    time: Time = Field(alias="time_s")
    targets: list[str] = Field(["all"], min_length=1, description="rack ids, or ['all']")
    fraction: Fraction = Field(alias="fraction")


class LoadRamp(Strict):
    """Rack IT power ramps linearly to ``to_fraction`` over ``duration_s``."""

    action: Literal["load_ramp"]
    time: Time = Field(alias="time_s")
    targets: list[str] = Field(["all"], min_length=1)
    to_fraction: Fraction = Field(alias="to_fraction")
    duration: quantity("s", "ramp duration", gt=0) = Field(alias="duration_s")


class LoadSwing(Strict):
    """Synchronized training-load swing: a square wave between two fractions.

    All targets are at ``high_fraction`` for the first half of each period and
    at ``low_fraction`` for the second, from ``time_s`` for ``duration_s``
    (to the end of the run if absent).
    """

    action: Literal["load_swing"]
    time: Time = Field(alias="time_s")
    targets: list[str] = Field(["all"], min_length=1)
    low_fraction: Fraction = Field(0.3, alias="low_fraction")
    high_fraction: Fraction = Field(1.0, alias="high_fraction")
    period: quantity("s", "swing period", gt=0) = Field(alias="period_s")
    duration: quantity("s", "swing duration", optional=True, gt=0) = Field(
        None, alias="duration_s")

    @model_validator(mode="after")
    def _ordered(self) -> LoadSwing:
        if self.low_fraction > self.high_fraction:
            raise ValueError("low_fraction must not exceed high_fraction")
        return self


Event = Annotated[
    Fail | Restore | SetValue | ValveAction | LeakAction | LoadStep | LoadRamp | LoadSwing,
    Field(discriminator="action"),
]


class Weather(Strict):
    """An outdoor-conditions series, interpolated linearly in time."""

    time: list[Time] = Field(alias="time_s", min_length=1)
    dry_bulb: list[quantity("degC", "", ge=-60, le=60)] = Field(alias="dry_bulb_c")
    wet_bulb: list[quantity("degC", "", ge=-60, le=60)] = Field(alias="wet_bulb_c")

    @model_validator(mode="after")
    def _consistent(self) -> Weather:
        if not len(self.time) == len(self.dry_bulb) == len(self.wet_bulb):
            raise ValueError("time_s, dry_bulb_c and wet_bulb_c must have the same length")
        if any(b <= a for a, b in zip(self.time, self.time[1:], strict=False)):
            raise ValueError("time_s must increase strictly")
        if any(w > d for w, d in zip(self.wet_bulb, self.dry_bulb, strict=True)):
            raise ValueError("wet_bulb_c must not exceed dry_bulb_c at any time")
        return self


class Scenario(Strict):
    """A named incident or load case: what happens, when, for how long."""

    format: Literal["halltwin-scenario"] = SCENARIO_FORMAT
    version: Literal[1] = SCENARIO_VERSION
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10000)
    layout: str | None = Field(None, description="file name of the layout it was written for")
    duration: quantity("s", "simulated time to run", gt=0, le=1e7) = Field(alias="duration_s")
    events: list[Event] = Field(default_factory=list)
    weather: Weather | None = None
