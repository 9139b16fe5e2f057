"""A short, engineer-readable summary of a layout: what ``halltwin validate`` prints."""

from __future__ import annotations

from twin.model.layout import Layout
from twin.validation.capacity import coil_heat, loop_heat
from twin.validation.topology import coolant_loops


def _kw(watts: float) -> str:
    return f"{watts / 1e3:,.0f} kW"


def summarize(layout: Layout) -> list[str]:
    """Lines describing the hall: racks, IT load, CDUs, capacity with N+1, loops, air, plant.

    The CDUs' load is their racks' liquid heat plus what the rear doors and air
    units on their water return at design (:func:`~twin.validation.capacity.loop_heat`).
    """
    hall = layout.hall
    racks = layout.racks
    liquid = sum(r.capture * r.power for r in racks)
    coils = coil_heat(layout)
    fed = [coils[c.id] for c in layout.cdus if c.id in coils]
    on_cdus = sum(f.coils for f in fed)
    # As the CDU capacity warning: with doors or air units on CDU water, say what they add.
    load = f"{_kw(liquid + on_cdus)} of liquid heat" + (
        f" ({_kw(on_cdus)} of it from rear doors and air units)" if fed else "")
    capacity = sum(c.capacity for c in layout.cdus)
    largest = max((c.capacity for c in layout.cdus), default=0.0)
    pumps = sum(len(c.pumps) for c in layout.cdus)
    standby = sum(p.standby for c in layout.cdus for p in c.pumps)
    lines = [
        f"hall       {hall.width:g} x {hall.depth:g} x {hall.height:g} m, air grid {hall.grid:g} m",
        f"racks      {len(racks)}, IT {_kw(layout.it_power)} (liquid {_kw(liquid)}, "
        f"air {_kw(layout.it_power - liquid)})",
        f"CDUs       {len(layout.cdus)}, capacity {_kw(capacity)}; with N+1 (largest CDU out) "
        f"{_kw(capacity - largest)} for {load} "
        f"({'covered' if capacity - largest >= liquid + on_cdus else 'NOT covered'})",
        f"pumps      {pumps} ({standby} standby)",
    ]
    loops = coolant_loops(layout)
    for number, loop in enumerate([lp for lp in loops if lp.cdus], start=1):
        names = ", ".join(layout.cdus[i].id for i in loop.cdus)
        loop_capacity = sum(layout.cdus[i].capacity for i in loop.cdus)
        heat = loop_heat(layout, loop, coils)
        coil_part = f" (racks {_kw(heat.racks)}, doors and air units {_kw(heat.coils)})" \
            if heat.n_doors or heat.n_air_units else ""
        lines.append(f"loop {number:<5} {names}: {len(loop.racks)} racks, "
                     f"{_kw(heat.total)} liquid{coil_part}, capacity {_kw(loop_capacity)}")
    orphans = sum(len(lp.racks) for lp in loops if not lp.cdus)
    if orphans:
        lines.append(f"unpiped    {orphans} racks on no CDU's loop")
    air_capacity = sum(a.capacity for a in layout.air_units)
    lines.append(f"air units  {len(layout.air_units)}, capacity {_kw(air_capacity)}")
    plant = layout.plant
    lines.append(f"plant      {len(plant.dry_coolers)} dry coolers, {len(plant.towers)} towers, "
                 f"{len(plant.chillers)} chillers; {_kw(sum(u.capacity for u in plant.units))}")
    pipe_count, valve_count = len(layout.pipes), len(layout.valves)
    lines.append(f"piping     {len(layout.junctions)} junctions, {pipe_count} pipes, "
                 f"{valve_count} valves")
    if layout.scenarios:
        lines.append("scenarios  " + ", ".join(s.name for s in layout.scenarios))
    return lines
