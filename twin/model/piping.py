"""Piping: junctions, pipes, valves and leak points of the coolant loops."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool

from twin.model.base import Id, Strict
from twin.model.quantities import quantity


class Junction(Strict):
    """A node of the piping network at a point in the hall (m)."""

    id: Id
    x: quantity("m", "", ge=0) = Field(alias="x_m")
    y: quantity("m", "", ge=0) = Field(alias="y_m")
    elevation: quantity("m", "height above the floor", ge=-20, le=50) = Field(
        0.0, alias="elevation_m")


class Pipe(Strict):
    """A pipe between two junctions (Darcy-Weisbach)."""

    id: Id
    from_: Id = Field(alias="from")
    to: Id
    length_given: quantity("m", "length; the 3-D distance of its ends if absent",
                           optional=True, gt=0, le=1e4) = Field(None, alias="length_m")
    diameter: quantity("mm", "inner diameter", gt=0, le=2000) = Field(alias="diameter_mm")
    roughness: quantity("mm", "absolute roughness (0.045 for steel)", ge=0, le=10) = Field(
        0.045, alias="roughness_mm")
    minor_loss: quantity("1", "sum of minor-loss coefficients K", ge=0, le=1e4) = Field(
        0.0, alias="minor_loss_k")


class Valve(Strict):
    """A valve between two junctions.

    ``isolation`` valves are open or shut; ``check`` valves pass flow from
    ``from`` to ``to`` only; ``control`` valves throttle by their ``opening``.
    """

    id: Id
    kind: Literal["isolation", "check", "control"] = "isolation"
    from_: Id = Field(alias="from")
    to: Id
    diameter: quantity("mm", "nominal bore", gt=0, le=2000) = Field(alias="diameter_mm")
    loss_k: quantity("1", "loss coefficient K when fully open", ge=0, le=1e4) = Field(
        0.2, alias="loss_k")
    open: StrictBool = Field(True, description="initial state: open (true) or closed (false)")
    opening: quantity("1", "control valve opening fraction", gt=0, le=1) = Field(
        1.0, alias="opening")


class Leak(Strict):
    """A place a leak can start: an emitter Q = C * sqrt(p) on a node or a pipe.

    Scenarios start and stop it; in the layout it only says where and how big.
    """

    id: Id
    at: Id = Field(description="junction or pipe id (a pipe leaks at its middle)")
    coefficient: quantity("L/min/kPa^0.5", "emitter coefficient C", gt=0, le=1e4) = Field(
        alias="coefficient_lpm_per_sqrt_kpa")
