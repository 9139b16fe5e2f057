"""Geometric rules: equipment inside the hall, no overlaps, inlets kept clear."""

from __future__ import annotations

from collections.abc import Iterator

from twin.model.base import Box, Side
from twin.model.layout import Layout
from twin.problems import Problem

#: Clear floor (m) a rack inlet or an air-unit supply face needs in front of it.
INLET_CLEARANCE = 0.6
#: Overlaps smaller than this (m^2) are touching, not overlapping.
AREA_TOLERANCE = 1e-6


def _boxes(layout: Layout) -> Iterator[tuple[str, Box]]:
    for collection in ("racks", "cdus", "air_units"):
        for i, box in enumerate(getattr(layout, collection)):
            yield f"{collection}[{i}]", box


def _overlap_area(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def front_zone(box: Box, side: Side, depth: float = INLET_CLEARANCE) -> tuple[float, ...]:
    """The floor rectangle (x0, y0, x1, y1) of ``depth`` in front of ``side`` of ``box``."""
    x0, y0, x1, y1 = box.footprint
    if side is Side.NORTH:
        return x0, y1, x1, y1 + depth
    if side is Side.SOUTH:
        return x0, y0 - depth, x1, y0
    if side is Side.EAST:
        return x1, y0, x1 + depth, y1
    return x0 - depth, y0, x0, y1


def check_geometry(layout: Layout, file: str) -> list[Problem]:
    """Problems with where equipment and junctions stand."""
    hall = layout.hall
    problems: list[Problem] = []
    boxes = list(_boxes(layout))
    for path, box in boxes:
        x0, y0, x1, y1 = box.footprint
        if x1 > hall.width + 1e-9 or y1 > hall.depth + 1e-9:
            problems.append(Problem(file, path, f"'{box.id}' reaches ({x1:g}, {y1:g}) m, outside "
                                    f"the hall ({hall.width:g} x {hall.depth:g} m)",
                                    component=box.id))
        if box.height > hall.height + 1e-9:
            problems.append(Problem(file, f"{path}.height_m", f"{box.height:g} m is taller than "
                                    f"the hall ({hall.height:g} m)", component=box.id))
    for i, (path_a, a) in enumerate(boxes):
        for path_b, b in boxes[i + 1:]:
            if _overlap_area(a.footprint, b.footprint) > AREA_TOLERANCE:
                problems.append(Problem(file, path_b, f"'{b.id}' overlaps '{a.id}' ({path_a})",
                                        component=b.id))
    problems += _blocked_faces(layout, file, boxes)
    for i, junction in enumerate(layout.junctions):
        if junction.x > hall.width + 1e-9 or junction.y > hall.depth + 1e-9:
            problems.append(Problem(file, f"junctions[{i}]", f"'{junction.id}' at "
                                    f"({junction.x:g}, {junction.y:g}) m is outside the hall",
                                    component=junction.id))
    return problems


def _blocked_faces(layout: Layout, file: str, boxes: list[tuple[str, Box]]) -> list[Problem]:
    """Rack inlets and air-unit supply faces need clear floor in front of them."""
    hall = layout.hall
    problems = []
    faces = [(p, b, "inlet") for p, b in boxes if p.startswith("racks")]
    faces += [(p, b, "supply face") for p, b in boxes if p.startswith("air_units")]
    for path, box, what in faces:
        zone = front_zone(box, box.facing)
        if zone[0] < -1e-9 or zone[1] < -1e-9 or zone[2] > hall.width + 1e-9 \
                or zone[3] > hall.depth + 1e-9:
            problems.append(Problem(file, path, f"the {what} of '{box.id}' faces a wall with less "
                                    f"than {INLET_CLEARANCE:g} m clear", component=box.id))
            continue
        for other_path, other in boxes:
            if other is not box and _overlap_area(zone, other.footprint) > AREA_TOLERANCE:
                problems.append(Problem(file, other_path, f"'{other.id}' blocks the {what} of "
                                        f"'{box.id}' ({path}): keep {INLET_CLEARANCE:g} m clear",
                                        component=other.id))
    return problems
