"""What is under a point of the floor plan, what lies in a rectangle, and what it is.

Qt-free geometry on the layout itself (m), so hit testing does not depend on
how the items happen to be drawn, and hover text comes straight from the
model.
"""

from __future__ import annotations

import math

from gui.edits import distance_to_segment
from twin.editing import pipe_length
from twin.model.layout import Layout

#: Kinds that can be dragged: they have a position of their own.
MOVABLE = ("rack", "cdu", "air_unit", "junction")


def _link_ends(layout: Layout, link) -> tuple[tuple[float, float], tuple[float, float]] | None:
    nodes = layout.nodes
    a, b = nodes.get(link.from_), nodes.get(link.to)
    return ((a.x, a.y), (b.x, b.y)) if a and b else None


def leak_point(layout: Layout, leak) -> tuple[float, float] | None:
    """Where a leak point sits on the plan: its junction, or its pipe's middle (m)."""
    nodes = layout.nodes
    if leak.at in nodes:
        return nodes[leak.at].x, nodes[leak.at].y
    pipe = next((p for p in layout.pipes if p.id == leak.at), None)
    ends = _link_ends(layout, pipe) if pipe else None
    if ends is None:
        return None
    (ax, ay), (bx, by) = ends
    return (ax + bx) / 2, (ay + by) / 2


def component_at(layout: Layout, x: float, y: float, tolerance: float) -> str | None:
    """Id of the topmost component at (x, y) m: marks, then junctions, equipment, pipes.

    ``tolerance`` (m) is how near a small thing must be (a few screen pixels).
    """
    p = (x, y)
    best: tuple[float, str] | None = None
    for leak in layout.leaks:
        at = leak_point(layout, leak)
        if at and math.dist(p, at) <= 2 * tolerance:
            return leak.id
    for valve in layout.valves:
        ends = _link_ends(layout, valve)
        if ends:
            mid = ((ends[0][0] + ends[1][0]) / 2, (ends[0][1] + ends[1][1]) / 2)
            if math.dist(p, mid) <= 2 * tolerance:
                return valve.id
    for junction in layout.junctions:
        d = math.dist(p, (junction.x, junction.y))
        if d <= tolerance and (best is None or d < best[0]):
            best = (d, junction.id)
    if best:
        return best[1]
    box = box_at(layout, x, y)
    if box:
        return box
    for pipe in layout.pipes:
        ends = _link_ends(layout, pipe)
        if ends:
            d = distance_to_segment(p, *ends)
            if d <= tolerance and (best is None or d < best[0]):
                best = (d, pipe.id)
    return best[1] if best else None


def box_at(layout: Layout, x: float, y: float) -> str | None:
    """Id of the rack, CDU or air unit whose footprint holds (x, y) m, or None."""
    for box in (*layout.air_units, *layout.cdus, *layout.racks):
        x0, y0, x1, y1 = box.footprint
        if x0 <= x <= x1 and y0 <= y <= y1:
            return box.id
    return None


def components_in_rect(layout: Layout, x0: float, y0: float, x1: float, y1: float) -> set[str]:
    """Ids of everything lying wholly inside the rectangle (m): a rubber-band selection."""
    def inside(x: float, y: float) -> bool:
        return x0 <= x <= x1 and y0 <= y <= y1

    found = {b.id for b in (*layout.racks, *layout.cdus, *layout.air_units)
             if inside(*b.footprint[:2]) and inside(*b.footprint[2:])}
    found |= {j.id for j in layout.junctions if inside(j.x, j.y)}
    for link in (*layout.pipes, *layout.valves):
        ends = _link_ends(layout, link)
        if ends and inside(*ends[0]) and inside(*ends[1]):
            found.add(link.id)
    for leak in layout.leaks:
        at = leak_point(layout, leak)
        if at and inside(*at):
            found.add(leak.id)
    return found


def describe(layout: Layout, component_id: str) -> str:
    """One line of the component's numbers, in the units of the file keys."""
    located = layout.find(component_id)
    if located is None:
        return ""
    c, kind = located.component, located.kind
    if kind == "rack":
        return (f"rack {c.id}: {c.power / 1e3:g} kW IT, capture {c.capture:.0%}, design flow "
                f"{c.design_flow * 6e4:.0f} L/min, inlet {c.inlet}, throttle "
                f"{c.throttle_temp:g} °C, shutdown {c.shutdown_temp:g} °C")
    if kind == "cdu":
        standby = sum(p.standby for p in c.pumps)
        return (f"CDU {c.id}: {c.capacity / 1e3:g} kW, TCS supply {c.supply_temp:g} °C, "
                f"{len(c.pumps)} pumps ({standby} standby), "
                f"dp setpoint {c.dp_setpoint / 1e3:g} kPa")
    if kind == "air_unit":
        return (f"{c.kind} {c.id}: {c.air_flow:g} m³/s, {c.capacity / 1e3:g} kW, "
                f"supply {c.supply_temp:g} °C facing {c.supply_side}")
    if kind == "junction":
        return f"junction {c.id}: elevation {c.elevation:g} m"
    if kind == "pipe":
        return (f"pipe {c.id}: {c.from_} → {c.to}, Ø {c.diameter * 1e3:g} mm, "
                f"{pipe_length(layout, c.id):.2f} m")
    if kind == "valve":
        state = "open" if c.open else "CLOSED"
        return f"{c.kind} valve {c.id}: {c.from_} → {c.to}, Ø {c.diameter * 1e3:g} mm, {state}"
    if kind == "leak":
        per_sqrt_kpa = c.coefficient * 6e4 * math.sqrt(1e3)
        return f"leak point {c.id} at {c.at}: C = {per_sqrt_kpa:g} L/min/√kPa"
    return f"{kind} {c.id}"
