"""Shared pieces of the hall model: strict models, ids, sides, footprints."""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from twin.model.quantities import quantity

#: Component ids: letters, digits, '_', '-', '.'; start with a letter or digit.
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")]


class Strict(BaseModel):
    """Base of every file model: unknown keys are errors, values are immutable.

    Fields hold SI values and are read and written under their file-unit keys
    (aliases such as ``power_kw``); edits go through :mod:`twin.editing`, which
    re-validates, so a model object is always a valid one.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        validate_default=True,
    )


class Side(StrEnum):
    """A side of a box seen from above: the direction its face points to.

    ``north`` is +y, ``south`` -y, ``east`` +x, ``west`` -x.
    """

    NORTH = "north"
    EAST = "east"
    SOUTH = "south"
    WEST = "west"

    def rotated(self) -> Side:
        """The side after a quarter turn clockwise seen from above."""
        order = [Side.NORTH, Side.EAST, Side.SOUTH, Side.WEST]
        return order[(order.index(self) + 1) % 4]

    @property
    def normal(self) -> tuple[int, int]:
        """Outward unit normal (x, y) of this side."""
        return {"north": (0, 1), "east": (1, 0), "south": (0, -1), "west": (-1, 0)}[self.value]


class Box(Strict):
    """Equipment standing on the floor, placed by its footprint's lower-left corner.

    ``width`` and ``depth`` are the unit's own dimensions (across its front
    and front-to-back); which of them lies along x depends on :attr:`facing`.
    """

    id: Id
    x: quantity("m", "x of the footprint's lower-left corner", ge=0) = Field(alias="x_m")
    y: quantity("m", "y of the footprint's lower-left corner", ge=0) = Field(alias="y_m")

    @property
    def facing(self) -> Side:
        """The side of the unit's front (its inlet for a rack)."""
        raise NotImplementedError

    @property
    def extent(self) -> tuple[float, float]:
        """Footprint size along x and y (m)."""
        if self.facing in (Side.NORTH, Side.SOUTH):
            return self.width, self.depth
        return self.depth, self.width

    @cached_property
    def footprint(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the footprint (m); computed once (models are immutable)."""
        dx, dy = self.extent
        return self.x, self.y, self.x + dx, self.y + dy

    @property
    def centre(self) -> tuple[float, float]:
        """Centre of the footprint (x, y) (m)."""
        x0, y0, x1, y1 = self.footprint
        return (x0 + x1) / 2, (y0 + y1) / 2
