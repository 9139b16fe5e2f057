"""The layout: one hall with its equipment, piping, plant and embedded scenarios."""

from __future__ import annotations

from functools import cached_property
from typing import Literal, NamedTuple

from pydantic import Field

from twin.model.base import Strict
from twin.model.equipment import AirUnit, Cdu, Pump, Rack
from twin.model.piping import Junction, Leak, Pipe, Valve
from twin.model.plant import Ambient, Chiller, CoolingTower, DryCooler, Plant
from twin.model.quantities import quantity
from twin.model.scenario import Scenario

LAYOUT_FORMAT = "halltwin-layout"
LAYOUT_VERSION = 1

#: Top-level lists of components, in the order files list them.
COLLECTIONS = ("racks", "cdus", "air_units", "junctions", "pipes", "valves", "leaks")


class Hall(Strict):
    """The room: a box with its origin at a floor corner (m)."""

    width: quantity("m", "extent along x", gt=0, le=500) = Field(alias="width_m")
    depth: quantity("m", "extent along y", gt=0, le=500) = Field(alias="depth_m")
    height: quantity("m", "floor to ceiling", gt=0, le=50) = Field(alias="height_m")
    grid: quantity("m", "air grid spacing", ge=0.02, le=2) = Field(0.25, alias="grid_m")
    wall_ua: quantity("kW/K", "wall conductance to outdoors", ge=0, le=1e4) = Field(
        0.5, alias="wall_ua_kw_per_k")


class Located(NamedTuple):
    """Where a component sits in the layout: its file path and the object."""

    path: str
    kind: str
    component: object


class Layout(Strict):
    """A whole hall as stored in a ``halltwin-layout`` file."""

    format: Literal["halltwin-layout"] = LAYOUT_FORMAT
    version: Literal[1] = LAYOUT_VERSION
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10000)
    hall: Hall
    ambient: Ambient = Field(default_factory=Ambient)
    racks: list[Rack] = Field(default_factory=list)
    cdus: list[Cdu] = Field(default_factory=list)
    air_units: list[AirUnit] = Field(default_factory=list)
    junctions: list[Junction] = Field(default_factory=list)
    pipes: list[Pipe] = Field(default_factory=list)
    valves: list[Valve] = Field(default_factory=list)
    leaks: list[Leak] = Field(default_factory=list)
    plant: Plant = Field(default_factory=Plant)
    scenarios: list[Scenario] = Field(default_factory=list)

    def components(self) -> list[Located]:
        """Every component with an id, with its path in the file and its kind."""
        return list(self._components)

    @cached_property
    def _components(self) -> tuple[Located, ...]:
        found: list[Located] = []
        kinds = {"racks": "rack", "cdus": "cdu", "air_units": "air_unit", "junctions": "junction",
                 "pipes": "pipe", "valves": "valve", "leaks": "leak"}
        for collection in COLLECTIONS:
            for i, item in enumerate(getattr(self, collection)):
                found.append(Located(f"{collection}[{i}]", kinds[collection], item))
        for i, cdu in enumerate(self.cdus):
            for j, pump in enumerate(cdu.pumps):
                found.append(Located(f"cdus[{i}].pumps[{j}]", "pump", pump))
        plant_kinds = {"dry_coolers": "dry_cooler", "towers": "tower", "chillers": "chiller"}
        for collection, kind in plant_kinds.items():
            for i, item in enumerate(getattr(self.plant, collection)):
                found.append(Located(f"plant.{collection}[{i}]", kind, item))
        return tuple(found)

    @cached_property
    def _by_id(self) -> dict[str, Located]:
        by_id: dict[str, Located] = {}
        for located in self._components:
            by_id.setdefault(located.component.id, located)  # the first of duplicates
        return by_id

    def find(self, component_id: str) -> Located | None:
        """The component with this id (the first, if an id is duplicated), or None."""
        return self._by_id.get(component_id)

    @property
    def nodes(self) -> dict[str, Junction]:
        """Junctions by id."""
        return {j.id: j for j in self.junctions}

    @property
    def it_power(self) -> float:
        """Nominal IT power of all racks (W)."""
        return sum(r.power for r in self.racks)


#: Kinds of component each scenario action may target.
ACTION_TARGETS = {
    "fail": {"pump", "cdu", "air_unit", "dry_cooler", "tower", "chiller", "valve"},
    "restore": {"pump", "cdu", "air_unit", "dry_cooler", "tower", "chiller", "valve"},
    "open_valve": {"valve"},
    "close_valve": {"valve"},
    "leak_start": {"leak"},
    "leak_stop": {"leak"},
}

__all__ = [
    "Layout", "Hall", "Located", "Rack", "Cdu", "Pump", "AirUnit", "Junction", "Pipe", "Valve",
    "Leak", "Plant", "Ambient", "DryCooler", "CoolingTower", "Chiller", "Scenario",
    "COLLECTIONS", "ACTION_TARGETS", "LAYOUT_FORMAT", "LAYOUT_VERSION",
]
