"""Design warnings: cooling capacity against the heat it must take."""

from __future__ import annotations

from twin.model.layout import Layout
from twin.problems import Problem
from twin.validation.topology import coolant_loops


def loop_heat(layout: Layout, rack_indices: list[int]) -> float:
    """Liquid heat of the racks of a loop at nominal power (W)."""
    return sum(layout.racks[i].capture * layout.racks[i].power for i in rack_indices)


def check_capacity(layout: Layout, file: str) -> list[Problem]:
    """Warnings where CDUs, air units or the plant are smaller than their load."""
    problems: list[Problem] = []
    for loop in coolant_loops(layout):
        if not loop.cdus:
            continue
        heat = loop_heat(layout, loop.racks)
        capacity = sum(layout.cdus[i].capacity for i in loop.cdus)
        if heat > capacity:
            first = layout.cdus[loop.cdus[0]]
            problems.append(Problem(
                file, f"cdus[{loop.cdus[0]}].capacity_kw",
                f"CDU capacity {capacity / 1e3:,.0f} kW on the loop of '{first.id}' is below the "
                f"{heat / 1e3:,.0f} kW of liquid heat its racks make", "warning", first.id))
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
