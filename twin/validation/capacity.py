"""Design warnings: cooling capacity against the heat it must take.

A CDU takes out of its loop what the loop's racks put into their cold plates
and what the rear doors and air units on its water (``water_source`` its id)
return to it: they join its return junction, in the steady state
(:mod:`twin.liquid.steady`) as in a run (:mod:`twin.engine.coupling`).
The check is a design-time worst case at nominal power, with the coils'
own laws from :mod:`twin.liquid.coils`:

- a rear door takes what its coil law (:meth:`RearDoors.heat`) gives at
  design conditions: its rack at nominal power breathing the air units' mean
  supply setpoint (:func:`setpoint_air`, as the steady state's racks do),
  its fans at their nominal flow, its water at its CDU's supply setpoint and
  at its rated flow (water share 1; a door on facility water gets the
  plant's supply setpoint);
- an air unit on a CDU's water counts at its rated capacity
  (:func:`air_unit_capacity` with a full water share).  In operation it takes
  a share of the room's air heat, often less than its rating, but that share
  grows to the rating when another unit fails, a door loses its water or
  the room warms, and the CDU must then carry it: the rating is the most the
  unit can put into the loop, so the design check assumes it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from twin.model.layout import Layout
from twin.problems import Problem
from twin.validation.topology import Loop, coolant_loops


@dataclass(frozen=True)
class LoopHeat:
    """The heat a coolant loop's CDUs must take at design (W).

    Attributes
    ----------
    racks : float
        Liquid heat of the loop's racks at nominal power (capture x power).
    doors, air_units : float
        Heat of the rear doors and air units on its CDUs' water (doors at
        design conditions, air units at their rating).
    n_doors, n_air_units : int
        How many doors and air units its CDUs feed.
    """

    racks: float
    doors: float = 0.0
    air_units: float = 0.0
    n_doors: int = 0
    n_air_units: int = 0

    @property
    def total(self) -> float:
        """Everything the loop's CDUs take (W)."""
        return self.racks + self.doors + self.air_units

    @property
    def coils(self) -> float:
        """What its doors and air units return to it (W)."""
        return self.doors + self.air_units

    def __add__(self, other: LoopHeat) -> LoopHeat:
        return LoopHeat(self.racks + other.racks, self.doors + other.doors,
                        self.air_units + other.air_units, self.n_doors + other.n_doors,
                        self.n_air_units + other.n_air_units)

    def parts(self) -> str:
        """The terms of :attr:`total` in words, e.g. ``768 kW of liquid heat its racks
        make + 42 kW its 4 rear doors take + 250 kW of its air unit's rated capacity``."""
        text = [f"{_kw(self.racks)} of liquid heat its racks make"]
        if self.n_doors:
            text.append(f"{_kw(self.doors)} its {_count(self.n_doors, 'rear door')} take")
        if self.n_air_units:
            owner = "its air unit's" if self.n_air_units == 1 else \
                f"its {self.n_air_units} air units'"
            text.append(f"{_kw(self.air_units)} of {owner} rated capacity")
        return " + ".join(text)


def _kw(watts: float) -> str:
    return f"{watts / 1e3:,.0f} kW"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def coil_heat(layout: Layout) -> dict[str, LoopHeat]:
    """Per water source (``"facility"`` or a CDU id): the heat its rear doors take at
    design conditions and its air units' rated capacity (W; ``racks`` is 0).

    See the module's docstring for the design conditions.  A source no CDU has
    (a dangling reference, reported elsewhere) gives its coils no water.
    """
    # Imported here: twin.liquid builds its loops with twin.editing, which imports
    # this package's structural checks.
    from twin.liquid.coils import FACILITY, RearDoors, air_unit_capacity, setpoint_air

    # Design water: each source at its supply setpoint and its rated flow.
    temperature = {FACILITY: layout.plant.supply_temp,
                   **{c.id: c.supply_temp for c in layout.cdus}}
    share: defaultdict[str, float] = defaultdict(float, {source: 1.0 for source in temperature})
    found: dict[str, LoopHeat] = {}
    doors = RearDoors(layout)
    if len(doors):
        racks = layout.racks
        inlet = np.full(len(racks), setpoint_air(layout.air_units))
        taken = doors.heat(inlet, np.array([r.air_heat for r in racks]),
                           np.array([r.air_flow for r in racks]), temperature, share)
        for rack, source in zip(doors.racks, doors.source, strict=True):
            found[source] = found.get(source, LoopHeat(0.0)) + \
                LoopHeat(0.0, doors=float(taken[rack]), n_doors=1)
    rated = air_unit_capacity(layout.air_units, share)
    for unit, capacity in zip(layout.air_units, rated, strict=True):
        found[unit.water_source] = found.get(unit.water_source, LoopHeat(0.0)) + \
            LoopHeat(0.0, air_units=float(capacity), n_air_units=1)
    return found


def loop_heat(layout: Layout, loop: Loop, coils: dict[str, LoopHeat] | None = None) -> LoopHeat:
    """The heat a loop's CDUs must take at design: its racks' liquid heat at nominal
    power plus what the doors and air units on their water return (W).

    Parameters
    ----------
    layout : Layout
        The hall.
    loop : Loop
        One of :func:`coolant_loops`.
    coils : dict, optional
        :func:`coil_heat` of the layout, when already computed.
    """
    coils = coil_heat(layout) if coils is None else coils
    heat = LoopHeat(sum(layout.racks[i].capture * layout.racks[i].power for i in loop.racks))
    for i in loop.cdus:
        heat = heat + coils.get(layout.cdus[i].id, LoopHeat(0.0))
    return heat


def check_capacity(layout: Layout, file: str) -> list[Problem]:
    """Warnings where CDUs, air units or the plant are smaller than their load."""
    problems: list[Problem] = []
    coils = coil_heat(layout)
    for loop in coolant_loops(layout):
        if not loop.cdus:
            continue
        heat = loop_heat(layout, loop, coils)
        capacity = sum(layout.cdus[i].capacity for i in loop.cdus)
        if heat.total > capacity:
            first = layout.cdus[loop.cdus[0]]
            # With nothing but racks on the loop the message reads as it always has.
            load = f"{_kw(heat.total)} of liquid heat its racks make" if \
                not (heat.n_doors or heat.n_air_units) else \
                f"{_kw(heat.total)} it must take at design: {heat.parts()}"
            problems.append(Problem(
                file, f"cdus[{loop.cdus[0]}].capacity_kw",
                f"CDU capacity {_kw(capacity)} on the loop of '{first.id}' is below the "
                f"{load}", "warning", first.id))
    air_heat = sum(r.air_heat for r in layout.racks if r.rear_door is None)
    air_capacity = sum(a.capacity for a in layout.air_units)
    if air_heat > air_capacity:
        problems.append(Problem(
            file, "air_units", f"air-unit capacity {air_capacity / 1e3:,.0f} kW is below the "
            f"{air_heat / 1e3:,.0f} kW racks put into the air", "warning"))
    plant_capacity = sum(u.capacity for u in layout.plant.units)
    uses_facility = layout.cdus or any(a.water_source == "facility" for a in layout.air_units)
    if uses_facility and not layout.plant.units:
        problems.append(Problem(file, "plant", "no dry cooler, tower or chiller rejects the heat "
                                "of the facility water"))
    elif layout.it_power > plant_capacity and layout.plant.units:
        problems.append(Problem(
            file, "plant", f"plant capacity {plant_capacity / 1e3:,.0f} kW is below the "
            f"{layout.it_power / 1e3:,.0f} kW IT load", "warning"))
    return problems
